// The small hierarchy the fake authority tests ask: a root, the TLD zz. and
// example.zz., each on a server of its own, and a way to ask one server a
// question and read the answer parsed. Test-only code.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "resolver/wire/dns_message.h"
#include "support/dns_builder.h"
#include "support/fake_authority.h"
#include "support/message_text.h"

namespace lanlord::test {

inline FakeZone root_zone() {
    return FakeZone(".", R"(
        @ 86400 SOA a.root.zz. hostmaster.root.zz. 1 1800 900 604800 86400
        @ 518400 NS a.root.zz.
        zz 172800 NS ns1.nic.zz.
        zz 172800 NS ns2.nic.zz.
        ns1.nic.zz 172800 A 192.0.2.53
        ns2.nic.zz 172800 AAAA 2001:db8::53
    )");
}

inline FakeZone zz_zone() {
    return FakeZone("zz.", R"(
        @ 900 SOA ns1.nic hostmaster 1 1800 900 604800 900
        @ NS ns1.nic
        ns1.nic A 192.0.2.53
        example 86400 NS ns1.example
        example 86400 NS ns.other.yy.
        ns1.example 86400 A 192.0.2.80
        ns1.example 86400 AAAA 2001:db8::80
    )");
}

inline FakeZone example_zone() {
    return FakeZone("example.zz.", R"(
        @ 3600 SOA ns1 hostmaster 7 3600 600 86400 300
        @ 3600 NS ns1
        ns1 A 192.0.2.80
        www 300 A 192.0.2.1
        www 300 AAAA 2001:db8::1
        alias 60 CNAME www
        chain 60 CNAME alias
        outside 60 CNAME www.other.yy.
        dangling 60 CNAME nothere
        a.b.c TXT "deep" "down"
        old 120 DNAME new.example.zz.
        x.new 300 A 192.0.2.7
        mail MX 10 mx
        mx A 192.0.2.25
        sub NS ns.sub
        ns.sub A 192.0.2.90
        1.2 PTR www
    )");
}

// A response and its parse (which views the bytes: neither copied nor moved).
struct Reply {
    explicit Reply(Bytes b) : bytes(std::move(b)), m(parse_message(bytes)) {}
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;

    Bytes bytes;
    ParsedMessage m;
    std::uint16_t rcode() const { return m.rcode(); }
    bool aa() const { return m.header.has(dns::flag::AA); }
    bool tc() const { return m.header.has(dns::flag::TC); }
    Lines answer() const { return section_text(m, Section::answer); }
    Lines authority() const { return section_text(m, Section::authority); }
    Lines additional() const { return section_text(m, Section::additional); }
    std::string question_as_sent() const {
        return name_to_text(m.owner_original_case(m.questions()[0]).view());
    }
};

// Asks `server` and requires a well-formed response.
inline std::unique_ptr<Reply> ask(const FakeServer& server, const std::string& qname, std::uint16_t qtype,
                                  QueryOptions o = {}, bool tcp = false) {
    auto bytes = server.answer(make_query(qname, qtype, o), tcp);
    REQUIRE(bytes);
    auto r = std::make_unique<Reply>(std::move(*bytes));
    INFO("parse error " << static_cast<int>(r->m.error));
    REQUIRE(r->m.ok());
    REQUIRE(r->m.header.is_response());
    REQUIRE(r->m.questions().size() == 1);
    return r;
}

inline FakeServer server_with(const char* address, FakeZone zone, Behaviour b = Behaviour::normal) {
    FakeServer s{.address = *IpAddress::parse(address), .behaviour = b};
    s.serve(std::move(zone));
    return s;
}

}  // namespace lanlord::test
