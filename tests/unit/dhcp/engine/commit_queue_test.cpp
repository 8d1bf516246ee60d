// Unit tests of the DHCP group commit (dhcp/engine/commit_queue): which
// replies a commit releases, which journal lines it writes, and what the lease
// store holds after a commit fails. Outcomes are made by hand here, each
// reply marked by its xid; the last test drives the real engine.
#include <catch2/catch.hpp>

#include "dhcp/engine/commit_queue.h"
#include "dhcp/lease/journal_format.h"

using namespace lanlord;
using namespace lanlord::dhcp;

namespace {

using Bytes = std::vector<std::uint8_t>;

IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
Bytes client(std::uint8_t n) {
    return {1, 2, 0, 0, 0, 0, n};
}
Lease lease(const char* a, std::uint8_t c, std::int64_t expires) {
    Lease l;
    l.address = ip(a);
    l.client_id = client(c);
    l.hardware = {2, 0, 0, 0, 0, c};
    l.expires = expires;
    return l;
}
Reply reply_marked(std::uint32_t xid) {
    Reply r;
    r.packet.xid = xid;
    return r;
}
// What the engine returns for an ACK: the lease to make durable, the reply, the name.
Decision ack(const Lease& l, std::uint32_t xid, unsigned ifindex = 2) {
    Outcome o;
    o.grant = l;
    o.reply = reply_marked(xid);
    o.name = NameChange{"host", l.address, l.expires, "owner"};
    return {std::move(o), ifindex};
}
// A RELEASE: the address to free, no reply, the name withdrawn.
Decision release(const char* a) {
    Outcome o;
    o.release = ip(a);
    o.name = NameChange{"", ip(a), 0, "owner"};
    return {std::move(o), 2};
}
// An OFFER (or NAK, or INFORM's ACK): a reply, nothing for the journal.
Decision offer(std::uint32_t xid) {
    Outcome o;
    o.reply = reply_marked(xid);
    return {std::move(o), 3};
}

std::vector<std::uint32_t> xids(const std::vector<Decision>& released) {
    std::vector<std::uint32_t> out;
    for (const auto& d : released) out.push_back(d.outcome.reply ? d.outcome.reply->packet.xid : 0);
    return out;
}

// The address the store's client index gives, "" when none: checks the index
// the allocator uses, not only the by-address map.
std::string address_of(const LeaseStore& store, std::uint8_t c) {
    const Lease* l = store.by_client(client(c));
    return l ? l->address.to_string() : "";
}

}  // namespace

TEST_CASE("commit queue: an OFFER, a NAK or a drop has nothing to make durable and is handed back at once") {
    LeaseStore store;
    CommitQueue queue(store);
    auto at_once = queue.add(offer(0x51));
    REQUIRE(at_once);
    CHECK(at_once->outcome.reply->packet.xid == 0x51);
    CHECK(at_once->ifindex == 3);
    Outcome dropped;
    dropped.dropped = DropReason::pool_exhausted;
    CHECK(queue.add({dropped, 1}));
    CHECK(queue.queued() == 0);
    CHECK(queue.start_commit().empty());
    CHECK_FALSE(queue.committing());
    CHECK(store.all().empty());
}

TEST_CASE("commit queue: a grant is in the store at once, its ACK released only by a durable commit") {
    LeaseStore store;
    CommitQueue queue(store);
    const Lease a = lease("192.0.2.10", 1, 5000), b = lease("192.0.2.11", 2, 5000);
    CHECK_FALSE(queue.add(ack(a, 0xA)));  // held, not handed back
    CHECK_FALSE(queue.add(ack(b, 0xB)));
    // In memory at once: the next DISCOVER cannot be offered these addresses.
    CHECK(store.by_address(a.address));
    CHECK_FALSE(store.available_for(a.address, client(9), 100));
    CHECK(queue.queued() == 2);

    auto lines = queue.start_commit();
    CHECK(lines == std::vector<std::string>{encode_grant(a), encode_grant(b)});
    CHECK(queue.committing());
    CHECK(queue.in_flight() == 2);
    CHECK(queue.start_commit().empty());  // one commit at a time: nothing more to write

    CommitResult done = queue.committed(true);
    CHECK(xids(done.released) == std::vector<std::uint32_t>{0xA, 0xB});  // arrival order
    CHECK(done.released[0].ifindex == 2);
    REQUIRE(done.released[0].outcome.name);
    CHECK(done.released[0].outcome.name->hostname == "host");
    CHECK(done.refused == 0);
    CHECK_FALSE(queue.committing());
    CHECK(queue.in_flight() == 0);
    CHECK(store.by_address(a.address) != nullptr);
    CHECK(*store.by_address(b.address) == b);
}

TEST_CASE("commit queue: changes arriving during a commit form the next group, written after it") {
    LeaseStore store;
    CommitQueue queue(store);
    const Lease a = lease("192.0.2.10", 1, 5000), b = lease("192.0.2.11", 2, 5000),
                c = lease("192.0.2.12", 3, 5000);
    queue.add(ack(a, 0xA));
    CHECK(queue.start_commit() == std::vector<std::string>{encode_grant(a)});
    // While A's fdatasync runs:
    queue.add(ack(b, 0xB));
    CHECK(queue.add(offer(0x0F)));  // an OFFER does not wait for anything
    queue.add(ack(c, 0xC));
    CHECK(queue.in_flight() == 1);
    CHECK(queue.queued() == 2);
    CHECK(queue.start_commit().empty());  // A is still under way

    CHECK(xids(queue.committed(true).released) == std::vector<std::uint32_t>{0xA});  // B, C wait
    CHECK(queue.start_commit() == std::vector<std::string>{encode_grant(b), encode_grant(c)});
    CHECK(queue.queued() == 0);
    CHECK(xids(queue.committed(true).released) == std::vector<std::uint32_t>{0xB, 0xC});
    CHECK(queue.start_commit().empty());
    CHECK(store.all().size() == 3);
}

TEST_CASE("commit queue: a failed commit takes back its N grants and every change queued behind them") {
    LeaseStore store;
    // Before: client 1 holds .10 (its renewal is in the failed group), client 5
    // holds an expired lease at .11 (granted to client 2 in the failed group),
    // client 6 holds .20 (released behind the failed group).
    store.put(lease("192.0.2.10", 1, 2000));
    store.put(lease("192.0.2.11", 5, 50));
    store.put(lease("192.0.2.20", 6, 3000));
    const std::map<IpAddress, Lease> before = store.all();
    CommitQueue queue(store);

    const std::size_t n = GENERATE(1, 3);
    const std::vector<Lease> group = {lease("192.0.2.10", 1, 9000), lease("192.0.2.11", 2, 9000),
                                      lease("192.0.2.12", 3, 9000)};
    for (std::size_t i = 0; i < n; ++i) queue.add(ack(group[i], 0x100 + i));
    CHECK(queue.start_commit().size() == n);
    // Decided while the commit runs, on top of its changes:
    queue.add(ack(lease("192.0.2.10", 1, 9500), 0x200));  // renews the in-flight renewal
    queue.add(release("192.0.2.20"));
    queue.add(ack(lease("192.0.2.13", 4, 9000), 0x201));
    CHECK(queue.add(offer(0x300)));  // replies that need no disk still go at once
    CHECK(store.all() != before);

    CommitResult failed = queue.committed(false);
    CHECK(failed.released.empty());  // no ACK for anything taken back
    CHECK(failed.refused == n + 3);
    CHECK(store.all() == before);  // the store as it was, every lease field
    // The client index agrees: each client finds its old lease, the new ones none.
    CHECK(address_of(store, 1) == "192.0.2.10");
    CHECK(address_of(store, 2) == "");
    CHECK(address_of(store, 3) == "");
    CHECK(address_of(store, 4) == "");
    CHECK(address_of(store, 5) == "192.0.2.11");
    CHECK(address_of(store, 6) == "192.0.2.20");
    CHECK_FALSE(queue.committing());
    CHECK(queue.queued() == 0);
    CHECK(queue.start_commit().empty());  // the refused changes are not written later

    // The next change starts a clean group: none of the refused lines in it.
    const Lease later = lease("192.0.2.14", 7, 9000);
    queue.add(ack(later, 0x400));
    CHECK(queue.start_commit() == std::vector<std::string>{encode_grant(later)});
    CHECK(xids(queue.committed(true).released) == std::vector<std::uint32_t>{0x400});
}

TEST_CASE("commit queue: a RELEASE between two groups") {
    LeaseStore store;
    CommitQueue queue(store);
    const Lease a = lease("192.0.2.10", 1, 5000);
    queue.add(ack(a, 0xA));
    queue.start_commit();

    SECTION("after the grant's commit: freed at once, written in the next group, taken back alone") {
        CHECK(xids(queue.committed(true).released) == std::vector<std::uint32_t>{0xA});
        CHECK_FALSE(queue.add(release("192.0.2.10")));  // nothing to send, but the name waits
        CHECK_FALSE(store.by_address(a.address));       // free for the next DISCOVER at once
        CHECK(queue.start_commit() == std::vector<std::string>{encode_free(a.address)});
        SECTION("durable: the address stays free, the name is withdrawn") {
            CommitResult done = queue.committed(true);
            REQUIRE(done.released.size() == 1);
            CHECK_FALSE(done.released[0].outcome.reply);
            REQUIRE(done.released[0].outcome.name);
            CHECK(done.released[0].outcome.name->hostname.empty());
            CHECK(store.all().empty());
        }
        SECTION("failed: the durable lease is back, as the first commit left it") {
            CommitResult failed = queue.committed(false);
            CHECK(failed.released.empty());
            CHECK(failed.refused == 1);
            REQUIRE(store.by_address(a.address));
            CHECK(*store.by_address(a.address) == a);
            CHECK(address_of(store, 1) == "192.0.2.10");
        }
    }
    SECTION("behind the grant's commit, which fails: both are taken back") {
        queue.add(release("192.0.2.10"));
        CHECK(queue.queued() == 1);
        CommitResult failed = queue.committed(false);
        CHECK(failed.released.empty());
        CHECK(failed.refused == 2);
        CHECK(store.all().empty());
        CHECK(address_of(store, 1) == "");
    }
}

TEST_CASE("commit queue: a failed move from X to R gives the client its lease at X back") {
    LeaseStore store;
    const Lease at_x = lease("192.0.2.10", 1, 2000);
    store.put(at_x);
    const bool r_held = GENERATE(false, true);  // R free, or another client's expired lease there
    const Lease other_at_r = lease("192.0.2.30", 2, 50);
    if (r_held) store.put(other_at_r);
    const std::map<IpAddress, Lease> before = store.all();
    CommitQueue queue(store);

    queue.add(ack(lease("192.0.2.30", 1, 9000), 0xA));
    // One lease per client: the move ends X in memory at once.
    CHECK_FALSE(store.by_address(at_x.address));
    CHECK(address_of(store, 1) == "192.0.2.30");
    queue.start_commit();

    SECTION("the commit fails: X is the client's again, R as it was") {
        CHECK(queue.committed(false).released.empty());
        CHECK(store.all() == before);
        CHECK(address_of(store, 1) == "192.0.2.10");
        CHECK(address_of(store, 2) == (r_held ? "192.0.2.30" : ""));
    }
    SECTION("the commit is durable: X stays ended") {
        CHECK(xids(queue.committed(true).released) == std::vector<std::uint32_t>{0xA});
        CHECK_FALSE(store.by_address(at_x.address));
        CHECK(address_of(store, 1) == "192.0.2.30");
        CHECK(address_of(store, 2) == "");
    }
}

namespace {

SubnetConfig lan() {
    SubnetConfig s;
    s.interface = "lan0";
    s.subnet = *Prefix::parse("192.0.2.0/24");
    s.server_address = ip("192.0.2.1");
    s.pools = {{ip("192.0.2.100"), ip("192.0.2.102")}};
    s.lease_time = 3600;
    s.authoritative = true;  // NAKs an address another client holds
    return s;
}

Packet request_for(std::uint8_t id, const IpAddress& a) {
    Packet p;
    p.op = kBootRequest;
    p.xid = 0x1000u + id;
    p.chaddr = {0x02, 0, 0, 0, 0, id};
    p.options[option::message_type] = Bytes{static_cast<std::uint8_t>(MessageType::request)};
    p.options[option::requested_address] = Bytes(a.bytes(), a.bytes() + 4);  // INIT-REBOOT
    return p;
}

}  // namespace

TEST_CASE("commit queue with the engine: a refused client's retry is ACKed for the same address") {
    LeaseStore store;
    DhcpServer server({{lan()}, {}, 60, 600}, store);
    CommitQueue queue(store);
    std::int64_t now = 1'000'000;
    auto handle = [&](const Packet& p) {
        return queue.add({server.handle({p, "lan0", IpAddress::v4(0)}, now), 1});
    };

    CHECK_FALSE(handle(request_for(1, ip("192.0.2.100"))));
    CHECK_FALSE(handle(request_for(2, ip("192.0.2.101"))));
    CHECK(queue.start_commit().size() == 2);
    // While the first group is written, client 3 is refused .100 (held by client 1).
    auto nak = handle(request_for(3, ip("192.0.2.100")));
    REQUIRE(nak);
    CHECK(nak->outcome.reply->packet.message_type() == MessageType::nak);

    CommitResult failed = queue.committed(false);
    CHECK(failed.released.empty());
    CHECK(store.all().empty());
    // The clients retry: their addresses are free again, and the ACK follows the commit.
    CHECK_FALSE(handle(request_for(1, ip("192.0.2.100"))));
    CHECK(queue.start_commit().size() == 1);
    CommitResult done = queue.committed(true);
    REQUIRE(done.released.size() == 1);
    CHECK(done.released[0].outcome.reply->packet.message_type() == MessageType::ack);
    CHECK(done.released[0].outcome.reply->packet.yiaddr == ip("192.0.2.100"));
    REQUIRE(store.by_address(ip("192.0.2.100")));
    CHECK(store.by_address(ip("192.0.2.100"))->hardware == Bytes{0x02, 0, 0, 0, 0, 1});
}
