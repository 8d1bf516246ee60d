// Scenario tests: the DHCPv4 server engine through whole exchanges (RFC 2131)
// with a fake clock and an in-memory lease store.
#include <catch2/catch.hpp>

#include "dhcp/engine/dhcp_server.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {

using Bytes = std::vector<std::uint8_t>;
IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

SubnetConfig lan() {
    SubnetConfig s;
    s.interface = "lan0";
    s.subnet = *Prefix::parse("192.0.2.0/24");
    s.server_address = ip("192.0.2.1");
    s.pools = {{ip("192.0.2.100"), ip("192.0.2.102")}};
    s.lease_time = 3600;
    s.routers = {ip("192.0.2.1")};
    s.domain_name = "lan";
    return s;
}

struct Client {
    std::uint8_t id;
    std::string hostname;
    Packet packet(MessageType type) const {
        Packet p;
        p.op = kBootRequest;
        p.xid = 0x1000u + id;
        p.chaddr = {0x02, 0, 0, 0, 0, id};
        p.options[option::message_type] = Bytes{static_cast<std::uint8_t>(type)};
        p.options[option::parameter_list] = Bytes{1, 3, 6, 15, 51};
        if (!hostname.empty()) p.options[option::hostname] = Bytes(hostname.begin(), hostname.end());
        return p;
    }
};

struct Harness {
    LeaseStore store;
    DhcpServer server;
    std::int64_t now = 1'000'000;
    explicit Harness(ServerSettings s = {{lan()}, {}, 60, 600}) : server(std::move(s), store) {}

    // Runs the outcome the way the daemon does: journal (here: store) first, then the reply.
    Outcome send(const Packet& p, const char* iface = "lan0") {
        Outcome o = server.handle({p, iface, IpAddress::v4(0)}, now);
        if (o.grant) store.put(*o.grant);
        if (o.release) store.free(*o.release);
        return o;
    }
    // DISCOVER, OFFER, REQUEST (SELECTING), ACK.
    Outcome dora(const Client& c) {
        Outcome offer = send(c.packet(MessageType::discover));
        REQUIRE(offer.reply);
        Packet req = c.packet(MessageType::request);
        auto yi = offer.reply->packet.yiaddr;
        req.options[option::requested_address] = Bytes(yi.bytes(), yi.bytes() + 4);
        req.options[option::server_id] = Bytes{192, 0, 2, 1};
        return send(req);
    }
};

MessageType type_of(const Outcome& o) {
    return o.reply ? o.reply->packet.message_type() : MessageType::none;
}

}  // namespace

TEST_CASE("dhcp: DORA gives a pool address with mask, router, DNS, domain, lease and T1/T2") {
    Harness h;
    Client c{1, "laptop"};
    Outcome offer = h.send(c.packet(MessageType::discover));
    REQUIRE(type_of(offer) == MessageType::offer);
    CHECK(offer.reply->packet.yiaddr == ip("192.0.2.100"));
    CHECK_FALSE(offer.grant);  // an offer writes nothing
    Outcome ack = h.dora(c);
    REQUIRE(type_of(ack) == MessageType::ack);
    const Packet& a = ack.reply->packet;
    CHECK(a.yiaddr == ip("192.0.2.100"));
    CHECK(a.option_address(option::subnet_mask) == ip("255.255.255.0"));
    CHECK(a.option_address(option::router) == ip("192.0.2.1"));
    CHECK(a.option_address(option::dns_servers) == ip("192.0.2.1"));  // default: ourselves
    CHECK(a.option_u32(option::lease_time) == 3600u);
    CHECK(a.option_u32(option::renewal_time) == 1800u);
    CHECK(a.option_u32(option::rebinding_time) == 3150u);
    CHECK(*a.option(option::domain_name) == Bytes{'l', 'a', 'n'});
    CHECK(ack.reply->order[0] == option::message_type);
    REQUIRE(ack.grant);  // journal before the ACK leaves
    CHECK(ack.grant->expires == h.now + 3600);
    REQUIRE(ack.name);
    CHECK(ack.name->hostname == "laptop");
    CHECK(ack.reply->destination == Destination::client_hardware);  // no broadcast flag, no address yet
}

TEST_CASE("dhcp: a second client gets another address, a returning client gets its old one back") {
    Harness h;
    Client a{1, ""}, b{2, ""};
    CHECK(h.dora(a).reply->packet.yiaddr == ip("192.0.2.100"));
    CHECK(h.dora(b).reply->packet.yiaddr == ip("192.0.2.101"));
    Packet rel = a.packet(MessageType::release);
    rel.ciaddr = ip("192.0.2.100");
    Outcome r = h.send(rel);
    CHECK_FALSE(r.reply);
    CHECK(r.release == ip("192.0.2.100"));
    h.now += 10;
    CHECK(h.dora(a).reply->packet.yiaddr == ip("192.0.2.100"));  // free again: it gets it back
}

TEST_CASE("dhcp: REQUEST for another server's offer is silence and frees our offer") {
    Harness h;
    Client c{1, ""};
    auto offer = h.send(c.packet(MessageType::discover));
    Packet req = c.packet(MessageType::request);
    req.options[option::requested_address] = Bytes{192, 0, 2, 100};
    req.options[option::server_id] = Bytes{192, 0, 2, 254};
    Outcome o = h.send(req);
    CHECK_FALSE(o.reply);
    CHECK_FALSE(o.grant);
    Client other{2, ""};
    CHECK(h.send(other.packet(MessageType::discover)).reply->packet.yiaddr == ip("192.0.2.100"));
}

TEST_CASE("dhcp: INIT-REBOOT: ACK when right, NAK on the wrong network, silence when unknown") {
    Harness h;
    Client c{1, ""};
    h.dora(c);
    Packet reboot = c.packet(MessageType::request);
    reboot.options[option::requested_address] = Bytes{192, 0, 2, 100};
    CHECK(type_of(h.send(reboot)) == MessageType::ack);
    reboot.options[option::requested_address] = Bytes{198, 51, 100, 7};  // another subnet
    Outcome nak = h.send(reboot);
    REQUIRE(type_of(nak) == MessageType::nak);
    CHECK(nak.reply->destination == Destination::broadcast);
    CHECK(nak.reply->packet.yiaddr.is_unspecified());
    // An address of this subnet that another client holds, from a client we do not know:
    Client stranger{9, ""};
    Packet foreign = stranger.packet(MessageType::request);
    foreign.options[option::requested_address] = Bytes{192, 0, 2, 100};
    Outcome silent = h.send(foreign);
    CHECK_FALSE(silent.reply);  // not authoritative: stay silent
    ServerSettings auth{{lan()}, {}, 60, 600};
    auth.subnets[0].authoritative = true;
    Harness a(auth);
    a.dora(c);
    CHECK(type_of(a.send(foreign)) == MessageType::nak);  // authoritative: NAK
}

TEST_CASE("dhcp: RENEWING (unicast) and REBINDING (broadcast) extend the lease, replies go to ciaddr") {
    Harness h;
    Client c{1, ""};
    h.dora(c);
    h.now += 1800;
    Packet renew = c.packet(MessageType::request);
    renew.ciaddr = ip("192.0.2.100");
    Outcome o = h.send(renew);
    REQUIRE(type_of(o) == MessageType::ack);
    CHECK(o.reply->destination == Destination::ciaddr);
    CHECK(o.reply->to == ip("192.0.2.100"));
    CHECK(o.grant->expires == h.now + 3600);
    Client thief{2, ""};
    Packet steal = thief.packet(MessageType::request);
    steal.ciaddr = ip("192.0.2.100");
    CHECK(type_of(h.send(steal)) == MessageType::nak);  // someone else's lease
}

TEST_CASE("dhcp: a reserved MAC gets its fixed address, even outside the pools, nobody else gets it") {
    ServerSettings s{{lan()}, {}, 60, 600};
    s.reservations.push_back({Bytes{0x02, 0, 0, 0, 0, 7}, {}, ip("192.0.2.50"), "printer"});
    s.reservations.push_back({Bytes{0x02, 0, 0, 0, 0, 8}, {}, ip("192.0.2.100"), ""});
    Harness h(s);
    Outcome printer = h.dora(Client{7, ""});
    CHECK(printer.reply->packet.yiaddr == ip("192.0.2.50"));
    REQUIRE(printer.name);
    CHECK(printer.name->hostname == "printer");
    CHECK(h.dora(Client{1, ""}).reply->packet.yiaddr == ip("192.0.2.101"));  // .100 is reserved
}

TEST_CASE("dhcp: pool exhaustion with 2 addresses and 3 clients: no OFFER, counted") {
    ServerSettings s{{lan()}, {}, 60, 600};
    s.subnets[0].pools = {{ip("192.0.2.100"), ip("192.0.2.101")}};
    Harness h(s);
    CHECK(type_of(h.dora(Client{1, ""})) == MessageType::ack);
    CHECK(type_of(h.dora(Client{2, ""})) == MessageType::ack);
    Outcome third = h.send(Client{3, ""}.packet(MessageType::discover));
    CHECK_FALSE(third.reply);
    CHECK(h.server.stats().pool_exhausted == 1);
    h.now += 3600;  // the leases expired: reused
    CHECK(type_of(h.send(Client{3, ""}.packet(MessageType::discover))) == MessageType::offer);
}

TEST_CASE("dhcp: DECLINE puts the address on probation, then it returns to the pool") {
    ServerSettings s{{lan()}, {}, 60, 600};
    s.subnets[0].pools = {{ip("192.0.2.100"), ip("192.0.2.100")}};
    Harness h(s);
    Client c{1, ""};
    h.dora(c);
    Packet decline = c.packet(MessageType::decline);
    decline.options[option::requested_address] = Bytes{192, 0, 2, 100};
    decline.options[option::server_id] = Bytes{192, 0, 2, 1};
    Outcome d = h.send(decline);
    CHECK(d.release == ip("192.0.2.100"));
    CHECK_FALSE(d.reply);
    CHECK_FALSE(h.send(Client{2, ""}.packet(MessageType::discover)).reply);  // on probation
    h.now += 600;
    CHECK(type_of(h.send(Client{2, ""}.packet(MessageType::discover))) == MessageType::offer);
}

TEST_CASE("dhcp: INFORM gets options and no lease, unicast to ciaddr") {
    Harness h;
    Packet inform = Client{1, ""}.packet(MessageType::inform);
    inform.ciaddr = ip("192.0.2.77");
    Outcome o = h.send(inform);
    REQUIRE(type_of(o) == MessageType::ack);
    CHECK_FALSE(o.grant);
    CHECK(o.reply->packet.yiaddr.is_unspecified());
    CHECK_FALSE(o.reply->packet.option(option::lease_time));
    CHECK(o.reply->destination == Destination::ciaddr);
}

TEST_CASE("dhcp: relayed requests are served from the subnet of giaddr, option 82 is echoed to the relay") {
    SubnetConfig remote = lan();
    remote.interface = "";
    remote.subnet = *Prefix::parse("198.51.100.0/24");
    remote.server_address = ip("192.0.2.1");
    remote.pools = {{ip("198.51.100.10"), ip("198.51.100.20")}};
    Harness h(ServerSettings{{lan(), remote}, {}, 60, 600});
    Packet d = Client{1, ""}.packet(MessageType::discover);
    d.giaddr = ip("198.51.100.1");
    d.options[option::relay_agent] = Bytes{1, 3, 'e', 't', 'h'};
    Outcome o = h.send(d, "lan0");
    REQUIRE(type_of(o) == MessageType::offer);
    CHECK(o.reply->packet.yiaddr == ip("198.51.100.10"));
    CHECK(o.reply->destination == Destination::relay);
    CHECK(o.reply->to == ip("198.51.100.1"));
    CHECK(*o.reply->packet.option(option::relay_agent) == Bytes{1, 3, 'e', 't', 'h'});
}

TEST_CASE("dhcp: the broadcast flag and option 57 decide destination and size") {
    Harness h;
    Packet d = Client{1, ""}.packet(MessageType::discover);
    d.flags = kBroadcastFlag;
    d.options[option::max_message_size] = Bytes{0x05, 0xdc};  // 1500
    Outcome o = h.send(d);
    CHECK(o.reply->destination == Destination::broadcast);
    CHECK(o.reply->max_size == 1500 - 28);
    Packet tiny = Client{2, ""}.packet(MessageType::discover);
    tiny.options[option::max_message_size] = Bytes{0x01, 0x00};  // 256: below the minimum, ignored
    CHECK(h.send(tiny).reply->max_size == 548);
}

TEST_CASE("dhcp: the client's parameter list orders the options, essentials follow") {
    ServerSettings s{{lan()}, {}, 60, 600};
    s.subnets[0].ntp_servers = {ip("192.0.2.123")};
    s.subnets[0].options = {{200, Bytes{1, 2, 3}}};
    Harness h(s);
    Packet d = Client{1, ""}.packet(MessageType::discover);
    d.options[option::parameter_list] = Bytes{42, 200, 6};
    Outcome o = h.send(d);
    const auto& order = o.reply->order;
    auto pos = [&](std::uint8_t code) { return std::find(order.begin(), order.end(), code) - order.begin(); };
    CHECK(pos(42) < pos(200));
    CHECK(pos(200) < pos(6));
    CHECK(pos(6) < pos(option::subnet_mask));
    CHECK(pos(option::router) < static_cast<long>(order.size()));
}

TEST_CASE("dhcp: no reply for a subnet whose interface has no address of ours (yet)") {
    ServerSettings s{{lan()}, {}, 60, 600};
    s.subnets[0].server_address = IpAddress::v4(0);
    Harness h(s);
    Outcome o = h.send(Client{1, ""}.packet(MessageType::discover));
    CHECK_FALSE(o.reply);
    CHECK(o.dropped == DropReason::no_server_address);
    s.subnets[0].server_address = ip("192.0.2.1");  // the interface got its address
    h.server.reconfigure(s);
    CHECK(type_of(h.send(Client{1, ""}.packet(MessageType::discover))) == MessageType::offer);
}
