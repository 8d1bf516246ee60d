// The cache-hit path must not allocate (README.md, "Threads and the hit path").
// This file replaces the global operator new of the test binary with one that
// counts, and requires zero allocations over 1,000 hits through the whole
// engine: parse, the per-client rate limit (on here, off by default), access
// control, routing, cache lookup, TTL aging, answer.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "resolver/engine/resolver_engine.h"
#include "support/dns_builder.h"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
}  // namespace

// Our operator new takes from malloc, so free() is the matching release.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

using namespace lanlord;
using namespace lanlord::test;

namespace {
class CountingIo : public EngineIo {
  public:
    void reply(const ClientRef&, std::span<const std::uint8_t> answer) override {
        ++replies;
        last_length = answer.size();
    }
    void send_upstream(const UpstreamRequest& r) override {
        token = r.token;
        server = r.server;
        std::copy(r.query.begin(), r.query.end(), query);
        query_len = r.query.size();
    }
    void close_upstream(std::uint64_t) override {}
    // What DnsService does with the query log on: the record built from the
    // sent message, appended to the worker's ring.
    void answered(const ClientRef& client, std::span<const std::uint8_t> message, QueryOutcome outcome,
                  Duration answer_time) override {
        if (!log) return;
        record_answer(record, message, client.peer.address, client.tcp, outcome,
                      static_cast<std::uint32_t>(answer_time.count() / 1000), 1700000000000);
        log->append(record);
    }
    QueryLogRing* log = nullptr;
    QueryLogRecord record;
    std::size_t replies = 0, last_length = 0, query_len = 0;
    std::uint64_t token = 0;
    Endpoint server;
    std::uint8_t query[600];
};
}  // namespace

TEST_CASE("hit path: 1,000 cache hits allocate nothing, query log on") {
    CountingIo io;
    QueryLogRing ring(10000);
    io.log = &ring;
    PacketCache cache({.max_entries = 100}, 4);
    std::uint64_t n = 1;
    ResolverEngine engine(io, cache, [&] { return n++; });
    Endpoint up = *Endpoint::parse("192.0.2.1", 53);
    EngineSettings settings;
    settings.client_rate_limiter = std::make_shared<ClientRateLimiter>(100000, 100000);
    engine.configure(settings, {{"default", "", {up}, {wire(".")}, {}}}, {});
    HostsTable hosts;
    hosts.parse("192.0.2.10 nas\n", "hosts");
    auto zone = std::make_shared<LocalZone>(wire("lan"), true, 60);
    zone->add_hosts(hosts);
    engine.set_local_zone(zone);
    auto blocklist = std::make_shared<Blocklist>();
    blocklist->blocked().insert(wire("ads.example"));
    engine.set_blocklist(blocklist);  // the hit path pays for the blocklist check too
    engine.set_interfaces({{1, "lo", {*Prefix::parse("127.0.0.1/8")}}});
    ClientRef client{.peer = *Endpoint::parse("127.0.0.1:4000", 0), .ifindex = 1};
    TimePoint now(seconds(100));

    auto query = make_query("www.example.org", dns::type::A, {.edns_udp = 1232});
    engine.handle_query(query, client, now);
    QueryView sent;
    REQUIRE(parse_query({io.query, io.query_len}, sent) == QueryStatus::ok);
    ResponseSpec s{.qname = "www.example.org", .id = sent.id};
    s.answer = {{"www.example.org", dns::type::A, 3600, rdata_a("198.51.100.1")}};
    engine.handle_upstream_response(io.token, io.server, make_response(s), now);
    REQUIRE(io.replies == 1);
    engine.handle_query(query, client, now);  // warm every lazy static once
    REQUIRE(io.replies == 2);

    allocations = 0;
    counting = true;
    for (int i = 0; i < 1000; ++i) {
        query[0] = static_cast<std::uint8_t>(i);  // a new client ID each time
        std::uint8_t address[4] = {127, 0, 0, static_cast<std::uint8_t>(1 + i % 100)};
        client.peer.address = IpAddress::v4_bytes(address);  // 100 clients: the limiter's table fills
        engine.handle_query(query, client, now + milliseconds(i));
    }
    counting = false;
    CHECK(allocations == 0);
    CHECK(io.replies == 1002);
    CHECK(ring.appended() == 1002);  // every answer logged
    CHECK(engine.stats().cache_hits == 1001);
    CHECK(io.last_length > 40);
}

// A validated answer as the cache holds it: AD stored with the data and its
// RRSIG. DO clients and plain clients (who must not see AD, RFC 6840 5.8)
// alternate: none of it allocates.
TEST_CASE("hit path: secure answers with AD and RRSIGs allocate nothing, for DO and plain clients") {
    CountingIo io;
    PacketCache cache({.max_entries = 100}, 4);
    std::uint64_t n = 1;
    ResolverEngine engine(io, cache, [&] { return n++; });
    Endpoint up = *Endpoint::parse("192.0.2.1", 53);
    EngineSettings settings;
    engine.configure(settings, {{"default", "", {up}, {wire(".")}, {}}}, {});
    ClientRef client{.peer = *Endpoint::parse("127.0.0.1:4000", 0), .ifindex = 1};
    TimePoint now(seconds(100));

    auto with_do = make_query("www.example.org", dns::type::A, {.edns_udp = 1232, .dnssec_ok = true});
    auto plain = make_query("www.example.org", dns::type::A,
                            {.flags = dns::flag::RD | dns::flag::AD, .edns_udp = 1232});
    // One cache entry per DO bit: both filled from the upstream (AD set, an RRSIG for the DO one).
    for (auto* q : {&with_do, &plain}) {
        engine.handle_query(*q, client, now);
        QueryView sent;
        REQUIRE(parse_query({io.query, io.query_len}, sent) == QueryStatus::ok);
        ResponseSpec s{.qname = "www.example.org", .id = sent.id};
        s.extra_flags = dns::flag::AD;
        s.answer = {{"www.example.org", dns::type::A, 60, rdata_a("198.51.100.1")}};
        if (q == &with_do) s.answer.push_back({"www.example.org", dns::type::RRSIG, 60, Bytes(100, 7)});
        engine.handle_upstream_response(io.token, io.server, make_response(s), now);
    }
    REQUIRE(io.replies == 2);
    engine.handle_query(with_do, client, now);  // warm every lazy static once
    REQUIRE(io.replies == 3);

    allocations = 0;
    counting = true;
    for (int i = 0; i < 1000; ++i) {
        auto& q = i % 2 ? with_do : plain;
        q[0] = static_cast<std::uint8_t>(i);
        engine.handle_query(q, client, now + milliseconds(i));
    }
    counting = false;
    CHECK(allocations == 0);
    CHECK(io.replies == 1003);
    CHECK(engine.stats().cache_hits == 1001);
    CHECK(io.last_length > 100);  // the last query had DO: the RRSIG went with it
}

// The query log's writer runs on the hit path (issue 14): building a record
// from the query and the response sent, and appending it (wrapping a full
// ring, at every privacy level, across a minute boundary) allocates nothing.
#include "resolver/engine/query_log.h"

TEST_CASE("hit path: query log append allocates nothing") {
    QueryLog log(1000, 2);
    ResponseSpec s{.qname = "www.example.org"};
    s.answer = {{"www.example.org", dns::type::CNAME, 60, rdata_name("edge.cdn.example")},
                {"edge.cdn.example", dns::type::A, 60, rdata_a("198.51.100.1")}};
    auto response = make_response(s);
    auto qname = wire("www.example.org");
    auto long_name = wire(std::string(60, 'a') + "." + std::string(60, 'b') + ".example");
    IpAddress client = *IpAddress::parse("2001:db8::7");

    allocations = 0;
    counting = true;
    for (int i = 0; i < 4000; ++i) {
        log.set_privacy(static_cast<QueryLogPrivacy>(i / 1000));
        QueryLogRecord r;
        r.wall_ms = 1700000040000 + i * 100;  // 400 s: several minutes
        r.answer_us = 80;
        r.qtype = dns::type::A;
        r.outcome = static_cast<QueryOutcome>(i % kQueryOutcomeCount);
        r.set_name(i % 3 ? qname : long_name);
        r.set_client(client);
        summarize_answer(response, r);
        log.ring(static_cast<std::size_t>(i % 2)).append(r);
    }
    counting = false;
    CHECK(allocations == 0);
    CHECK(log.ring(0).appended() + log.ring(1).appended() == 3000);  // the last 1,000 with the log off
}
