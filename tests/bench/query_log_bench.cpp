// Micro-benchmarks of the query log (resolver/engine/query_log.h): the
// writer's append() on the hit path, and the web thread's reads over a full
// log of 100,000 records. Run: build/tests/lanlord_benchmarks "[querylog]"
#define CATCH_CONFIG_ENABLE_BENCHMARKING
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "resolver/engine/query_log.h"
#include "resolver/wire/dns_constants.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {

constexpr std::int64_t kBase = 1700000040000;
constexpr std::size_t kFull = 100000;

// 100,000 records over `rings` rings: 2,000 names, 50 clients, a query every 10 ms.
void fill(QueryLog& log) {
    std::vector<std::string> names;
    names.reserve(2000);
    for (int i = 0; i < 2000; ++i)
        names.push_back(wire("host" + std::to_string(i) + ".site" + std::to_string(i % 97) + ".example"));
    for (std::size_t i = 0; i < kFull; ++i) {
        QueryLogRecord r;
        r.wall_ms = kBase + static_cast<std::int64_t>(i) * 10;
        r.answer_us = 120;
        r.qtype = i % 3 ? dns::type::A : dns::type::AAAA;
        r.outcome = i % 10 == 0 ? QueryOutcome::blocked
                    : i % 4     ? QueryOutcome::cached
                                : QueryOutcome::forwarded;
        r.set_name(names[i * 7919 % names.size()]);
        std::uint8_t a[4] = {192, 168, 1, static_cast<std::uint8_t>(10 + i % 50)};
        r.set_client(IpAddress::v4_bytes(a));
        r.set_answer_address(IpAddress::v4(0xC6336401));
        log.ring(i % log.rings()).append(r);
    }
}

}  // namespace

TEST_CASE("bench: query log append", "[bench][querylog]") {
    QueryLog log(kFull, 1);
    QueryLogRecord r;
    r.wall_ms = kBase;
    r.qtype = dns::type::A;
    r.set_name(wire("www.example.org"));
    r.set_client(IpAddress::v4(0xC0A8010A));
    r.set_answer_address(IpAddress::v4(0xC6336401));
    for (std::size_t i = 0; i < kFull; ++i) log.ring(0).append(r);  // pages mapped, ring wrapped
    BENCHMARK("QueryLogRing::append (record built by the caller)") {
        ++r.wall_ms;
        log.ring(0).append(r);
        return r.wall_ms;
    };
    ResponseSpec s{.qname = "www.example.org"};
    s.answer = {{"www.example.org", dns::type::CNAME, 60, rdata_name("edge.cdn.example")},
                {"edge.cdn.example", dns::type::A, 60, rdata_a("198.51.100.7")}};
    auto response = make_response(s);
    auto qname = wire("www.example.org");
    BENCHMARK("build a record (name, client, summarize_answer of a CNAME + A answer) + append") {
        QueryLogRecord q;
        q.wall_ms = ++r.wall_ms;
        q.qtype = dns::type::A;
        q.set_name(qname);
        q.set_client(IpAddress::v4(0xC0A8010A));
        summarize_answer(response, q, dns::kHeaderSize + qname.size() + 4);  // the engine knows question_end
        log.ring(0).append(q);
        return q.answer_len;
    };
}

TEST_CASE("bench: query log reads over a full log", "[bench][querylog]") {
    QueryLog log(kFull, 2);
    fill(log);
    REQUIRE(log.newest({}, kFull).records.size() == kFull);
    BENCHMARK("newest 100, no filter") {
        return log.newest({}, 100).records.size();
    };
    BENCHMARK("newest 100, name contains (matches 1 in 2,000: whole log scanned)") {
        return log.newest({.name_contains = "host1234.site"}, 100).records.size();
    };
    BENCHMARK("newest 100, name suffix, client and outcome") {
        QueryLogFilter f{.client = *Prefix::parse("192.168.1.20"),
                         .name_suffix = wire("site5.example"),
                         .outcomes = 1u << static_cast<unsigned>(QueryOutcome::cached)};
        return log.newest(f, 100).records.size();
    };
    BENCHMARK("newest 100, no match (whole log scanned)") {
        return log.newest({.qtype = dns::type::MX}, 100).records.size();
    };
    BENCHMARK("per_minute, 24 h") {
        return log.per_minute(kBase + 1000000).size();
    };
    BENCHMARK("top_names 10, whole log") {
        return log.top_names({}, 10).size();
    };
    BENCHMARK("top_clients 10, whole log") {
        return log.top_clients({}, 10).size();
    };
}
