// The query log's outcomes (issue 14): every place the engine answers names
// how it answered, and the time since the query arrived, through
// EngineIo::answered; the record built from the sent message carries the
// question, the client and a summary of the answer.
#include <catch2/catch.hpp>

#include "resolver/engine/query_log.h"
#include "resolver/engine/resolver_engine.h"
#include "support/dns_builder.h"
#include "support/engine_harness.h"

using namespace lanlord;
using namespace lanlord::test;

TEST_CASE("query log: forwarded, then cached, with the time since the query arrived") {
    Harness h;
    h.ask("www.example.org", dns::type::A, {.id = 1});
    h.now += milliseconds(40);
    h.respond(0, {a_record("www.example.org", 300)});
    h.ask("www.example.org", dns::type::A, {.id = 2});
    REQUIRE(h.io.outcomes == std::vector<QueryOutcome>{QueryOutcome::forwarded, QueryOutcome::cached});
    CHECK(h.io.answer_times[0] == milliseconds(40));
    CHECK(h.io.answer_times[1] == Duration::zero());
    // The logged message is the one sent.
    CHECK(h.io.logged[0] == h.io.answers[0].bytes);

    QueryLogRecord r;
    record_answer(r, h.io.logged[0], *IpAddress::parse("192.0.2.33"), false, h.io.outcomes[0], 40000, 1000);
    CHECK(query_log_name_text(r) == "www.example.org.");
    CHECK(r.qtype == dns::type::A);
    CHECK(r.outcome == QueryOutcome::forwarded);
    CHECK(r.answer_us == 40000);
    CHECK(r.wall_ms == 1000);
    REQUIRE(r.answer_address());
    CHECK(r.answer_address()->to_string() == "198.51.100.7");
    CHECK(r.client_address()->to_string() == "192.0.2.33");
    CHECK(r.answer_count == 1);
}

TEST_CASE("query log: local, blocked (both lists), refused, invalid") {
    Harness h;
    auto zone = std::make_shared<LocalZone>(wire("lan"), true, 60);
    zone->add_address(wire("nas.lan"), *IpAddress::parse("192.168.1.2"), true);
    h.engine.set_local_zone(zone);
    auto list = std::make_shared<Blocklist>();
    list->blocked().insert(wire("ads.example"));
    h.engine.set_blocklist(list);
    h.ask("nas.lan");
    h.ask("x.ads.example");
    h.ask("nothing.lan");  // NXDOMAIN inside the local domain: local too
    auto formerr = make_query("x.example", dns::type::A);
    formerr[5] = 2;  // two questions
    h.engine.handle_query(formerr, h.client, h.now);
    h.ask("zone.example", dns::type::AXFR);
    CHECK(h.io.outcomes == std::vector<QueryOutcome>{QueryOutcome::local, QueryOutcome::blocked,
                                                     QueryOutcome::local, QueryOutcome::invalid,
                                                     QueryOutcome::refused});

    // The page's lists sit above the blocklist: allowed wins, blocked blocks.
    auto page = std::make_shared<Blocklist>();
    page->allowed().insert(wire("x.ads.example"));
    page->blocked().insert(wire("tracker.example"));
    h.engine.set_page_lists(page);
    h.io.outcomes.clear();
    h.ask("x.ads.example");      // allowed by the page: forwarded
    h.ask("y.ads.example");      // still blocked by the list
    h.ask("a.tracker.example");  // blocked by the page
    CHECK(h.io.outcomes == std::vector<QueryOutcome>{QueryOutcome::blocked, QueryOutcome::blocked});
    REQUIRE(h.io.sent.size() == 1);
    CHECK(name_to_text(h.io.sent[0].view().name()) == "x.ads.example.");
    h.respond(0, {a_record("x.ads.example", 60)});
    CHECK(h.io.outcomes.back() == QueryOutcome::forwarded);
}

TEST_CASE("query log: a name cached before the page blocks it is blocked at its next hit") {
    Harness h;
    h.ask("later.example");
    h.respond(0, {a_record("later.example", 300)});
    auto page = std::make_shared<Blocklist>();
    page->blocked().insert(wire("later.example"));
    h.engine.set_page_lists(page);
    h.ask("later.example");
    CHECK(h.io.outcomes.back() == QueryOutcome::blocked);
    CHECK(h.io.answers.back().rcode() == dns::rcode::NXDOMAIN);
    h.engine.set_page_lists(nullptr);  // removed from the page: forwarded again (the cached copy was dropped)
    h.ask("later.example");
    CHECK(h.io.sent.size() == 2);
}

TEST_CASE("query log: failed after every upstream, stale when RFC 8767 allows") {
    Harness h;
    h.ask("gone.example");
    h.advance(seconds(4));  // past upstream_timeout (3 s): SERVFAIL
    REQUIRE_FALSE(h.io.outcomes.empty());
    CHECK(h.io.outcomes.back() == QueryOutcome::failed);
    CHECK(h.io.answer_times.back() >= seconds(3));

    Harness s;
    s.ask("old.example");
    s.respond(0, {a_record("old.example", 10)});
    s.advance(seconds(20));  // expired
    s.ask("old.example");
    s.advance(seconds(4));  // every upstream silent: the stale answer
    CHECK(s.io.outcomes.back() == QueryOutcome::stale);
    s.ask("old.example");  // within the stale hold: stale from the cache at once
    CHECK(s.io.outcomes.back() == QueryOutcome::stale);
}

TEST_CASE("query log: a query over the client's rate is logged as dropped, with the query itself") {
    EngineSettings settings;
    settings.client_rate_limiter = std::make_shared<ClientRateLimiter>(1, 1);
    Harness h({{"default", "", {ep("192.0.2.1")}, {wire(".")}, {}}}, settings);
    auto zone = std::make_shared<LocalZone>(wire("lan"), true, 60);
    zone->add_address(wire("nas.lan"), *IpAddress::parse("192.168.1.2"), true);
    h.engine.set_local_zone(zone);
    h.ask("nas.lan");
    h.ask("nas.lan");
    REQUIRE(h.io.outcomes.size() == 2);
    CHECK(h.io.outcomes[1] == QueryOutcome::dropped);
    CHECK(h.io.answers.size() == 1);  // nothing was sent for it
    QueryLogRecord r;
    record_answer(r, h.io.logged[1], *IpAddress::parse("127.0.0.1"), false, QueryOutcome::dropped, 0, 5);
    CHECK(query_log_name_text(r) == "nas.lan.");
    CHECK(r.answer_count == 0);
    CHECK(r.rcode == 0);
}

TEST_CASE("query log: record_answer survives hostile messages") {
    QueryLogRecord r;
    const IpAddress client = *IpAddress::parse("192.0.2.1");
    for (std::size_t len = 0; len < 40; ++len) {
        Bytes junk(len, 0xC0);  // pointers everywhere
        record_answer(r, junk, client, true, QueryOutcome::failed, 1, 2);
        CHECK(r.has(query_log_flag::tcp));
    }
    Bytes q = make_query("a.example", dns::type::AAAA);
    q.resize(q.size() - 2);  // question cut inside its class
    record_answer(r, q, client, false, QueryOutcome::failed, 1, 2);
    CHECK(r.name_len == 0);
}
