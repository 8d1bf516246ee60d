// Scenario tests of the upstream retry policy over a lossy, slow link: the
// engine with a fake clock and a simulated network (seeded RNG, no sockets).
// Each attempt's query and answer are dropped independently and delayed, so
// the figures below are what the policy achieves, reproducibly:
//   tests/system/test_faults.py proves the same end to end with real sockets.
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include "resolver/engine/resolver_engine.h"
#include "support/dns_builder.h"
#include "support/engine_harness.h"

using namespace lanlord;
using namespace lanlord::test;

namespace {

struct Link {
    double loss_query = 0, loss_answer = 0;  // per datagram, independent
    Duration delay_query = milliseconds(50), delay_answer{}, jitter = milliseconds(5);
    bool dead = false;  // nothing ever comes back
};

struct Outcome {
    unsigned queries = 0, noerror = 0, servfail = 0, unanswered = 0;
    std::uint64_t attempts = 0, max_open = 0;
    Duration worst{};
};

// Asks `queries` distinct names, one every `spacing` (zero: all at once),
// through a group of the given servers and links; runs until every
// transaction is over.
Outcome simulate(const std::vector<Link>& links, unsigned queries, Duration spacing, std::uint64_t seed,
                 Duration die_after = Duration::max()) {
    std::vector<Endpoint> servers;
    for (std::size_t i = 0; i < links.size(); ++i)
        servers.push_back(ep(("192.0.2." + std::to_string(i + 1)).c_str()));
    Harness h({{"default", "", servers, {wire(".")}, {}}});
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> coin(0, 1);
    std::multimap<TimePoint, std::size_t> deliveries;  // answer arrival -> attempt index
    std::size_t scheduled = 0;
    std::map<std::uint16_t, TimePoint> asked;
    Outcome out;
    out.queries = queries;
    const TimePoint start = h.now;
    TimePoint next_query = h.now;
    unsigned sent_queries = 0;
    auto jitter = [&](Duration max) {
        return Duration(static_cast<Duration::rep>(coin(rng) * static_cast<double>(max.count())));
    };
    for (;;) {
        for (; scheduled < h.io.sent.size(); ++scheduled) {
            const SentAttempt& a = h.io.sent[scheduled];
            std::size_t server = 0;
            while (servers[server] != a.server) ++server;
            const Link& l = links[server];
            bool dead = l.dead || h.now - start >= die_after;
            bool lost = dead || coin(rng) < l.loss_query || coin(rng) < l.loss_answer;
            if (!lost)
                deliveries.insert(
                    {h.now + l.delay_query + l.delay_answer + jitter(l.jitter) + jitter(l.jitter),
                     scheduled});
        }
        out.max_open = std::max<std::uint64_t>(out.max_open, h.io.open.size());
        std::optional<TimePoint> next;
        auto consider = [&](TimePoint t) {
            if (!next || t < *next) next = t;
        };
        if (sent_queries < queries) consider(next_query);
        if (!deliveries.empty()) consider(deliveries.begin()->first);
        if (auto t = h.engine.next_timer()) consider(*t);
        if (!next) break;
        h.now = *next;
        if (sent_queries < queries && next_query == h.now) {
            auto id = static_cast<std::uint16_t>(sent_queries);
            asked[id] = h.now;
            h.ask("q" + std::to_string(sent_queries) + ".loss.example", dns::type::A, {.id = id});
            ++sent_queries;
            next_query += spacing;
        } else if (!deliveries.empty() && deliveries.begin()->first == h.now) {
            std::size_t i = deliveries.begin()->second;
            deliveries.erase(deliveries.begin());
            if (h.io.open.contains(h.io.sent[i].token)) {  // a closed socket drops it
                std::string name = name_to_text(h.io.sent[i].view().name());
                h.respond(i, {a_record(name, 300)});
            }
        } else {
            h.engine.handle_timers(h.now);
        }
        for (; out.noerror + out.servfail < h.io.answers.size();) {
            const Answer& a = h.io.answers[out.noerror + out.servfail];
            (a.rcode() == 0 ? out.noerror : out.servfail)++;
            out.worst = std::max(out.worst, h.now - asked[a.id()]);
        }
    }
    out.unanswered = queries - out.noerror - out.servfail;
    out.attempts = h.io.sent.size();
    return out;
}

void report(const char* what, const Outcome& o) {
    if (std::getenv("LANLORD_SIM_REPORT"))
        std::printf(
            "%s: %u/%u NOERROR, %u SERVFAIL, %u unanswered, %.2f attempts/query, worst %lld ms, "
            "max open %llu\n",
            what, o.noerror, o.queries, o.servfail, o.unanswered, static_cast<double>(o.attempts) / o.queries,
            static_cast<long long>(std::chrono::duration_cast<milliseconds>(o.worst).count()),
            static_cast<unsigned long long>(o.max_open));
}

}  // namespace

TEST_CASE("retry policy: one upstream, 30 % of queries lost, 50 ms delay: every query answered") {
    // netem on the upstream link (egress): queries dropped and delayed.
    Link l{.loss_query = 0.3};
    Outcome one_by_one = simulate({l}, 10000, milliseconds(20), 1);
    report("30% query loss, one every 20 ms", one_by_one);
    CHECK(one_by_one.noerror == 10000);
    Outcome alone = simulate({l}, 2000, milliseconds(3100), 11);  // never two at once
    report("30% query loss, one at a time", alone);
    CHECK(alone.noerror == 2000);
    Outcome burst = simulate({l}, 2000, Duration::zero(), 2);
    report("30% query loss, 2000 at once", burst);
    CHECK(burst.noerror == 2000);
}

TEST_CASE("retry policy: one upstream, 30 % loss each way, 50 ms delay each way: every query answered") {
    Link l{.loss_query = 0.3, .loss_answer = 0.3, .delay_answer = milliseconds(50)};
    Outcome one_by_one = simulate({l}, 10000, milliseconds(20), 3);
    report("30% loss both ways, one every 20 ms", one_by_one);
    CHECK(one_by_one.noerror == 10000);
    Outcome alone = simulate({l}, 2000, milliseconds(3100), 13);
    report("30% loss both ways, one at a time", alone);
    CHECK(alone.noerror == 2000);
    Outcome burst = simulate({l}, 2000, Duration::zero(), 4);
    report("30% loss both ways, 2000 at once", burst);
    CHECK(burst.noerror == 2000);
}

TEST_CASE("retry policy: one dead upstream of two costs one timeout, not a fixed wait") {
    Link dead{.dead = true}, good{.delay_query = milliseconds(5), .jitter = milliseconds(1)};
    Outcome o = simulate({dead, good}, 1000, milliseconds(20), 5);
    report("first of two dead", o);
    CHECK(o.noerror == 1000);
    CHECK(o.worst <= milliseconds(250 + 20));  // the initial RTO once, then the live server
}

TEST_CASE("retry policy: a dead only upstream gets SERVFAIL at the deadline and bounded traffic") {
    Link dead{.dead = true};
    Outcome o = simulate({dead}, 100, milliseconds(20), 6);
    report("only upstream dead (never measured)", o);
    CHECK(o.servfail == 100);
    CHECK(o.worst == seconds(3));
    CHECK(o.max_open <= 100 * 4);  // kMaxOpenAttempts sockets per transaction
    // A fast server (RTO 40 ms) that dies after 1 s: kMaxAttempts bounds what each query costs.
    Link lan{.delay_query = milliseconds(1), .jitter = milliseconds(1)};
    Outcome died = simulate({lan}, 200, milliseconds(10), 7, seconds(1));
    report("fast only upstream dies after 1 s", died);
    CHECK(died.noerror + died.servfail == 200);
    CHECK(died.servfail >= 95);
    CHECK(died.attempts <= died.noerror + died.servfail * 24);
}
