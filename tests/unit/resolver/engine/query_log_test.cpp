// Unit tests of the query log's storage (resolver/engine/query_log.h): the
// per-thread rings and their seqlock, the merged reads and their filters,
// privacy levels, names with any byte, truncation, per-minute counts, top
// lists, the answer summary, and a reader racing a writer (run it under
// LANLORD_TSAN too).
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "resolver/engine/query_log.h"
#include "resolver/wire/dns_constants.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {

constexpr std::int64_t kBase = 1700000040000;  // 2023-11-14 22:14 UTC, a whole minute

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

QueryLogRecord record(std::int64_t wall_ms, const std::string& name_text, const char* client = "192.0.2.10",
                      QueryOutcome outcome = QueryOutcome::cached, std::uint16_t qtype = dns::type::A) {
    QueryLogRecord r;
    r.wall_ms = wall_ms;
    r.answer_us = 250;
    r.qtype = qtype;
    r.outcome = outcome;
    r.set_name(wire(name_text));
    r.set_client(ip(client));
    return r;
}

// Wire form keeping the letter case (wire() lower-cases).
std::string raw(const std::string& text) {
    Bytes b;
    put_name_raw(b, text);
    return {b.begin(), b.end()};
}

std::vector<std::int64_t> times(const QueryLogPage& page) {
    std::vector<std::int64_t> t;
    for (const auto& r : page.records) t.push_back(r.wall_ms);
    return t;
}

std::uint32_t bit(QueryOutcome o) {
    return 1u << static_cast<unsigned>(o);
}

// A test record whose answer_us is a checksum of every other byte: a record
// mixed from two writes fails it.
std::uint32_t checksum(QueryLogRecord r) {
    r.answer_us = 0;
    std::uint32_t h = 2166136261u;
    const auto* p = reinterpret_cast<const std::uint8_t*>(&r);
    for (std::size_t i = 0; i < sizeof r; ++i) h = (h ^ p[i]) * 16777619u;
    return h;
}

QueryLogRecord checked_record(std::uint64_t i) {
    QueryLogRecord r;
    r.wall_ms = kBase + static_cast<std::int64_t>(i);
    r.qtype = static_cast<std::uint16_t>(i);
    r.outcome = static_cast<QueryOutcome>(i % kQueryOutcomeCount);
    std::string label(1 + i % 60, static_cast<char>('a' + i % 26));
    std::string name;
    name.push_back(static_cast<char>(label.size()));
    name += label;
    name.push_back(0);
    r.set_name(name);
    std::uint8_t a[16];
    for (std::size_t k = 0; k < 16; ++k) a[k] = static_cast<std::uint8_t>(i >> (k % 8 * 8));
    r.set_client(i % 2 ? IpAddress::v6_bytes(a) : IpAddress::v4_bytes(a));
    for (std::size_t k = 0; k < r.answer.size(); ++k) r.answer[k] = static_cast<std::uint8_t>(i * 7 + k);
    r.answer_len = static_cast<std::uint8_t>(r.answer.size());
    r.answer_us = checksum(r);
    return r;
}

}  // namespace

TEST_CASE("query log: a record comes back as it was appended", "[querylog]") {
    QueryLog log(100, 1);
    QueryLogRecord r =
        record(kBase + 1234, "www.example.org", "2001:db8::7", QueryOutcome::forwarded, dns::type::AAAA);
    r.answer_us = 123456;
    r.rcode = dns::rcode::NOERROR;
    r.flags |= query_log_flag::dnssec_ok | query_log_flag::authentic | query_log_flag::tcp;
    r.set_answer_address(ip("2001:db8::1"));
    r.answer_count = 3;
    log.ring(0).append(r);

    auto page = log.newest({}, 10);
    REQUIRE(page.records.size() == 1);
    const auto& got = page.records[0];
    CHECK(got == r);
    CHECK(got.name_view() == wire("www.example.org"));
    CHECK(query_log_name_text(got) == "www.example.org.");
    CHECK(got.client_address() == ip("2001:db8::7"));
    CHECK(got.answer_address() == ip("2001:db8::1"));
    CHECK(got.has(query_log_flag::authentic));
    CHECK_FALSE(got.has(query_log_flag::name_truncated));
    CHECK(page.skipped == 0);
    CHECK(log.ring(0).appended() == 1);

    // What filters read: the fields up to the name; the rest of `out` stays.
    QueryLogRecord head;
    head.answer.fill(0xEE);
    REQUIRE(log.ring(0).copy_head(0, head));
    CHECK(head.wall_ms == r.wall_ms);
    CHECK(head.client == r.client);
    CHECK(head.flags == r.flags);
    CHECK(head.name_view() == r.name_view());
    CHECK(head.answer[0] == 0xEE);
    CHECK_FALSE(log.ring(0).copy_head(1, head));
    CHECK(QueryLogFilter{.name_contains = "EXAMPLE.org."}.matches(r));
    CHECK_FALSE(QueryLogFilter{.qtype = dns::type::A}.matches(r));
    CHECK(to_string(QueryOutcome::forwarded) == "forwarded");
    CHECK(parse_query_outcome("blocked") == QueryOutcome::blocked);
    CHECK_FALSE(parse_query_outcome("Blocked"));
}

TEST_CASE("query log: a full ring keeps the newest records, newest first", "[querylog]") {
    QueryLog log(10, 1);
    for (int i = 0; i < 25; ++i) log.ring(0).append(record(kBase + i, "a.example"));
    auto page = log.newest({}, 100);
    CHECK(times(page) == std::vector<std::int64_t>{kBase + 24, kBase + 23, kBase + 22, kBase + 21, kBase + 20,
                                                   kBase + 19, kBase + 18, kBase + 17, kBase + 16,
                                                   kBase + 15});
    CHECK(page.complete_since_ms == kBase + 15);
    CHECK(times(log.newest({}, 3)) == std::vector<std::int64_t>{kBase + 24, kBase + 23, kBase + 22});
    CHECK(log.ring(0).appended() == 25);
    QueryLogRecord out;
    CHECK_FALSE(log.ring(0).copy(14, out));  // overwritten
    CHECK_FALSE(log.ring(0).copy(25, out));  // not yet written
    CHECK(log.ring(0).copy(15, out));
    CHECK(out.wall_ms == kBase + 15);
}

TEST_CASE("query log: the rings of several threads are read as one, by time", "[querylog]") {
    QueryLog log(30, 3);
    CHECK(log.rings() == 3);
    CHECK(log.capacity() == 30);
    // Ring i gets times i, i+3, i+6, ...; a record answered later sorts later.
    for (int t = 0; t < 24; ++t)
        log.ring(static_cast<std::size_t>(t % 3)).append(record(kBase + t, "x.example"));
    auto page = log.newest({}, 5);
    CHECK(times(page) ==
          std::vector<std::int64_t>{kBase + 23, kBase + 22, kBase + 21, kBase + 20, kBase + 19});
    CHECK(page.complete_since_ms == std::numeric_limits<std::int64_t>::min());  // none wrapped

    // Ring 0 busier: it wraps and loses its old records; the page says from when it is complete.
    for (int t = 24; t < 44; ++t) log.ring(0).append(record(kBase + t, "busy.example"));
    page = log.newest({}, 100);
    REQUIRE(page.records.size() == 26);  // ring 0 holds 10 of its 28, the others their 8
    CHECK(page.records.front().wall_ms == kBase + 43);
    CHECK(page.complete_since_ms == kBase + 34);
    for (std::size_t i = 1; i < page.records.size(); ++i)
        CHECK(page.records[i - 1].wall_ms > page.records[i].wall_ms);

    // Merged by the time the answer was sent: arrival plus answer time.
    QueryLog two(10, 2);
    auto slow = record(kBase + 100, "slow.example");
    slow.answer_us = 3000000;  // answered at +3.1 s
    auto fast = record(kBase + 2000, "fast.example");
    fast.answer_us = 100;  // answered at +2.0001 s
    two.ring(0).append(fast);
    two.ring(1).append(slow);
    auto merged = two.newest({}, 10);
    REQUIRE(merged.records.size() == 2);
    CHECK(merged.records[0].name_view() == wire("slow.example"));
}

TEST_CASE("query log: filters by client, name, type, outcome and time", "[querylog]") {
    QueryLog log(100, 2);
    log.ring(0).append(record(kBase + 1, "www.example.org", "192.0.2.10", QueryOutcome::cached));
    log.ring(1).append(record(kBase + 2, "ads.tracker.example", "192.0.2.11", QueryOutcome::blocked));
    log.ring(0).append(
        record(kBase + 3, "badexample.org", "2001:db8::5", QueryOutcome::forwarded, dns::type::AAAA));
    auto mail = record(kBase + 4, "mail.example.org", "2001:db8::6", QueryOutcome::recursive, dns::type::MX);
    mail.set_name(raw("Mail.Example.ORG"));  // stored as asked; filters ignore the case
    log.ring(1).append(mail);
    log.ring(0).append(record(kBase + 5, "example.org", "192.0.2.10", QueryOutcome::failed));

    auto find = [&](const QueryLogFilter& f) { return times(log.newest(f, 100)); };
    using T = std::vector<std::int64_t>;

    CHECK(find({}) == T{kBase + 5, kBase + 4, kBase + 3, kBase + 2, kBase + 1});
    CHECK(find({.client = *Prefix::parse("192.0.2.10")}) == T{kBase + 5, kBase + 1});
    CHECK(find({.client = *Prefix::parse("2001:db8::/64")}) == T{kBase + 4, kBase + 3});
    CHECK(find({.client = *Prefix::parse("198.51.100.0/24")}).empty());

    // Substring of the text form, any case, across label boundaries.
    CHECK(find({.name_contains = "ample.or"}) == T{kBase + 5, kBase + 4, kBase + 3, kBase + 1});
    CHECK(find({.name_contains = "MAIL.example"}) == T{kBase + 4});
    CHECK(find({.name_contains = "tracker"}) == T{kBase + 2});
    CHECK(find({.name_contains = "nothing-like-it"}).empty());
    // Suffix: label-wise, so badexample.org is not under example.org.
    CHECK(find({.name_suffix = wire("example.org")}) == T{kBase + 5, kBase + 4, kBase + 1});
    CHECK(find({.name_suffix = wire("org")}) == T{kBase + 5, kBase + 4, kBase + 3, kBase + 1});
    CHECK(find({.name_suffix = wire("www.example.org")}) == T{kBase + 1});
    CHECK(find({.name_suffix = raw("EXAMPLE.org")}) == T{kBase + 5, kBase + 4, kBase + 1});
    CHECK(log.newest({.qtype = dns::type::MX}, 1).records.at(0).name_view() == raw("Mail.Example.ORG"));
    CHECK(find({.name_suffix = wire(".")}).size() == 5);

    CHECK(find({.qtype = dns::type::AAAA}) == T{kBase + 3});
    CHECK(find({.outcomes = bit(QueryOutcome::blocked)}) == T{kBase + 2});
    CHECK(find({.outcomes = bit(QueryOutcome::forwarded) | bit(QueryOutcome::recursive)}) ==
          T{kBase + 4, kBase + 3});
    CHECK(find({.from_ms = kBase + 2, .to_ms = kBase + 4}) == T{kBase + 4, kBase + 3, kBase + 2});

    // All at once.
    CHECK(find({.client = *Prefix::parse("192.0.2.0/24"),
                .name_suffix = wire("example.org"),
                .qtype = dns::type::A,
                .outcomes = bit(QueryOutcome::failed),
                .from_ms = kBase + 5}) == T{kBase + 5});

    // The page stops at the limit, newest first, still filtered.
    CHECK(times(log.newest({.name_contains = "example"}, 2)) == T{kBase + 5, kBase + 4});
}

TEST_CASE("query log: privacy levels blank fields before they are stored", "[querylog]") {
    QueryLog log(100, 1);
    auto r = record(kBase, "secret.example", "192.0.2.44");
    r.set_answer_name(dns::type::CNAME, wire("secret.cdn.example"));
    r.answer_count = 2;

    SECTION("show all") {
        log.ring(0).append(r);
        CHECK(log.newest({}, 1).records.at(0) == r);
    }
    SECTION("hide names: the name and the answer are gone, the client stays") {
        log.set_privacy(QueryLogPrivacy::hide_names);
        CHECK(log.ring(0).privacy() == QueryLogPrivacy::hide_names);
        log.ring(0).append(r);
        auto got = log.newest({}, 1).records.at(0);
        CHECK(got.name_len == 0);
        CHECK(got.answer_len == 0);
        CHECK(got.name == decltype(got.name){});
        CHECK(got.answer == decltype(got.answer){});
        CHECK(got.has(query_log_flag::name_hidden));
        CHECK_FALSE(got.has(query_log_flag::client_hidden));
        CHECK(got.client_address() == ip("192.0.2.44"));
        CHECK(got.qtype == r.qtype);
        CHECK(got.outcome == r.outcome);
        CHECK(log.newest({.name_contains = "."}, 1).records.empty());
        CHECK(log.newest({.name_suffix = wire(".")}, 1).records.empty());
        CHECK(log.top_names({}, 10).empty());
        CHECK(log.top_clients({}, 10).size() == 1);
    }
    SECTION("hide clients: the client, and the name as Pi-hole's level 2") {
        log.set_privacy(QueryLogPrivacy::hide_clients);
        log.ring(0).append(r);
        auto got = log.newest({}, 1).records.at(0);
        CHECK_FALSE(got.client_address());
        CHECK(got.client == decltype(got.client){});
        CHECK(got.has(query_log_flag::client_hidden));
        CHECK(got.has(query_log_flag::name_hidden));
        CHECK(got.name_len == 0);
        CHECK(log.newest({.client = *Prefix::parse("0.0.0.0/0")}, 1).records.empty());
        CHECK(log.top_clients({}, 10).empty());
        CHECK(log.per_minute(kBase, 1).at(0).total() == 1);  // still counted
    }
    SECTION("off: nothing is stored or counted, until it is turned on again") {
        log.set_privacy(QueryLogPrivacy::off);
        log.ring(0).append(r);
        CHECK(log.ring(0).appended() == 0);
        CHECK(log.newest({}, 10).records.empty());
        CHECK(log.per_minute(kBase, 1).at(0).total() == 0);
        log.set_privacy(QueryLogPrivacy::show_all);
        log.ring(0).append(r);
        CHECK(log.newest({}, 10).records.size() == 1);
    }
}

TEST_CASE("query log: names with every byte value, angle brackets and quotes are kept exactly",
          "[querylog]") {
    QueryLog log(100, 1);
    std::vector<std::string> names;
    // Byte values 0x00-0xff, 32 to a name: two labels of 16.
    for (int k = 0; k < 8; ++k) {
        std::string n;
        for (int l = 0; l < 2; ++l) {
            n.push_back(16);
            for (int b = 0; b < 16; ++b) n.push_back(static_cast<char>(k * 32 + l * 16 + b));
        }
        n.push_back(0);
        names.push_back(n);
    }
    for (std::string label :
         {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"'`", "a.b\\c"}) {
        std::string n(1, static_cast<char>(label.size()));
        n += label;
        n += wire("example");
        names.push_back(n);
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        QueryLogRecord r;
        r.wall_ms = kBase + static_cast<std::int64_t>(i);
        r.set_name(names[i]);
        CHECK_FALSE(r.has(query_log_flag::name_truncated));
        log.ring(0).append(r);
    }
    auto page = log.newest({}, 100);
    REQUIRE(page.records.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
        CHECK(page.records[names.size() - 1 - i].name_view() == names[i]);

    // Filters see the text as name_to_text escapes it; HTML escaping is the page's job.
    CHECK(log.newest({.name_contains = "<script>"}, 10).records.size() == 1);
    CHECK(log.newest({.name_contains = "ONERROR"}, 10).records.size() == 1);
    CHECK(log.newest({.name_contains = "\"'`"}, 10).records.size() == 1);
    CHECK(log.newest({.name_contains = "a\\.b\\\\c"}, 10).records.size() == 1);
    CHECK(log.newest({.name_contains = "\\000\\001"}, 10).records.size() == 1);
    auto script = log.newest({.name_contains = "<script>"}, 1).records.at(0);
    CHECK(query_log_name_text(script) == "<script>alert(1)</script>.example.");
    for (const auto& n : names) CHECK(log.newest({.name_suffix = n}, 10).records.size() == 1);
}

TEST_CASE("query log: long names keep their last whole labels and are flagged", "[querylog]") {
    // A reverse IPv6 name (74 bytes) fits whole.
    std::string rev = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
    QueryLogRecord r;
    r.set_name(wire(rev));
    CHECK(r.name_len == 74);
    CHECK_FALSE(r.has(query_log_flag::name_truncated));

    // 96 bytes fit, 97 do not.
    std::string l60(60, 'a'), l33(33, 'b'), l34(34, 'b');
    r.set_name(wire(l60 + "." + l33));  // 1+60+1+33+1 = 96
    CHECK(r.name_len == 96);
    CHECK_FALSE(r.has(query_log_flag::name_truncated));
    r.set_name(wire(l60 + "." + l34));  // 97: the 60-byte label goes
    CHECK(r.has(query_log_flag::name_truncated));
    CHECK(r.name_view() == wire(l34));

    // A name of 253 characters: what is kept is its tail, at a label boundary.
    std::string label(40, 'x'), long_text;
    for (int i = 0; i < 5; ++i) long_text += label + std::to_string(i) + ".";
    long_text += "tracker.example";
    std::string long_wire = wire(long_text);
    r.set_name(long_wire);
    CHECK(r.has(query_log_flag::name_truncated));
    CHECK(r.name_len <= QueryLogRecord::kNameCapacity);
    CHECK(long_wire.ends_with(r.name_view()));
    CHECK(r.name_view() == wire(label + "4.tracker.example"));  // with label 3 it would be 101

    // Setting a short name clears the flag again.
    r.set_name(wire("short.example"));
    CHECK_FALSE(r.has(query_log_flag::name_truncated));

    // Suffix filters still work on what was kept; a longer suffix cannot match.
    QueryLog log(10, 1);
    QueryLogRecord t;
    t.set_name(long_wire);
    log.ring(0).append(t);
    CHECK(log.newest({.name_suffix = wire("tracker.example")}, 1).records.size() == 1);
    CHECK(log.newest({.name_suffix = wire(label + "4.tracker.example")}, 1).records.size() == 1);
    CHECK(log.newest({.name_suffix = long_wire}, 1).records.empty());
    CHECK(log.newest({.name_contains = "xx4.tracker"}, 1).records.size() == 1);

    // The answer's name likewise, in 48 bytes.
    QueryLogRecord a;
    a.set_answer_name(dns::type::CNAME, wire(std::string(30, 'c') + "." + std::string(20, 'd') + ".example"));
    CHECK(a.has(query_log_flag::answer_truncated));
    CHECK(a.answer_type == dns::type::CNAME);
    CHECK(std::string_view(reinterpret_cast<const char*>(a.answer.data()), a.answer_len) ==
          wire(std::string(20, 'd') + ".example"));
}

TEST_CASE("query log: per-minute counts by outcome over 24 hours", "[querylog]") {
    QueryLog log(1000, 2);
    const std::int64_t minute = kBase / 60000;
    auto at = [](std::int64_t minutes_after, int second) {
        return kBase + minutes_after * 60000 + second * 1000;
    };
    log.ring(0).append(record(at(0, 0), "a.example", "192.0.2.1", QueryOutcome::cached));
    log.ring(1).append(record(at(0, 59), "a.example", "192.0.2.1", QueryOutcome::cached));
    log.ring(1).append(record(at(0, 30), "b.example", "192.0.2.1", QueryOutcome::blocked));
    log.ring(0).append(record(at(2, 1), "c.example", "192.0.2.1", QueryOutcome::forwarded));
    log.ring(0).append(record(at(2, 2), "c.example", "192.0.2.1", QueryOutcome::forwarded));
    log.ring(0).append(record(at(2, 3), "d.example", "192.0.2.1", QueryOutcome::failed));

    auto series = log.per_minute(at(3, 10), 5);  // minutes -1 .. 3
    REQUIRE(series.size() == 5);
    CHECK(series[0].minute == minute - 1);
    CHECK(series[4].minute == minute + 3);
    auto n = [&](std::size_t i, QueryOutcome o) { return series[i].by_outcome[static_cast<std::size_t>(o)]; };
    CHECK(series[0].total() == 0);
    CHECK(n(1, QueryOutcome::cached) == 2);  // both rings
    CHECK(n(1, QueryOutcome::blocked) == 1);
    CHECK(series[1].total() == 3);
    CHECK(series[2].total() == 0);
    CHECK(n(3, QueryOutcome::forwarded) == 2);
    CHECK(n(3, QueryOutcome::failed) == 1);
    CHECK(series[4].total() == 0);
    CHECK(log.per_minute(at(3, 10)).size() == 1440);
    CHECK(log.per_minute(at(3, 10), 100000).size() == 1440);

    // A day later the same buckets are reused: yesterday's counts are gone, and
    // asking for yesterday's minute after that finds nothing.
    log.ring(0).append(record(at(1440, 5), "a.example", "192.0.2.1", QueryOutcome::local));
    auto today = log.per_minute(at(1440, 5), 1).at(0);
    CHECK(today.total() == 1);
    CHECK(today.by_outcome[static_cast<std::size_t>(QueryOutcome::local)] == 1);
    auto yesterday = log.per_minute(at(0, 5), 1).at(0);
    CHECK(yesterday.by_outcome[static_cast<std::size_t>(QueryOutcome::cached)] == 1);  // ring 1's, untouched
    CHECK(yesterday.total() == 2);
    // The bucket of minute 1442 still holds minute 2's counts: not counted for 1442.
    CHECK(log.per_minute(at(1442, 30), 1).at(0).total() == 0);
    CHECK(log.per_minute(at(2, 30), 1).at(0).total() == 3);

    // An outcome out of range is counted and stored as failed.
    QueryLog odd(10, 1);
    auto bad = record(kBase, "x.example");
    bad.outcome = static_cast<QueryOutcome>(200);
    odd.ring(0).append(bad);
    CHECK(odd.newest({}, 1).records.at(0).outcome == QueryOutcome::failed);
    CHECK(odd.per_minute(kBase, 1).at(0).by_outcome[static_cast<std::size_t>(QueryOutcome::failed)] == 1);
}

TEST_CASE("query log: top names and clients are counted from the rings", "[querylog]") {
    QueryLog log(1000, 2);
    int t = 0;
    auto add = [&](const char* name, const char* client, QueryOutcome o, int times) {
        for (int i = 0; i < times; ++i, ++t)
            log.ring(static_cast<std::size_t>(t % 2)).append(record(kBase + t, name, client, o));
    };
    add("a.example", "192.0.2.1", QueryOutcome::cached, 5);
    add("b.example", "192.0.2.2", QueryOutcome::forwarded, 3);
    add("ads.example", "192.0.2.2", QueryOutcome::blocked, 4);
    add("c.example", "2001:db8::1", QueryOutcome::cached, 1);
    add("more-ads.example", "2001:db8::1", QueryOutcome::blocked, 2);

    auto names = log.top_names({}, 3);
    REQUIRE(names.size() == 3);
    CHECK(names[0].name == wire("a.example"));
    CHECK(names[0].count == 5);
    CHECK(names[1].name == wire("ads.example"));
    CHECK(names[2].name == wire("b.example"));
    CHECK_FALSE(names[0].truncated);

    auto blocked = log.top_names({.outcomes = bit(QueryOutcome::blocked)}, 10);
    REQUIRE(blocked.size() == 2);
    CHECK(blocked[0].name == wire("ads.example"));
    CHECK(blocked[1].name == wire("more-ads.example"));
    CHECK(blocked[1].count == 2);

    auto clients = log.top_clients({}, 10);
    REQUIRE(clients.size() == 3);
    CHECK(clients[0].client == ip("192.0.2.2"));
    CHECK(clients[0].count == 7);
    CHECK(clients[1].client == ip("192.0.2.1"));
    CHECK(clients[2].client == ip("2001:db8::1"));
    CHECK(clients[2].count == 3);

    auto ties = log.top_clients({.name_suffix = wire("c.example")}, 10);
    REQUIRE(ties.size() == 1);
    CHECK(ties[0].client == ip("2001:db8::1"));
    CHECK(log.top_names({}, 0).empty());

    // The dashboard's one pass gives the same three lists.
    QueryLogTops tops = log.tops(3);
    CHECK(tops.names.size() == 3);
    CHECK(tops.names[0].name == names[0].name);
    CHECK(tops.names[2].count == names[2].count);
    REQUIRE(tops.blocked_names.size() == 2);
    CHECK(tops.blocked_names[1].name == blocked[1].name);
    CHECK(tops.blocked_names[1].count == 2);
    REQUIRE(tops.clients.size() == 3);
    CHECK(tops.clients[0].client == clients[0].client);
    CHECK(tops.clients[0].count == 7);
}

TEST_CASE("query log: the answer summary is read from the response sent", "[querylog]") {
    QueryLogRecord r;
    SECTION("an address behind a CNAME: the address") {
        ResponseSpec s{.qname = "www.example.org"};
        s.extra_flags |= dns::flag::AD;
        s.answer = {{"www.example.org", dns::type::CNAME, 60, rdata_name("edge.cdn.example")},
                    {"edge.cdn.example", dns::type::A, 60, rdata_a("198.51.100.7")}};
        summarize_answer(make_response(s), r);
        CHECK(r.answer_type == dns::type::A);
        CHECK(r.answer_address() == ip("198.51.100.7"));
        CHECK(r.answer_count == 2);
        CHECK(r.rcode == dns::rcode::NOERROR);
        CHECK(r.has(query_log_flag::authentic));
        QueryLogRecord same;  // told where the answer section starts (after the question)
        summarize_answer(make_response(s), same, dns::kHeaderSize + wire("www.example.org").size() + 4);
        CHECK(same == r);
        QueryLogRecord beyond;
        summarize_answer(make_response(s), beyond, 100000);
        CHECK(beyond.answer_type == 0);
    }
    SECTION("AAAA") {
        ResponseSpec s{.qname = "v6.example", .qtype = dns::type::AAAA};
        s.answer = {{"v6.example", dns::type::AAAA, 60, rdata_a("2001:db8::53")}};
        summarize_answer(make_response(s), r);
        CHECK(r.answer_address() == ip("2001:db8::53"));
        CHECK_FALSE(r.has(query_log_flag::authentic));
    }
    SECTION("a CNAME alone: its target") {
        ResponseSpec s{.qname = "www.example.org"};
        s.answer = {{"www.example.org", dns::type::CNAME, 60, rdata_name("Edge.CDN.example")}};
        summarize_answer(make_response(s), r);
        CHECK(r.answer_type == dns::type::CNAME);
        CHECK(r.answer_data().size() == wire("edge.cdn.example").size());
        CHECK_FALSE(r.answer_address());
    }
    SECTION("a compressed PTR target is decompressed") {
        auto msg = make_response({.qname = "10.2.0.192.in-addr.arpa", .qtype = dns::type::PTR, .opt = false});
        msg[7] = 1;  // ANCOUNT
        // Owner: a pointer to the question; target: "nas" and a pointer to the
        // question's "in-addr.arpa" (offset 12 + 3 + 2 + 2 + 4 = 23).
        const std::uint8_t rr[] = {0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 6, 3, 'n', 'a', 's', 0xC0, 23};
        msg.insert(msg.end(), std::begin(rr), std::end(rr));
        summarize_answer(msg, r);
        CHECK(r.answer_type == dns::type::PTR);
        CHECK(std::string_view(reinterpret_cast<const char*>(r.answer.data()), r.answer_len) ==
              wire("nas.in-addr.arpa"));
    }
    SECTION("NXDOMAIN: no answer, the rcode") {
        ResponseSpec s{.qname = "nope.example", .rcode = dns::rcode::NXDOMAIN};
        s.authority = {{"example", dns::type::SOA, 60, rdata_soa(60)}};
        summarize_answer(make_response(s), r);
        CHECK(r.answer_type == 0);
        CHECK(r.answer_len == 0);
        CHECK(r.answer_count == 0);
        CHECK(r.rcode == dns::rcode::NXDOMAIN);
    }
    SECTION("another type: only the type") {
        ResponseSpec s{.qname = "t.example", .qtype = dns::type::TXT};
        s.answer = {{"t.example", dns::type::TXT, 60, rdata_txt(10)}};
        summarize_answer(make_response(s), r);
        CHECK(r.answer_type == dns::type::TXT);
        CHECK(r.answer_len == 0);
    }
    SECTION("malformed and cut messages are read as far as they go") {
        ResponseSpec s{.qname = "www.example.org"};
        s.answer = {{"www.example.org", dns::type::A, 60, rdata_a("198.51.100.7")}};
        auto msg = make_response(s);
        for (std::size_t len = 0; len < msg.size(); ++len) {
            summarize_answer(std::span(msg.data(), len), r);
            CHECK(r.answer_len <= r.answer.size());
        }
        msg[7] = 200;  // ANCOUNT beyond the message
        summarize_answer(msg, r);
        CHECK(r.answer_address() == ip("198.51.100.7"));
        CHECK(r.answer_count == 200);
    }
}

// The seqlock: a reader copying while the writer overwrites never returns a
// torn record. The ring is small, so the writer laps the reader constantly.
TEST_CASE("query log: a reader racing a writer of 1,000,000 records never sees a torn record", "[querylog]") {
    QueryLog log(512, 2);
    std::atomic<bool> done{false};
    std::uint64_t reads = 0, records = 0, bad = 0, out_of_order = 0, skipped = 0;
    std::thread reader([&] {
        while (!done.load(std::memory_order_acquire)) {
            auto page = log.newest({}, 300);
            ++reads;
            for (std::size_t i = 0; i < page.records.size(); ++i) {
                const auto& r = page.records[i];
                if (checksum(r) != r.answer_us) ++bad;
                if (i > 0 && page.records[i - 1].wall_ms <= r.wall_ms) ++out_of_order;
                ++records;
            }
            auto filtered = log.newest({.outcomes = bit(QueryOutcome::blocked)}, 50);
            for (const auto& r : filtered.records)
                if (checksum(r) != r.answer_us || r.outcome != QueryOutcome::blocked) ++bad;
            skipped += page.skipped;
            // The oldest records: the slots the writer is overwriting right now.
            const QueryLogRing& ring = log.ring(0);
            for (int k = 0; k < 50; ++k) {
                std::uint64_t n = ring.appended();
                if (n < ring.capacity()) break;
                QueryLogRecord r;
                for (std::uint64_t i = n - ring.capacity(); i < n - ring.capacity() + 16; ++i) {
                    if (!ring.copy(i, r)) {
                        ++skipped;
                        continue;
                    }
                    if (checksum(r) != r.answer_us || r.wall_ms != kBase + static_cast<std::int64_t>(i))
                        ++bad;
                    ++records;
                }
            }
            (void)log.per_minute(kBase + 1000000, 30);
            (void)log.top_names({}, 5);
        }
    });
    std::thread writer([&] {
        for (std::uint64_t i = 0; i < 1000000; ++i) log.ring(0).append(checked_record(i));
        done.store(true, std::memory_order_release);
    });
    writer.join();
    reader.join();
    CHECK(bad == 0);
    CHECK(out_of_order == 0);
    CHECK(reads > 0);
    CHECK(records > 0);
    CHECK(log.ring(0).appended() == 1000000);
    auto last = log.newest({}, 256);
    REQUIRE(last.records.size() == 256);
    CHECK(last.records[0] == checked_record(999999));
    CHECK(last.records[255] == checked_record(999999 - 255));
    std::uint64_t counted = 0;
    for (const auto& m : log.per_minute(kBase + 1000000, 30)) counted += m.total();
    CHECK(counted == 1000000);  // 1,000,000 ms: minutes 0 to 16
    WARN("reads " << reads << ", records checked " << records << ", skipped as overwritten " << skipped);
}
