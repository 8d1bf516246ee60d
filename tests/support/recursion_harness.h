// The resolver engine with one recursive group, played against a FakeInternet:
// a fake root, TLDs and zones on TEST-NET addresses, each server with its
// behaviour and RTT (scenario tests of the recursive mode only).
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "resolver/engine/resolver_engine.h"
#include "support/dns_builder.h"
#include "support/engine_harness.h"
#include "support/fake_internet.h"
#include "support/message_text.h"

namespace lanlord::test {

// The root the fake Internet's hints name.
inline constexpr const char* kFakeRootAddress = "198.51.100.1";

inline RootHints fake_root_hints() {
    return RootHints{{{*name_from_text("a.root-servers.test."), {*IpAddress::parse(kFakeRootAddress)}}}};
}

struct ParsedAnswer {
    explicit ParsedAnswer(Bytes b) : bytes(std::move(b)), m(parse_message(bytes)) {}
    ParsedAnswer(const ParsedAnswer&) = delete;
    ParsedAnswer& operator=(const ParsedAnswer&) = delete;
    Bytes bytes;
    ParsedMessage m;
    std::uint16_t rcode() const { return m.rcode(); }
    Lines answer() const { return section_text(m, Section::answer); }
    Lines authority() const { return section_text(m, Section::authority); }
    // The Extended DNS Error's INFO-CODE (RFC 8914), or -1.
    int ede() const {
        std::size_t pos = 0;
        EdnsOption o;
        while (m.edns.next_option(pos, o))
            if (o.code == 15 && o.data.size() >= 2) return o.data[0] << 8 | o.data[1];
        return -1;
    }
};

struct RecursionHarness {
    FakeEngineIo io;
    PacketCache cache{{.max_entries = 1000}, 4};
    std::uint64_t counter = 1;
    // Deterministic "random": IDs and 0x20 bits vary, runs repeat exactly.
    ResolverEngine engine{io, cache, [this] { return (counter++) * 0x9E3779B97F4A7C15ull; }};
    TimePoint now = TimePoint(seconds(5000));
    FakeInternet net;
    RecursionCaches caches{std::make_shared<RecordCache>(), std::make_shared<InfraCache>()};
    ClientRef client{.peer = ep("127.0.0.1:40000"), .local = *IpAddress::parse("127.0.0.1")};
    RecursionSettings settings;
    DnssecPolicy dnssec;  // validation off unless a test sets its context

    RecursionHarness() {
        settings.hints = fake_root_hints();
        settings.explore_one_in = 0;  // the exact sequence of queries is asserted
        configure();
    }
    void configure() {
        EngineSettings es;
        es.recursion = settings;
        es.recursion_caches = caches;
        es.dnssec = dnssec;
        GroupSpec g{"internet", "", {}, {wire(".")}, {}, true};
        engine.configure(es, {g}, {ep("127.0.0.1:53")});
    }
    // Asks and plays the network until the engine is quiet; the answer.
    std::unique_ptr<ParsedAnswer> ask(const std::string& name, std::uint16_t type = dns::type::A,
                                      QueryOptions o = {.edns_udp = 1232}) {
        io.answers.clear();
        engine.handle_query(make_query(name, type, o), client, now);
        net.run_until_quiet(engine, io, now);
        REQUIRE(io.answers.size() == 1);
        return std::make_unique<ParsedAnswer>(io.answers[0].bytes);
    }
    // The queries the fake Internet received since `from`, lower-cased,
    // as "server qname type udp|tcp".
    std::vector<std::string> queries(std::size_t from = 0) const {
        std::vector<std::string> out;
        for (std::size_t i = from; i < net.log.size(); ++i) {
            const Received& r = net.log[i];
            std::string name = r.qname_as_sent_text;
            for (char& c : name) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            out.push_back(r.server.to_string() + " " + name + " " + type_to_text(r.qtype) +
                          (r.tcp ? " tcp" : " udp"));
        }
        return out;
    }
};

}  // namespace lanlord::test
