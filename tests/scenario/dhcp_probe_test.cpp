// Scenario tests: the conflict probe before an OFFER (RFC 2131 2.2), with a
// fake clock; the test plays the I/O edge (it "sends" the echo and reports
// silence or a reply through probe_result).
#include <catch2/catch.hpp>

#include "dhcp/engine/dhcp_server.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {

using Bytes = std::vector<std::uint8_t>;
IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}

ServerSettings probing(bool on = true) {
    SubnetConfig s;
    s.interface = "lan0";
    s.subnet = *Prefix::parse("192.0.2.0/24");
    s.server_address = ip("192.0.2.1");
    s.pools = {{ip("192.0.2.100"), ip("192.0.2.104")}};
    ServerSettings settings{{s}, {}, 60, 600};
    settings.ping_check = on;
    settings.ping_timeout_ms = 300;
    return settings;
}

Packet packet(std::uint8_t id, MessageType type, std::uint32_t xid = 0) {
    Packet p;
    p.xid = xid ? xid : 0x1000u + id;
    p.chaddr = {0x02, 0, 0, 0, 0, id};
    p.options[option::message_type] = Bytes{static_cast<std::uint8_t>(type)};
    return p;
}

struct Harness {
    LeaseStore store;
    DhcpServer server;
    std::int64_t now = 1'000'000;
    explicit Harness(ServerSettings s) : server(std::move(s), store) {}
    Outcome send(const Packet& p) {
        Outcome o = server.handle({p, "lan0", IpAddress::v4(0)}, now);
        if (o.grant) store.put(*o.grant);
        return o;
    }
    Outcome request(std::uint8_t id, const IpAddress& a) {
        Packet r = packet(id, MessageType::request);
        r.options[option::requested_address] = Bytes(a.bytes(), a.bytes() + 4);
        r.options[option::server_id] = Bytes{192, 0, 2, 1};
        return send(r);
    }
};

}  // namespace

TEST_CASE("dhcp probe: off by default, a DISCOVER is answered at once") {
    Harness h(probing(false));
    Outcome o = h.send(packet(1, MessageType::discover));
    CHECK_FALSE(o.probe);
    REQUIRE(o.reply);
    CHECK(h.server.stats().probes == 0);
}

TEST_CASE("dhcp probe: silence until the timeout gives the OFFER of the probed address") {
    Harness h(probing());
    Outcome o = h.send(packet(1, MessageType::discover));
    REQUIRE(o.probe);
    CHECK_FALSE(o.reply);
    CHECK(o.probe->address == ip("192.0.2.100"));
    CHECK(o.probe->timeout_ms == 300);
    // While it is out, another client's DISCOVER gets another candidate.
    Outcome other = h.send(packet(2, MessageType::discover));
    REQUIRE(other.probe);
    CHECK(other.probe->address == ip("192.0.2.101"));
    h.now += 1;
    Outcome offer = h.server.probe_result(o.probe->id, false, h.now);
    REQUIRE(offer.reply);
    CHECK(offer.reply->packet.message_type() == MessageType::offer);
    CHECK(offer.reply->packet.yiaddr == ip("192.0.2.100"));
    CHECK(offer.reply->packet.xid == 0x1001u);
    CHECK(h.server.probes_in_flight() == 1);
    // The REQUEST that follows is ACKed as usual.
    CHECK(h.request(1, ip("192.0.2.100")).reply->packet.message_type() == MessageType::ack);
}

TEST_CASE("dhcp probe: an echo reply sets the address aside and the next candidate is probed") {
    Harness h(probing());
    Outcome first = h.send(packet(1, MessageType::discover));
    REQUIRE(first.probe);
    Outcome second = h.server.probe_result(first.probe->id, true, h.now);
    CHECK_FALSE(second.reply);
    REQUIRE(second.probe);
    CHECK(second.probe->address == ip("192.0.2.101"));
    Outcome offer = h.server.probe_result(second.probe->id, false, h.now);
    REQUIRE(offer.reply);
    CHECK(offer.reply->packet.yiaddr == ip("192.0.2.101"));
    CHECK(h.server.stats().conflicts == 1);
    // The answering address rests for the decline probation, then returns.
    Packet asks = packet(2, MessageType::discover);
    asks.options[option::requested_address] = Bytes{192, 0, 2, 100};
    Outcome other = h.send(asks);
    REQUIRE(other.probe);
    CHECK(other.probe->address == ip("192.0.2.102"));
    h.server.probe_result(other.probe->id, false, h.now);
    h.now += 600;
    Packet later_asks = packet(3, MessageType::discover);
    later_asks.options[option::requested_address] = Bytes{192, 0, 2, 100};
    Outcome later = h.send(later_asks);
    REQUIRE(later.probe);
    CHECK(later.probe->address == ip("192.0.2.100"));
}

TEST_CASE("dhcp probe: at most three candidates per DISCOVER, the retransmission starts again") {
    Harness h(probing());
    Outcome o = h.send(packet(1, MessageType::discover));
    for (int i = 0; i < 2; ++i) {
        REQUIRE(o.probe);
        o = h.server.probe_result(o.probe->id, true, h.now);
    }
    REQUIRE(o.probe);
    CHECK(o.probe->address == ip("192.0.2.102"));
    Outcome last = h.server.probe_result(o.probe->id, true, h.now);
    CHECK_FALSE(last.probe);
    CHECK_FALSE(last.reply);
    CHECK(last.dropped == DropReason::every_candidate_answered);
    CHECK(h.server.probes_in_flight() == 0);
    Outcome again = h.send(packet(1, MessageType::discover));
    REQUIRE(again.probe);
    CHECK(again.probe->address == ip("192.0.2.103"));
}

TEST_CASE("dhcp probe: a retransmitted DISCOVER during the probe waits for it, the OFFER has its xid") {
    Harness h(probing());
    Outcome o = h.send(packet(1, MessageType::discover, 0xAAAA));
    REQUIRE(o.probe);
    Outcome retransmit = h.send(packet(1, MessageType::discover, 0xBBBB));
    CHECK_FALSE(retransmit.probe);
    CHECK_FALSE(retransmit.reply);
    Outcome offer = h.server.probe_result(o.probe->id, false, h.now);
    REQUIRE(offer.reply);
    CHECK(offer.reply->packet.xid == 0xBBBBu);
    CHECK(h.server.stats().probes == 1);
}

TEST_CASE("dhcp probe: no probe for the client's own lease, its reservation, or a recently silent address") {
    ServerSettings s = probing();
    s.reservations.push_back({Bytes{0x02, 0, 0, 0, 0, 7}, {}, ip("192.0.2.50"), ""});
    Harness h(s);
    // Reserved: offered at once.
    Outcome reserved = h.send(packet(7, MessageType::discover));
    CHECK_FALSE(reserved.probe);
    CHECK(reserved.reply->packet.yiaddr == ip("192.0.2.50"));
    // A lease, then the same client again (its own address): no probe.
    Outcome o = h.send(packet(1, MessageType::discover));
    h.server.probe_result(o.probe->id, false, h.now);
    REQUIRE(h.request(1, ip("192.0.2.100")).grant);
    h.now += 7200;  // even once the lease has expired
    Outcome again = h.send(packet(1, MessageType::discover));
    CHECK_FALSE(again.probe);
    CHECK(again.reply->packet.yiaddr == ip("192.0.2.100"));
    // Client 2's candidate was silent a moment ago: its retry within the offer hold is not probed again.
    Outcome two = h.send(packet(2, MessageType::discover));
    REQUIRE(two.probe);
    h.server.probe_result(two.probe->id, false, h.now);
    h.now += 5;
    CHECK_FALSE(h.send(packet(2, MessageType::discover)).probe);
}

TEST_CASE("dhcp probe: the per-subnet setting wins over the [dhcp] default") {
    ServerSettings s = probing(false);
    s.subnets[0].ping_check = true;
    s.subnets[0].ping_timeout_ms = 50;
    Harness h(s);
    Outcome o = h.send(packet(1, MessageType::discover));
    REQUIRE(o.probe);
    CHECK(o.probe->timeout_ms == 50);
    CHECK(h.server.probe_result(o.probe->id, false, h.now).reply);
    CHECK(h.server.probe_result(o.probe->id, false, h.now).dropped ==
          DropReason::unknown_probe);  // already finished
}
