#include <catch2/catch.hpp>

#include <functional>
#include <thread>
#include <vector>

#include "resolver/recursion/record_cache.h"
#include "support/dns_builder.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
namespace t = dns::type;

const TimePoint kT0 = TimePoint{} + seconds(10000);

Bytes blob_of(std::initializer_list<Bytes> rdatas) {
    Bytes blob;
    for (const Bytes& r : rdatas) append_blob_record(blob, r);
    return blob;
}

std::vector<Bytes> records_of(const CachedEntry& e) {
    std::vector<Bytes> out;
    for_each_blob_record(std::span<const std::uint8_t>(e.rdata),
                         [&](std::span<const std::uint8_t> r) { out.emplace_back(r.begin(), r.end()); });
    return out;
}

bool store_a(RecordCache& cache, const std::string& name, const char* addr, std::uint32_t ttl, Trust trust,
             TimePoint now, std::uint16_t type = t::A) {
    Bytes blob = blob_of({rdata_a(addr)});
    return cache.store_rrset(wire(name), type, ttl, trust, blob, 1, now);
}

// The address of a one-record A entry, or "" when there is none.
std::string a_of(const RecordCache& cache, const std::string& name, TimePoint now,
                 std::uint16_t type = t::A) {
    CachedEntry e;
    if (!cache.lookup(wire(name), type, now, e) || e.kind != EntryKind::rrset) return "";
    auto recs = records_of(e);
    if (recs.size() != 1 || recs[0].size() != 4) return "?";
    return IpAddress::v4_bytes(recs[0].data()).to_string();
}
}  // namespace

TEST_CASE("record_cache: an RRset comes back with its records and rank, its TTL counting down",
          "[recursion]") {
    RecordCache cache;
    Bytes blob = blob_of({rdata_a("192.0.2.1"), rdata_a("192.0.2.2")});
    REQUIRE(cache.store_rrset(wire("www.example.org"), t::A, 300, Trust::answer_auth, blob, 2, kT0));

    CachedEntry e;
    REQUIRE(cache.lookup(wire("www.example.org"), t::A, kT0, e));
    CHECK(e.kind == EntryKind::rrset);
    CHECK(e.trust == Trust::answer_auth);
    CHECK(e.count == 2);
    CHECK(e.ttl == 300);
    CHECK(e.rdata == blob);
    auto recs = records_of(e);
    REQUIRE(recs.size() == 2);
    CHECK(recs[0] == rdata_a("192.0.2.1"));
    CHECK(recs[1] == rdata_a("192.0.2.2"));

    REQUIRE(cache.lookup(wire("www.example.org"), t::A, kT0 + seconds(100), e));
    CHECK(e.ttl == 200);
    REQUIRE(cache.lookup(wire("www.example.org"), t::A, kT0 + seconds(299), e));
    CHECK(e.ttl == 1);
    CHECK_FALSE(cache.lookup(wire("www.example.org"), t::A, kT0 + seconds(300), e));
    // Other types and names are other keys.
    CHECK_FALSE(cache.lookup(wire("www.example.org"), t::AAAA, kT0, e));
    CHECK_FALSE(cache.lookup(wire("example.org"), t::A, kT0, e));
    // An RRset without records is not stored.
    CHECK_FALSE(cache.store_rrset(wire("empty.example.org"), t::A, 300, Trust::answer_auth, {}, 0, kT0));
    CHECK_FALSE(cache.lookup(wire("empty.example.org"), t::A, kT0, e));
    CHECK(cache.stats().entries == 1);
    CHECK(cache.stats().inserts == 1);
}

TEST_CASE("record_cache: RFC 2181 5.4.1 ranks decide which data stays", "[recursion]") {
    RecordCache cache;
    const std::string n = "www.example.org";
    REQUIRE(store_a(cache, n, "192.0.2.1", 300, Trust::answer_auth, kT0));

    // Lower ranks never replace live higher-ranked data (glue, referral, non-AA answer).
    CHECK_FALSE(store_a(cache, n, "203.0.113.66", 300, Trust::additional, kT0 + seconds(1)));
    CHECK_FALSE(store_a(cache, n, "203.0.113.66", 300, Trust::referral, kT0 + seconds(1)));
    CHECK_FALSE(store_a(cache, n, "203.0.113.66", 300, Trust::answer_nonauth, kT0 + seconds(1)));
    CHECK_FALSE(store_a(cache, n, "203.0.113.66", 300, Trust::authority_auth, kT0 + seconds(1)));
    CHECK(cache.stats().rejected_rank == 4);
    CHECK(a_of(cache, n, kT0 + seconds(2)) == "192.0.2.1");

    // Equal rank replaces (fresh data from the same kind of source).
    CHECK(store_a(cache, n, "192.0.2.2", 600, Trust::answer_auth, kT0 + seconds(10)));
    CachedEntry e;
    REQUIRE(cache.lookup(wire(n), t::A, kT0 + seconds(10), e));
    CHECK(a_of(cache, n, kT0 + seconds(10)) == "192.0.2.2");
    CHECK(e.ttl == 600);

    // Once expired, anything replaces it.
    CHECK(store_a(cache, n, "198.51.100.7", 60, Trust::additional, kT0 + seconds(610)));
    REQUIRE(cache.lookup(wire(n), t::A, kT0 + seconds(610), e));
    CHECK(e.trust == Trust::additional);
    CHECK_FALSE(usable_as_answer(e.trust));

    // Higher ranks replace lower ones.
    CHECK(store_a(cache, n, "192.0.2.3", 60, Trust::answer_nonauth, kT0 + seconds(611)));
    REQUIRE(cache.lookup(wire(n), t::A, kT0 + seconds(611), e));
    CHECK(e.trust == Trust::answer_nonauth);
    CHECK(usable_as_answer(e.trust));
    CHECK(a_of(cache, n, kT0 + seconds(611)) == "192.0.2.3");
}

TEST_CASE("record_cache: a live negative entry of higher rank keeps its place", "[recursion]") {
    RecordCache cache;
    Bytes soa = rdata_soa(300);
    REQUIRE(cache.store_negative(wire("www.example.org"), t::AAAA, false, 300, Trust::authority_auth,
                                 wire("example.org"), soa, kT0));
    CHECK_FALSE(store_a(cache, "www.example.org", "192.0.2.1", 300, Trust::additional, kT0, t::AAAA));
    CachedEntry e;
    REQUIRE(cache.lookup(wire("www.example.org"), t::AAAA, kT0, e));
    CHECK(e.kind == EntryKind::nodata);
    // An authoritative answer outranks it.
    CHECK(store_a(cache, "www.example.org", "192.0.2.1", 300, Trust::answer_auth, kT0, t::AAAA));
    REQUIRE(cache.lookup(wire("www.example.org"), t::AAAA, kT0, e));
    CHECK(e.kind == EntryKind::rrset);
    CHECK_FALSE(cache.lookup_negative(wire("www.example.org"), t::AAAA, kT0, e));
}

TEST_CASE("record_cache: a live NS set's expiry is never extended (ghost domains)", "[recursion]") {
    RecordCache cache;
    const std::string zone = "example.org";
    auto ns = [&](const char* target, std::uint32_t ttl, Trust trust, TimePoint now) {
        Bytes blob = blob_of({rdata_name(target)});
        return cache.store_rrset(wire(zone), t::NS, ttl, trust, blob, 1, now);
    };
    REQUIRE(ns("ns1.example.org", 100, Trust::referral, kT0));
    // The child's own, authoritative NS set with a long TTL replaces the
    // referral's, but dies when the referral said it would.
    REQUIRE(ns("ns2.example.org", 86400, Trust::answer_auth, kT0 + seconds(50)));
    CachedEntry e;
    REQUIRE(cache.lookup(wire(zone), t::NS, kT0 + seconds(60), e));
    CHECK(e.trust == Trust::answer_auth);
    CHECK(records_of(e).at(0) == rdata_name("ns2.example.org"));
    CHECK(e.ttl == 40);
    REQUIRE(cache.lookup(wire(zone), t::NS, kT0 + seconds(99), e));
    CHECK_FALSE(cache.lookup(wire(zone), t::NS, kT0 + seconds(100), e));

    // Equal rank: still not extended; a shorter TTL shortens it.
    REQUIRE(ns("ns1.example.org", 100, Trust::referral, kT0 + seconds(200)));
    REQUIRE(ns("ns3.example.org", 1000, Trust::referral, kT0 + seconds(250)));
    REQUIRE(cache.lookup(wire(zone), t::NS, kT0 + seconds(299), e));
    CHECK(records_of(e).at(0) == rdata_name("ns3.example.org"));
    CHECK_FALSE(cache.lookup(wire(zone), t::NS, kT0 + seconds(300), e));
    REQUIRE(ns("ns1.example.org", 100, Trust::referral, kT0 + seconds(400)));
    REQUIRE(ns("ns4.example.org", 10, Trust::referral, kT0 + seconds(410)));
    CHECK_FALSE(cache.lookup(wire(zone), t::NS, kT0 + seconds(420), e));

    // Expired: a new delegation gets its full TTL.
    REQUIRE(ns("ns5.example.org", 1000, Trust::referral, kT0 + seconds(500)));
    REQUIRE(cache.lookup(wire(zone), t::NS, kT0 + seconds(500), e));
    CHECK(e.ttl == 1000);

    // Other types are refreshed normally.
    REQUIRE(store_a(cache, "www.example.org", "192.0.2.1", 100, Trust::answer_auth, kT0));
    REQUIRE(store_a(cache, "www.example.org", "192.0.2.1", 1000, Trust::answer_auth, kT0 + seconds(50)));
    REQUIRE(cache.lookup(wire("www.example.org"), t::A, kT0 + seconds(150), e));
    CHECK(e.ttl == 900);
}

TEST_CASE("record_cache: TTLs capped at a day, high-bit TTLs 0, TTL 0 kept one second", "[recursion]") {
    RecordCache cache;
    CachedEntry e;
    REQUIRE(store_a(cache, "long.example.org", "192.0.2.1", 0x7FFFFFFF, Trust::answer_auth, kT0));
    REQUIRE(cache.lookup(wire("long.example.org"), t::A, kT0, e));
    CHECK(e.ttl == RecordCache::kMaxTtl);
    CHECK(RecordCache::kMaxTtl == 86400);
    CHECK(cache.lookup(wire("long.example.org"), t::A, kT0 + seconds(86399), e));
    CHECK_FALSE(cache.lookup(wire("long.example.org"), t::A, kT0 + seconds(86400), e));

    // RFC 2181 section 8: a TTL with the most significant bit set is 0.
    for (std::uint32_t ttl : {0x80000000u, 0xFFFFFFFFu, 0x80000001u, 0u}) {
        INFO("ttl " << ttl);
        cache.clear();
        REQUIRE(store_a(cache, "zero.example.org", "192.0.2.1", ttl, Trust::answer_auth, kT0));
        REQUIRE(cache.lookup(wire("zero.example.org"), t::A, kT0, e));
        CHECK(e.ttl == 0);
        REQUIRE(cache.lookup(wire("zero.example.org"), t::A, kT0 + milliseconds(999), e));
        CHECK(e.ttl == 0);
        CHECK_FALSE(cache.lookup(wire("zero.example.org"), t::A, kT0 + seconds(1), e));
    }

    // Negative TTLs get the same treatment.
    REQUIRE(cache.store_negative(wire("no.example.org"), t::A, true, 0xC0000000u, Trust::authority_auth,
                                 wire("example.org"), rdata_soa(300), kT0));
    REQUIRE(cache.lookup_negative(wire("no.example.org"), t::A, kT0, e));
    CHECK(e.ttl == 0);
    CHECK_FALSE(cache.lookup_negative(wire("no.example.org"), t::A, kT0 + seconds(1), e));
    REQUIRE(cache.store_negative(wire("no2.example.org"), t::A, false, 1000000, Trust::authority_auth,
                                 wire("example.org"), rdata_soa(300), kT0));
    REQUIRE(cache.lookup_negative(wire("no2.example.org"), t::A, kT0, e));
    CHECK(e.ttl == 86400);
}

TEST_CASE("record_cache: NODATA is per (name, type) and keeps its SOA", "[recursion]") {
    RecordCache cache;
    Bytes soa = rdata_soa(300, "ns.example.org.", "hostmaster.example.org.");
    REQUIRE(cache.store_negative(wire("www.example.org"), t::AAAA, false, 300, Trust::authority_auth,
                                 wire("example.org"), soa, kT0));
    CachedEntry e;
    REQUIRE(cache.lookup(wire("www.example.org"), t::AAAA, kT0, e));
    CHECK(e.kind == EntryKind::nodata);
    CHECK(e.trust == Trust::authority_auth);
    CHECK(e.soa_owner == wire("example.org"));
    CHECK(e.rdata == soa);
    CHECK(e.ttl == 300);
    CHECK(e.soa_ttl == 300);

    REQUIRE(cache.lookup_negative(wire("www.example.org"), t::AAAA, kT0 + seconds(100), e));
    CHECK(e.kind == EntryKind::nodata);
    CHECK(e.ttl == 200);
    CHECK(e.soa_ttl == 200);
    CHECK(e.rdata == soa);

    // Only that type, only that name.
    CHECK_FALSE(cache.lookup_negative(wire("www.example.org"), t::A, kT0, e));
    CHECK_FALSE(cache.lookup(wire("www.example.org"), t::A, kT0, e));
    CHECK_FALSE(cache.lookup_negative(wire("a.www.example.org"), t::AAAA, kT0, e));
    CHECK_FALSE(cache.lookup_negative(wire("example.org"), t::AAAA, kT0, e));
    CHECK_FALSE(cache.lookup_negative(wire("www.example.org"), t::AAAA, kT0 + seconds(300), e));

    // A positive RRset is not a negative answer.
    REQUIRE(store_a(cache, "mail.example.org", "192.0.2.1", 300, Trust::answer_auth, kT0));
    CHECK_FALSE(cache.lookup_negative(wire("mail.example.org"), t::A, kT0, e));
}

TEST_CASE("record_cache: an NXDOMAIN covers the name and every name below it (RFC 8020)", "[recursion]") {
    RecordCache cache;
    Bytes soa = rdata_soa(600);
    REQUIRE(cache.store_negative(wire("gone.example.org"), t::A, true, 600, Trust::authority_auth,
                                 wire("example.org"), soa, kT0));
    CachedEntry e;
    for (const char* name : {"gone.example.org", "a.gone.example.org", "x.y.z.gone.example.org"}) {
        for (std::uint16_t type : {t::A, t::AAAA, t::MX}) {
            INFO(name << " type " << type);
            REQUIRE(cache.lookup_negative(wire(name), type, kT0 + seconds(10), e));
            CHECK(e.kind == EntryKind::nxdomain);
            CHECK(e.soa_owner == wire("example.org"));
            CHECK(e.rdata == soa);
            CHECK(e.ttl == 590);
        }
    }
    // Stored under type 0, not the type asked.
    CHECK_FALSE(cache.lookup(wire("gone.example.org"), t::A, kT0, e));
    REQUIRE(cache.lookup(wire("gone.example.org"), RecordCache::kNxdomainType, kT0, e));
    CHECK(e.kind == EntryKind::nxdomain);
    // Not above it, not beside it, not a name that merely ends in the same text.
    CHECK_FALSE(cache.lookup_negative(wire("example.org"), t::A, kT0, e));
    CHECK_FALSE(cache.lookup_negative(wire("other.example.org"), t::A, kT0, e));
    CHECK_FALSE(cache.lookup_negative(wire("notgone.example.org"), t::A, kT0, e));
    CHECK_FALSE(cache.lookup_negative(wire("gone.example.org.evil"), t::A, kT0, e));
    CHECK_FALSE(cache.lookup_negative(wire("a.gone.example.org"), t::A, kT0 + seconds(600), e));

    // A NODATA below a live NXDOMAIN: the NXDOMAIN answers.
    REQUIRE(cache.store_negative(wire("b.gone.example.org"), t::A, false, 600, Trust::authority_auth,
                                 wire("example.org"), soa, kT0));
    REQUIRE(cache.lookup_negative(wire("b.gone.example.org"), t::A, kT0, e));
    CHECK(e.kind == EntryKind::nxdomain);
}

TEST_CASE("record_cache: bounded in bytes, least recently used evicted first", "[recursion]") {
    SECTION("many entries stay within max_bytes") {
        constexpr std::size_t kMax = 64 * 1024;
        RecordCache cache(kMax, 4);
        CHECK(cache.max_bytes() == kMax);
        Bytes rec(100, 0xAB);
        Bytes blob = blob_of({rec});
        constexpr int kCount = 2000;
        for (int i = 0; i < kCount; ++i)
            REQUIRE(cache.store_rrset(wire("host" + std::to_string(i) + ".example.org"), t::TXT, 3600,
                                      Trust::answer_auth, blob, 1, kT0));
        auto s = cache.stats();
        CHECK(s.inserts == kCount);
        CHECK(s.bytes <= kMax);
        CHECK(s.bytes > kMax / 2);
        CHECK(s.evictions > 0);
        CHECK(s.entries + s.evictions == kCount);
        CHECK(s.entries < kCount);
        CachedEntry e;
        CHECK(cache.lookup(wire("host" + std::to_string(kCount - 1) + ".example.org"), t::TXT, kT0, e));
        CHECK_FALSE(cache.lookup(wire("host0.example.org"), t::TXT, kT0, e));

        cache.clear();
        CHECK(cache.stats().entries == 0);
        CHECK(cache.stats().bytes == 0);
        CHECK_FALSE(cache.lookup(wire("host" + std::to_string(kCount - 1) + ".example.org"), t::TXT, kT0, e));
    }
    SECTION("a lookup counts as a use") {
        Bytes blob = blob_of({Bytes(100, 1)});
        // One shard; measure one entry, then allow three and a half.
        RecordCache probe(1 << 20, 1);
        REQUIRE(probe.store_rrset(wire("n0.example.org"), t::TXT, 60, Trust::answer_auth, blob, 1, kT0));
        std::size_t one = probe.stats().bytes;
        REQUIRE(one > blob.size());

        RecordCache cache(one * 7 / 2, 1);
        for (const char* n : {"n0.example.org", "n1.example.org", "n2.example.org"})
            REQUIRE(cache.store_rrset(wire(n), t::TXT, 60, Trust::answer_auth, blob, 1, kT0));
        CHECK(cache.stats().evictions == 0);
        CachedEntry e;
        REQUIRE(cache.lookup(wire("n0.example.org"), t::TXT, kT0, e));
        REQUIRE(cache.store_rrset(wire("n3.example.org"), t::TXT, 60, Trust::answer_auth, blob, 1, kT0));
        CHECK(cache.stats().evictions == 1);
        CHECK(cache.stats().entries == 3);
        CHECK(cache.lookup(wire("n0.example.org"), t::TXT, kT0, e));
        CHECK_FALSE(cache.lookup(wire("n1.example.org"), t::TXT, kT0, e));
        CHECK(cache.lookup(wire("n2.example.org"), t::TXT, kT0, e));
        CHECK(cache.lookup(wire("n3.example.org"), t::TXT, kT0, e));
    }
}

TEST_CASE("record_cache: has_dnames turns on with the first DNAME", "[recursion]") {
    RecordCache cache;
    CHECK_FALSE(cache.has_dnames());
    Bytes blob = blob_of({rdata_name("example.net")});
    REQUIRE(cache.store_rrset(wire("www.example.org"), t::CNAME, 300, Trust::answer_auth, blob, 1, kT0));
    CHECK_FALSE(cache.has_dnames());
    REQUIRE(cache.store_rrset(wire("old.example.org"), t::DNAME, 300, Trust::answer_auth, blob, 1, kT0));
    CHECK(cache.has_dnames());
    CachedEntry e;
    REQUIRE(cache.lookup(wire("old.example.org"), t::DNAME, kT0, e));
    CHECK(records_of(e).at(0) == rdata_name("example.net"));
}

TEST_CASE("record_cache: blob helpers", "[recursion]") {
    Bytes blob;
    append_blob_record(blob, Bytes{1, 2, 3});
    append_blob_record(blob, Bytes{});
    append_blob_record(blob, Bytes(300, 7));
    CHECK(blob.size() == 2 + 3 + 2 + 2 + 300);
    CHECK(blob[0] == 0);
    CHECK(blob[1] == 3);
    CHECK(blob[7] == 0x01);
    CHECK(blob[8] == 0x2C);
    std::vector<std::size_t> sizes;
    for_each_blob_record(std::span<const std::uint8_t>(blob),
                         [&](std::span<const std::uint8_t> r) { sizes.push_back(r.size()); });
    CHECK(sizes == std::vector<std::size_t>{3, 0, 300});
    // A truncated last record is not reported.
    blob.pop_back();
    sizes.clear();
    for_each_blob_record(std::span<const std::uint8_t>(blob),
                         [&](std::span<const std::uint8_t> r) { sizes.push_back(r.size()); });
    CHECK(sizes == std::vector<std::size_t>{3, 0});
}

TEST_CASE("record_cache: two threads storing and looking up", "[recursion]") {
    RecordCache cache(32 * 1024, 4);
    constexpr int kRounds = 20000;
    // Catch's assertions are not thread-safe: each thread counts its oddities.
    auto work = [&](int seed, int& odd) {
        Bytes blob = blob_of({rdata_a("192.0.2.1")});
        CachedEntry e;
        for (int i = 0; i < kRounds; ++i) {
            std::string name = wire("h" + std::to_string((i * 7 + seed) % 500) + ".example.org");
            TimePoint now = kT0 + milliseconds(i);
            cache.store_rrset(name, t::A, 1 + static_cast<std::uint32_t>(i % 30), Trust::answer_auth, blob, 1,
                              now);
            if (cache.lookup(name, t::A, now, e) && (e.count != 1 || e.rdata != blob)) ++odd;
            cache.lookup_negative(name, t::A, now, e);
        }
    };
    int odd1 = 0, odd2 = 0;
    std::thread other(work, 1, std::ref(odd1));
    work(2, odd2);
    other.join();
    CHECK(odd1 == 0);
    CHECK(odd2 == 0);
    auto s = cache.stats();
    CHECK(s.inserts == 2 * kRounds);
    CHECK(s.entries <= 500);
    CHECK(s.bytes <= cache.max_bytes());
}
