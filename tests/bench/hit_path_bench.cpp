// Micro-benchmarks of the cache-hit path (the path most queries take): query parse, cache lookup
// and the whole engine on a hit. Run: build/tests/lanlord_benchmarks
// (CTest runs it once with few samples, label "bench", to keep it working;
// the figures are for people, never asserted).
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include "resolver/cache/cache_key.h"
#include "resolver/engine/query_log.h"
#include "resolver/engine/resolver_engine.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
class NullIo : public EngineIo {
  public:
    void reply(const ClientRef&, std::span<const std::uint8_t> answer) override { last = answer.size(); }
    void send_upstream(const UpstreamRequest& r) override {
        token = r.token;
        server = r.server;
        query.assign(r.query.begin(), r.query.end());
    }
    void close_upstream(std::uint64_t) override {}
    // With a ring: what DnsService::answered does with the query log on (a
    // steady and a wall clock read, the record, the append).
    void answered(const ClientRef& client, std::span<const std::uint8_t> message, QueryOutcome outcome,
                  Duration answer_time) override {
        if (!log) return;
        answer_time += Clock::now() - TimePoint(seconds(100));
        auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
        record_answer(record, message, client.peer.address, client.tcp, outcome,
                      static_cast<std::uint32_t>(answer_time.count() / 1000), wall);
        log->append(record);
    }
    QueryLogRing* log = nullptr;
    QueryLogRecord record;
    std::size_t last = 0;
    std::uint64_t token = 0;
    Endpoint server;
    std::vector<std::uint8_t> query;
};
}  // namespace

TEST_CASE("bench: query parse", "[bench]") {
    auto query = make_query("www.example.org", dns::type::A, {.edns_udp = 1232});
    QueryView q;
    REQUIRE(parse_query(query, q) == QueryStatus::ok);
    BENCHMARK("parse_query (EDNS, 3 labels)") {
        return parse_query(query, q);
    };
}

TEST_CASE("bench: cache lookup", "[bench]") {
    PacketCache cache({.max_entries = 100000}, 16);
    TimePoint now(seconds(100));
    for (int i = 0; i < 10000; ++i) {
        std::string name = "h" + std::to_string(i) + ".bench.example";
        ResponseSpec s{.qname = name};
        s.answer = {{name, dns::type::A, 3600, rdata_a("192.0.2.1")}};
        ScannedResponse r;
        scan_response(make_response(s), wire(name), dns::type::A, dns::kClassIN, {}, r);
        cache.insert(CacheKey(wire(name), 1, 1, false, false, 0).view(), r.stored, r.ttl_offsets, r.lifetime,
                     now);
    }
    std::vector<std::uint8_t> out(4096);
    std::string name = wire("h4242.bench.example");
    REQUIRE(cache.lookup(CacheKey(name, 1, 1, false, false, 0).view(), now, out, true).state ==
            CacheState::fresh);
    BENCHMARK("PacketCache::lookup (key build + copy + TTL patch)") {
        CacheKey key(name, 1, 1, false, false, 0);
        return cache.lookup(key.view(), now + seconds(5), out, true).length;
    };
}

TEST_CASE("bench: whole engine on a cache hit", "[bench]") {
    NullIo io;
    PacketCache cache({.max_entries = 1000}, 16);
    std::uint64_t n = 1;
    ResolverEngine engine(io, cache, [&] { return n++; });
    engine.configure({}, {{"default", "", {*Endpoint::parse("192.0.2.1", 53)}, {wire(".")}, {}}}, {});
    ClientRef client{.peer = *Endpoint::parse("127.0.0.1:4000", 0)};
    TimePoint now(seconds(100));
    auto query = make_query("www.example.org", dns::type::A, {.edns_udp = 1232});
    engine.handle_query(query, client, now);
    QueryView sent;
    REQUIRE(parse_query(io.query, sent) == QueryStatus::ok);
    ResponseSpec s{.qname = "www.example.org", .id = sent.id};
    s.answer = {{"www.example.org", dns::type::A, 3600, rdata_a("198.51.100.1")}};
    engine.handle_upstream_response(io.token, io.server, make_response(s), now);
    REQUIRE(io.last > 0);
    BENCHMARK("ResolverEngine::handle_query, cache hit (query log off)") {
        engine.handle_query(query, client, now);
        return io.last;
    };
    QueryLogRing ring(100000);
    io.log = &ring;
    BENCHMARK("ResolverEngine::handle_query, cache hit, query log on (as the daemon logs it)") {
        engine.handle_query(query, client, now);
        return io.last;
    };
}
