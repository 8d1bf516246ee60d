// A machine without a real-time clock: when the wall clock may be used for
// signature dates, both sides (a Pi just booted, behind its timestamp file;
// the same Pi after NTP), and how validation behaves meanwhile.
#include <catch2/catch.hpp>

#include "resolver/dnssec/clock_trust.h"
#include "resolver/dnssec/rrset_signature.h"
#include "resolver/wire/dns_constants.h"
#include "support/dnssec_signer.h"
#include "unit/resolver/dnssec/dnssec_test_util.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {
constexpr std::int64_t kStamp = 1'800'000'000;  // the timestamp file: 2027-01-15
}

TEST_CASE("clock: a Pi booted at 1970 or behind its timestamp file is not trusted until NTP",
          "[dnssec][clock]") {
    ClockJudgement j = judge_clock({0, false, kStamp});  // RTC-less boot: 1970
    CHECK_FALSE(j.trusted);
    CHECK_FALSE(j.touch_timestamp);
    CHECK(std::string(j.why).find("behind the timestamp file") != std::string::npos);
    // fake-hwclock restored a time two days old.
    CHECK_FALSE(judge_clock({kStamp - 2 * 86400, false, kStamp}).trusted);
    // NTP has run: the kernel says synchronised, whatever the file says.
    j = judge_clock({kStamp - 2 * 86400, true, kStamp});
    CHECK(j.trusted);
    CHECK_FALSE(j.touch_timestamp);  // never moves the file back
    // Or the clock has simply passed the file's time.
    CHECK(judge_clock({kStamp + 10, false, kStamp}).trusted);
}

TEST_CASE("clock: the timestamp file moves forward at most once an hour, and is made on the first start",
          "[dnssec][clock]") {
    CHECK_FALSE(judge_clock({kStamp + 10, false, kStamp}).touch_timestamp);
    CHECK(judge_clock({kStamp + kTimestampInterval, false, kStamp}).touch_timestamp);
    ClockJudgement first = judge_clock({kReleaseFloor + 100, false, std::nullopt});
    CHECK(first.trusted);
    CHECK(first.touch_timestamp);
    ClockJudgement early = judge_clock({86400, false, std::nullopt});  // 1970-01-02, no file
    CHECK_FALSE(early.trusted);
    CHECK_FALSE(early.touch_timestamp);
    CHECK(judge_clock({86400, true, std::nullopt}).trusted);  // synchronised beats the floor
}

TEST_CASE("clock: while untrusted, signatures are checked without dates, and a bad one still fails",
          "[dnssec][clock]") {
    SigningKey key = make_key(algorithm::ED25519, "example.", 256);
    std::string owner = wire("www.example.");
    std::vector<Blob> rdatas = {a_rdata(1)};
    const std::uint32_t wall_1970 = 86400;  // the Pi's clock
    Blob rrsig = sign_rrset(key, owner, dns::type::A, 300, rdatas, kStamp - 86400, kStamp + 86400);
    std::vector<ByteView> views(rdatas.begin(), rdatas.end());
    RrsetData set{owner, dns::type::A, dns::kClassIN, 300, views};
    std::vector<RrsigData> sigs(1);
    REQUIRE(decode_rrsig_rdata(rrsig, sigs[0]));
    ByteView keys[1] = {key.dnskey};

    ValidationBudget dated;
    RrsetVerdict v = verify_rrset(set, sigs, ZoneKeys{key.zone, keys}, wall_1970, dated);
    CHECK(v.verdict.ede == ede::signature_not_yet_valid);  // what a validator without this rule does

    ValidationBudget undated;
    undated.limits.check_signature_dates = false;
    v = verify_rrset(set, sigs, ZoneKeys{key.zone, keys}, wall_1970, undated);
    CHECK(v.verdict.is_secure());
    Blob forged = rrsig;
    forged.back() ^= 1;
    REQUIRE(decode_rrsig_rdata(forged, sigs[0]));
    CHECK(verify_rrset(set, sigs, ZoneKeys{key.zone, keys}, wall_1970, undated).verdict.is_bogus());
}
