#include "support/fake_internet.h"

#include "resolver/wire/answer_text.h"

namespace lanlord::test {
namespace {

IpAddress parse_address(std::string_view text) {
    auto a = IpAddress::parse(text);
    if (!a) throw std::invalid_argument("FakeInternet: bad address " + std::string(text));
    return *a;
}

}  // namespace

std::string to_string(const Received& r) {
    return r.server.to_string() + " " + r.qname_as_sent_text + " " + type_to_text(r.qtype) +
           (r.tcp ? " tcp" : " udp") + (r.edns ? " edns" : "");
}

FakeServer& FakeInternet::add_server(std::string_view address, Behaviour behaviour) {
    const IpAddress a = parse_address(address);
    auto [it, added] = servers_.try_emplace(a);
    if (!added) throw std::invalid_argument("FakeInternet: two servers at " + std::string(address));
    it->second.address = a;
    it->second.behaviour = behaviour;
    return it->second;
}

FakeServer& FakeInternet::server(std::string_view address) {
    auto it = servers_.find(parse_address(address));
    if (it == servers_.end())
        throw std::invalid_argument("FakeInternet: no server at " + std::string(address));
    return it->second;
}

std::optional<Bytes> FakeInternet::deliver(const Endpoint& to, std::span<const std::uint8_t> query,
                                           bool tcp) {
    auto it = servers_.find(to.address);
    if (it == servers_.end() || to.port != 53) return std::nullopt;
    const ParsedMessage m = parse_message(query);
    if (!m.questions().empty()) {
        const RecordView& q = m.questions()[0];
        log.push_back({to.address, name_to_text(m.owner_original_case(q).view()), q.type, tcp, m.edns.present,
                       m.edns.dnssec_ok});
    }
    return it->second.answer(query, tcp);
}

std::vector<std::string> FakeInternet::log_lines() const {
    std::vector<std::string> lines;
    lines.reserve(log.size());
    for (const auto& r : log) lines.push_back(to_string(r));
    return lines;
}

}  // namespace lanlord::test
