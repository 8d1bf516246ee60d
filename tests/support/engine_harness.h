// The resolver engine with a scripted EngineIo, a fake clock and handy
// helpers to ask questions and play the upstream (scenario tests only).
#pragma once

#include <string>
#include <vector>

#include "resolver/engine/resolver_engine.h"
#include "support/dns_builder.h"
#include "support/fake_engine_io.h"

namespace lanlord::test {

inline Endpoint ep(const char* s) {
    return *Endpoint::parse(s, 53);
}

struct Harness {
    FakeEngineIo io;
    PacketCache cache{{.max_entries = 1000}, 4};
    std::uint64_t counter = 1;
    ResolverEngine engine{io, cache, [this] { return counter++ * 7919; }};
    TimePoint now = TimePoint(seconds(5000));
    ClientRef client{.peer = ep("127.0.0.1:40000"), .local = *IpAddress::parse("127.0.0.1")};

    explicit Harness(std::vector<GroupSpec> groups =
                         {{"default", "", {ep("192.0.2.1"), ep("192.0.2.2")}, {wire(".")}, {}}},
                     EngineSettings settings = {}) {
        engine.configure(settings, groups, {ep("127.0.0.1:53")});
    }
    void ask(const std::string& name, std::uint16_t type = dns::type::A, QueryOptions o = {},
             ClientRef* c = nullptr) {
        auto q = make_query(name, type, o);
        engine.handle_query(q, c ? *c : client, now);
    }
    // Answers attempt `i` the way a correct upstream would.
    void respond(std::size_t i, std::vector<Record> answer, std::uint8_t rcode = 0,
                 std::vector<Record> authority = {}, std::uint16_t flags = dns::flag::RD | dns::flag::RA) {
        const SentAttempt& a = io.sent.at(i);
        QueryView q = a.view();
        ResponseSpec s{.qname = name_to_text(q.name()),
                       .qtype = q.qtype,
                       .id = q.id,
                       .rcode = rcode,
                       .extra_flags = flags};
        s.answer = std::move(answer);
        s.authority = std::move(authority);
        engine.handle_upstream_response(a.token, a.server, make_response(s), now);
    }
    void advance(Duration d) {
        now += d;
        engine.handle_timers(now);
    }
    std::uint32_t first_ttl(const Answer& a) {
        // Header, question, then the first record: name (pointer) type class TTL.
        QueryView q;
        std::size_t pos = 12;
        while (a.bytes[pos] != 0) pos += a.bytes[pos] + 1;
        pos += 5;
        if ((a.bytes[pos] & 0xC0) == 0xC0)
            pos += 2;
        else {
            while (a.bytes[pos] != 0) pos += a.bytes[pos] + 1;
            ++pos;
        }
        return load_u32(a.bytes.data() + pos + 4);
    }
};

inline Record a_record(const std::string& name, std::uint32_t ttl, const char* addr = "198.51.100.7") {
    return {name, dns::type::A, ttl, rdata_a(addr)};
}

}  // namespace lanlord::test
