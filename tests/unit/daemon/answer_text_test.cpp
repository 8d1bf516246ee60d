// Presentation of cached answers for `lanlordctl cache dump`.
#include <catch2/catch.hpp>

#include "resolver/cache/cache_key.h"
#include "resolver/wire/answer_text.h"
#include "tests/support/dns_builder.h"

namespace lanlord {

using namespace test;

TEST_CASE("answer text: cache key fields round-trip", "[control]") {
    CacheKey key(wire("www.example.org"), 28, 1, true, false, 3);
    auto f = decode_cache_key(key.view());
    REQUIRE(f);
    CHECK(f->name == "www.example.org.");
    CHECK(f->qtype == 28);
    CHECK(f->qclass == 1);
    CHECK(f->dnssec_ok);
    CHECK(!f->checking_disabled);
    CHECK(f->group_tag == 3);
    CHECK(!decode_cache_key(""));
    CHECK(!decode_cache_key(std::string_view("\x03www", 4)));
}

TEST_CASE("answer text: the answer section with common types", "[control]") {
    ResponseSpec s;
    s.qname = "www.example.org";
    s.answer = {{"www.example.org", dns::type::CNAME, 300, rdata_name("web.example.org")},
                {"web.example.org", dns::type::A, 60, rdata_a("192.0.2.7")},
                {"web.example.org", 99, 60, {1, 2}}};
    auto t = describe_answer(make_response(s));
    CHECK(t.rcode == 0);
    REQUIRE(t.answers.size() == 3);
    CHECK(t.answers[0] == "www.example.org. 300 IN CNAME web.example.org.");
    CHECK(t.answers[1] == "web.example.org. 60 IN A 192.0.2.7");
    CHECK(t.answers[2] == "web.example.org. 60 IN SPF \\# 2 0102");
}

TEST_CASE("answer text: truncated and hostile answers end the list, never crash", "[control]") {
    ResponseSpec s;
    s.qname = "a.example";
    s.answer = {{"a.example", dns::type::A, 60, rdata_a("192.0.2.1")},
                {"a.example", dns::type::A, 60, rdata_a("192.0.2.2")}};
    Bytes full = make_response(s);
    for (std::size_t cut = 0; cut < full.size(); ++cut) {
        Bytes part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(cut));
        auto t = describe_answer(part);
        CHECK(t.answers.size() <= 2);
    }
    CHECK(describe_answer(full).answers.size() == 2);
    CHECK(type_to_text(65534) == "TYPE65534");
    CHECK(rcode_to_text(3) == "NXDOMAIN");
    CHECK(rcode_to_text(11) == "RCODE11");
}

}  // namespace lanlord
