// A scripted EngineIo for scenario tests: records every answer to a client and
// every upstream attempt, so a test can play the upstream by hand.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "resolver/engine/engine_types.h"
#include "resolver/wire/query_view.h"

namespace lanlord::test {

struct SentAttempt {
    std::uint64_t token;
    Endpoint server;
    std::string interface;
    bool tcp;
    std::vector<std::uint8_t> query;
    std::shared_ptr<const TlsAuth> tls = nullptr;  // DNS over TLS: how the server is authenticated
    QueryView view() const {
        QueryView q;
        parse_query(query, q);
        return q;
    }
};

struct Answer {
    ClientRef client;
    std::vector<std::uint8_t> bytes;
    std::uint16_t id() const { return static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]); }
    std::uint16_t flags() const { return static_cast<std::uint16_t>(bytes[2] << 8 | bytes[3]); }
    unsigned rcode() const { return flags() & 0x0F; }
    // section 0: answer, 1: authority, 2: additional.
    unsigned count(int section) const {
        return static_cast<unsigned>(bytes[6 + 2 * section] << 8 | bytes[7 + 2 * section]);
    }
};

class FakeEngineIo : public EngineIo {
  public:
    void reply(const ClientRef& client, std::span<const std::uint8_t> answer) override {
        answers.push_back({client, {answer.begin(), answer.end()}});
    }
    void send_upstream(const UpstreamRequest& r) override {
        sent.push_back({r.token,
                        r.server,
                        r.interface ? *r.interface : "",
                        r.tcp,
                        {r.query.begin(), r.query.end()},
                        r.tls});
        open[r.token] = true;
    }
    void close_upstream(std::uint64_t token) override { open.erase(token); }
    void answered(const ClientRef&, std::span<const std::uint8_t> message, QueryOutcome outcome,
                  Duration answer_time) override {
        outcomes.push_back(outcome);
        answer_times.push_back(answer_time);
        logged.push_back({message.begin(), message.end()});
    }

    std::vector<QueryOutcome> outcomes;  // what the query log was told, in order
    std::vector<Duration> answer_times;
    std::vector<Bytes> logged;
    std::vector<Answer> answers;
    std::vector<SentAttempt> sent;
    std::map<std::uint64_t, bool> open;
};

}  // namespace lanlord::test
