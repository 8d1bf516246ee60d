// Fuzz target: hostile authoritative servers against the recursive resolver.
// A ResolverEngine with one recursive group (root hints: one or two fake
// roots) resolves a client question while the fuzzer plays every server it
// asks: each step of the input answers (or times out, or fails) one of the
// queries in flight. Fresh engine and caches per input, a counter for
// "random": every run repeats exactly.
//
// Input (tests/fuzz/make_recursion_seeds.py writes seeds in this format):
//   byte 0   the client question: low 4 bits pick kQuestions[], 0x10 client
//            EDNS (1232), 0x20 over TCP, 0x40 DO, 0x80 a second client (UDP,
//            no EDNS) asks the same question (coalesced)
//   byte 1   settings: 0x01 no QNAME minimisation, 0x02 no 0x20, 0x04
//            allow_private 10/8 and 127/8, 0x08 IPv6, 0x10 tight limits, 0x20
//            tiny record cache, 0x40 two roots, 0x80 also a trace of the
//            question
//   then steps, at most kMaxSteps, each a selector byte s:
//     s & 7 in 0..4  a response, 2-byte length then that many bytes, to the
//            open query number (s >> 5) modulo the open ones, oldest first,
//            from the address and port it was sent to. 0x08: the ID is set
//            to the query's; 0x10: the question is the query's as sent
//            (case included) and the bytes are a 12-byte header followed by
//            the records (QDCOUNT is set to 1): past the spoofing checks.
//     5      timeout: the clock moves to the next timer, handle_timers
//     6      handle_upstream_error for the chosen open query
//     7      (s >> 3) & 3: 0 a new client question (next byte, as byte 0);
//            1 a response from the wrong port (length-prefixed, ID patched);
//            2 the clock moves 100 ms; 3 a late response to a closed query
// At the end the clock runs past every timer. Invariants (abort()): every
// client gets exactly one answer, which parses, has QR set, the client's ID
// and question as asked, and fits the client's UDP size; every query goes to
// port 53 of an address the AddressPolicy admits, is a well-formed query with
// RD clear; a resolution never sends more than its query budget; nothing is
// left in flight.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/dns_name.h"
#include "resolver/engine/resolver_engine.h"
#include "resolver/wire/dns_constants.h"
#include "resolver/wire/dns_message.h"

namespace {
using namespace lanlord;

constexpr std::size_t kMaxSteps = 64;
constexpr std::size_t kMaxClients = 6;

struct Question {
    const char* name;  // text, case as the client sends it
    std::uint16_t type;
};
constexpr Question kQuestions[16] = {
    {"www.example.zz.", 1},
    {"www.example.zz.", 28},
    {"example.zz.", 2},
    {"alias.example.zz.", 5},
    {"example.zz.", 43},  // DS: asked of the parent
    {"www.example.zz.", 255},
    {"example.zz.", 15},
    {"a.b.c.d.e.f.g.h.i.j.k.l.m.example.zz.", 1},  // deeper than minimisation goes
    {"host.sub.example.zz.", 1},
    {".", 2},
    {"zz.", 6},
    {"WwW.ExAmPlE.zZ.", 1},
    {"x.y.test.", 16},
    {"1.2.0.192.in-addr.arpa.", 12},
    {"_sip._udp.example.zz.", 33},
    {"www.example.zz.", 65},
};

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
}

bool debug() {
    static const bool on = std::getenv("LANLORD_FUZZ_DEBUG") != nullptr;
    return on;
}

// The client's name keeps its letter case (name_from_text lower-cases).
std::string wire_name_raw(const char* text) {
    std::string out;
    std::string_view t(text);
    std::size_t start = 0;
    while (start < t.size()) {
        std::size_t dot = t.find('.', start);
        if (dot == std::string_view::npos) dot = t.size();
        if (dot > start) {
            out.push_back(static_cast<char>(dot - start));
            out.append(t.substr(start, dot - start));
        }
        start = dot + 1;
    }
    out.push_back('\0');
    return out;
}

struct Client {
    ClientRef ref;
    std::vector<std::uint8_t> query;
    std::string qname;  // as sent
    std::uint16_t qtype = 0;
    std::uint16_t id = 0;
    bool edns = false;
    std::size_t answers = 0;
};

struct Sent {
    std::uint64_t token;
    Endpoint server;
    bool tcp;
    std::vector<std::uint8_t> query;
};

class FuzzIo : public EngineIo {
  public:
    explicit FuzzIo(const AddressPolicy& policy) : policy_(policy) {}

    void reply(const ClientRef& client, std::span<const std::uint8_t> answer) override {
        std::size_t i = client.peer.port - 40000u;
        if (i >= clients.size()) fail("answer to an unknown client");
        Client& c = clients[i];
        if (++c.answers > 1) fail("a client answered twice");
        ParsedMessage m = parse_message(answer);
        if (!m.ok()) fail("answer does not parse");
        if (!m.header.is_response() || m.header.id != c.id) fail("answer without QR or with another ID");
        auto q = m.questions();
        if (q.size() != 1 || m.owner_original_case(q[0]).view() != c.qname || q[0].type != c.qtype ||
            q[0].klass != dns::kClassIN)
            fail("answer does not echo the question");
        std::size_t limit = c.ref.tcp ? dns::kMaxMessageSize : c.edns ? 1232 : dns::kMinUdpSize;
        if (answer.size() > limit) fail("answer larger than the client can take");
        if (debug())
            std::fprintf(stderr, "  answer to client %zu: rcode %u, %u answers\n", i, m.rcode(),
                         m.header.ancount);
    }
    void send_upstream(const UpstreamRequest& r) override {
        if (!Iterator::owns(r.token)) fail("a query that is not the iterator's");
        if (r.server.port != 53 || !policy_.usable(r.server.address)) fail("a query to a refused address");
        if (!tokens_.insert(r.token).second) fail("a token used twice");
        ParsedMessage m = parse_message(r.query);
        if (!m.ok() || m.header.is_response() || m.header.has(dns::flag::RD) || m.questions().size() != 1 ||
            m.questions()[0].klass != dns::kClassIN)
            fail("a malformed outgoing query");
        if (debug())
            std::fprintf(stderr, "  sent %s %s type %u%s\n", r.server.to_string().c_str(),
                         name_to_text(m.owner_original_case(m.questions()[0]).view()).c_str(),
                         m.questions()[0].type, r.tcp ? " tcp" : "");
        sent.push_back({r.token, r.server, r.tcp, {r.query.begin(), r.query.end()}});
        open.insert(r.token);
    }
    void close_upstream(std::uint64_t token) override { open.erase(token); }
    void trace_finished(std::uint64_t trace_id, const RecursionResult& result) override {
        (void)result;
        if (trace_id != 7 || ++traces > 1) fail("an unknown or repeated trace");
    }

    std::vector<Client> clients;
    std::vector<Sent> sent;
    std::set<std::uint64_t> open;
    unsigned traces = 0;

  private:
    const AddressPolicy& policy_;
    std::set<std::uint64_t> tokens_;
};

struct Input {
    const std::uint8_t* p;
    std::size_t left;
    bool byte(std::uint8_t& out) {
        if (!left) return false;
        out = *p++;
        --left;
        return true;
    }
    std::span<const std::uint8_t> chunk() {
        std::uint8_t hi = 0, lo = 0;
        if (!byte(hi) || !byte(lo)) return {};
        std::size_t n = std::min<std::size_t>(left, static_cast<std::size_t>(hi << 8 | lo));
        std::span<const std::uint8_t> out(p, n);
        p += n;
        left -= n;
        return out;
    }
};

void ask(ResolverEngine& engine, FuzzIo& io, std::uint8_t sel, TimePoint now) {
    if (io.clients.size() >= kMaxClients) return;
    const Question& question = kQuestions[sel & 15];
    Client c;
    c.qname = wire_name_raw(question.name);
    c.qtype = question.type;
    c.id = static_cast<std::uint16_t>(0x1000 + io.clients.size());
    c.edns = (sel & 0x10) != 0;
    c.ref.peer =
        Endpoint{*IpAddress::parse("127.0.0.1"), static_cast<std::uint16_t>(40000 + io.clients.size())};
    c.ref.local = *IpAddress::parse("127.0.0.1");
    c.ref.tcp = (sel & 0x20) != 0;
    std::vector<std::uint8_t>& q = c.query;
    q = {static_cast<std::uint8_t>(c.id >> 8),
         static_cast<std::uint8_t>(c.id),
         0x01,
         0x00,
         0,
         1,
         0,
         0,
         0,
         0,
         0,
         c.edns ? std::uint8_t{1} : std::uint8_t{0}};
    q.insert(q.end(), c.qname.begin(), c.qname.end());
    q.insert(q.end(), {static_cast<std::uint8_t>(c.qtype >> 8), static_cast<std::uint8_t>(c.qtype), 0, 1});
    if (c.edns)
        q.insert(q.end(),
                 {0, 0, 41, 0x04, 0xD0, 0, 0, static_cast<std::uint8_t>(sel & 0x40 ? 0x80 : 0), 0, 0, 0});
    if (debug())
        std::fprintf(stderr, "client %zu asks %s type %u\n", io.clients.size(), question.name, c.qtype);
    io.clients.push_back(std::move(c));
    const Client& added = io.clients.back();
    engine.handle_query(added.query, added.ref, now);
}

// The open queries, oldest first.
std::vector<const Sent*> open_queries(const FuzzIo& io) {
    std::vector<const Sent*> out;
    for (const Sent& s : io.sent)
        if (io.open.count(s.token)) out.push_back(&s);
    return out;
}

// The response bytes as the selector says: ID patched, question copied.
std::vector<std::uint8_t> make_response(std::span<const std::uint8_t> fuzz, const Sent& to,
                                        std::uint8_t sel) {
    std::vector<std::uint8_t> out(fuzz.begin(), fuzz.end());
    if (sel & 0x10 && out.size() >= dns::kHeaderSize) {
        // Header, the question as sent (name, type, class), then the records.
        std::size_t qend = dns::kHeaderSize;
        while (qend < to.query.size() && to.query[qend] != 0) qend += to.query[qend] + 1u;
        qend += 5;
        out.insert(out.begin() + dns::kHeaderSize, to.query.begin() + dns::kHeaderSize,
                   to.query.begin() + static_cast<std::ptrdiff_t>(std::min(qend, to.query.size())));
        out[4] = 0;
        out[5] = 1;
    }
    if (sel & 0x08 && out.size() >= 2) {
        out[0] = to.query[0];
        out[1] = to.query[1];
    }
    return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    Input in{data + 2, size - 2};
    const std::uint8_t question = data[0], flags = data[1];

    RecursionSettings rs;
    rs.qname_minimisation = !(flags & 0x01);
    rs.case_randomisation = !(flags & 0x02);
    if (flags & 0x04) rs.addresses.allow = {*Prefix::parse("10.0.0.0/8"), *Prefix::parse("127.0.0.0/8")};
    rs.addresses.own = {*IpAddress::parse("127.0.0.1"), *IpAddress::parse("192.0.2.53")};
    rs.addresses.ipv6 = (flags & 0x08) != 0;
    if (flags & 0x10)
        rs.limits = {.max_queries = 8,
                     .max_ns_lookups = 2,
                     .max_ns_lookups_zone = 1,
                     .max_depth = 2,
                     .max_cname = 2,
                     .max_referrals = 3,
                     .max_rounds = 1};
    rs.hints.servers = {{*name_from_text("a.root-servers.test."), {*IpAddress::parse("198.51.100.1")}}};
    if (flags & 0x40)
        rs.hints.servers.push_back({*name_from_text("b.root-servers.test."),
                                    {*IpAddress::parse("198.51.100.2"), *IpAddress::parse("2001:db8::53")}});
    rs.explore_one_in = 0;

    FuzzIo io(rs.addresses);
    // One packet cache for the process (its constructor reads
    // std::random_device), emptied per input.
    static PacketCache cache({.max_entries = 64}, 1);
    cache.flush();
    std::uint64_t counter = 1;
    ResolverEngine engine(io, cache, [&counter] { return (counter++) * 0x9E3779B97F4A7C15ull; });
    EngineSettings es;
    es.domain_needed = false;
    es.recursion = rs;
    es.recursion_caches = {std::make_shared<RecordCache>(flags & 0x20 ? 4096 : 1u << 20, 2),
                           std::make_shared<InfraCache>(flags & 0x20 ? 4 : 100)};
    GroupSpec group{"internet", "", {}, {std::string(1, '\0')}, {}, true};
    engine.configure(es, {group}, {Endpoint{*IpAddress::parse("127.0.0.1"), 53}});

    TimePoint now = TimePoint(seconds(5000));
    ask(engine, io, question, now);
    if (question & 0x80) ask(engine, io, question & 0x0F, now);
    if (flags & 0x80) {
        const Question& q = kQuestions[question & 15];
        engine.start_trace(7, *name_from_text(q.name), q.type, now);
    }
    // Coalescing is not assumed: clients with other flags (DO) ask anew.
    std::size_t resolutions = io.clients.size() + ((flags & 0x80) ? 1 : 0);

    for (std::size_t step = 0; step < kMaxSteps; ++step) {
        std::uint8_t s = 0;
        if (!in.byte(s)) break;
        unsigned action = s & 7;
        std::vector<const Sent*> open = open_queries(io);
        const Sent* target = open.empty() ? nullptr : open[(s >> 5) % open.size()];
        if (action <= 4) {
            auto bytes = in.chunk();
            if (!target) continue;
            auto response = make_response(bytes, *target, s);
            if (debug())
                std::fprintf(stderr, "step %zu: %zu bytes to %s\n", step, response.size(),
                             target->server.to_string().c_str());
            engine.handle_upstream_response(target->token, target->server, response, now);
        } else if (action == 5) {
            if (auto t = engine.next_timer()) {
                now = std::max(now, *t);
                if (debug()) std::fprintf(stderr, "step %zu: timers\n", step);
                engine.handle_timers(now);
            }
        } else if (action == 6) {
            if (target) {
                if (debug()) std::fprintf(stderr, "step %zu: error\n", step);
                engine.handle_upstream_error(target->token, now);
            }
        } else {
            unsigned sub = (s >> 3) & 3;
            if (sub == 0) {
                std::uint8_t q = 0;
                if (!in.byte(q)) break;
                if (io.clients.size() < kMaxClients) ++resolutions;
                ask(engine, io, q, now);
            } else if (sub == 1) {
                auto bytes = in.chunk();
                if (!target) continue;
                auto response = make_response(bytes, *target, 0x18);
                Endpoint wrong = target->server;
                wrong.port = 5353;
                engine.handle_upstream_response(target->token, wrong, response, now);
            } else if (sub == 2) {
                now += milliseconds(100);
                engine.handle_timers(now);
            } else if (!io.sent.empty()) {
                const Sent& old = io.sent[s % io.sent.size()];
                if (!io.open.count(old.token)) {
                    const std::uint8_t header[12] = {0, 0, 0x84, 0, 0, 0, 0, 0, 0, 0, 0, 0};
                    auto response = make_response(header, old, 0x18);
                    engine.handle_upstream_response(old.token, old.server, response, now);
                }
            }
        }
    }

    // Everything still open times out; every transaction ends.
    for (unsigned i = 0; i < 100000; ++i) {
        auto t = engine.next_timer();
        if (!t) break;
        now = std::max(now, *t);
        engine.handle_timers(now);
    }
    if (engine.next_timer()) fail("timers still pending after 100000 rounds");
    if (engine.in_flight() != 0) fail("transactions left in flight");
    if (engine.iterator() && engine.iterator()->in_flight() != 0) fail("resolutions left in flight");
    if (!io.open.empty()) fail("queries left open");
    for (const Client& c : io.clients)
        if (c.answers != 1) fail("a client got no answer");
    if ((flags & 0x80) && io.traces != 1) fail("the trace never finished");
    // Every resolution (coalesced clients share one; a cache hit costs none)
    // stays within its budget.
    if (io.sent.size() > resolutions * rs.limits.max_queries) fail("more queries than the budget allows");
    return 0;
}
