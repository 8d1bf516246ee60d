#include "daemon/control/query_log_json.h"

#include <charconv>

#include "common/dns_name.h"
#include "resolver/wire/answer_text.h"

namespace lanlord {

namespace {

// The string value of `key`: nullopt when absent, null or "" (no filter);
// `bad` when it is something else than a string.
std::optional<std::string> text_field(const nlohmann::json& request, const char* key, bool& bad) {
    auto it = request.find(key);
    if (it == request.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) {
        bad = true;
        return std::nullopt;
    }
    const auto& s = it->get_ref<const std::string&>();
    if (s.empty()) return std::nullopt;
    return s;
}

}  // namespace

std::string parse_query_log_request(const nlohmann::json& request, QueryLogFilter& filter,
                                    std::size_t& limit) {
    limit = kDefaultQueryLogLimit;
    if (auto it = request.find("limit"); it != request.end() && !it->is_null()) {
        std::uint64_t n = 0;
        if (it->is_number_unsigned()) {
            n = it->get<std::uint64_t>();
        } else if (it->is_string()) {
            const auto& s = it->get_ref<const std::string&>();
            auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
            if (ec != std::errc() || p != s.data() + s.size()) n = 0;
        }
        if (n < 1 || n > kMaxQueryLogLimit) return "\"limit\" must be a number from 1 to 10000";
        limit = n;
    }
    bool bad = false;
    if (auto client = text_field(request, "client", bad)) {
        auto prefix = Prefix::parse(*client);
        if (!prefix) return "\"client\" must be an address or a prefix such as 192.0.2.0/24";
        filter.client = *prefix;
    }
    if (bad) return "\"client\" must be a string";
    if (auto name = text_field(request, "name", bad)) {
        if (name->size() > 1024) return "\"name\" is too long";
        filter.name_contains = *name;
    }
    if (bad) return "\"name\" must be a string";
    if (auto type = text_field(request, "type", bad)) {
        auto code = type_from_text(*type);
        if (!code) return "\"type\" must be a record type such as A, AAAA, MX or TYPE65";
        filter.qtype = *code;
    }
    if (bad) return "\"type\" must be a string";
    if (auto outcome = text_field(request, "outcome", bad)) {
        std::uint32_t bits = 0;
        std::string_view rest = *outcome;
        while (!rest.empty()) {
            auto comma = rest.find(',');
            std::string_view word = rest.substr(0, comma);
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
            if (word.empty()) continue;
            auto o = parse_query_outcome(word);
            if (!o)
                return "\"outcome\" must be a comma list of: cached, forwarded, recursive, local, blocked, "
                       "stale, "
                       "failed, refused, invalid, dropped";
            bits |= 1u << static_cast<unsigned>(*o);
        }
        if (bits) filter.outcomes = bits;
    }
    if (bad) return "\"outcome\" must be a string";
    return "";
}

nlohmann::json query_log_record_json(const QueryLogRecord& r, std::string_view client_name) {
    std::string answer;
    if (r.has(query_log_flag::name_hidden)) {
        // The answer would show the name: hidden with it.
    } else if (auto a = r.answer_address()) {
        answer = a->to_string();
    } else if (r.answer_len > 0) {
        answer = name_to_display({reinterpret_cast<const char*>(r.answer.data()), r.answer_len});
        if (r.has(query_log_flag::answer_truncated)) answer = "..." + answer;
    } else if (r.answer_type != 0) {
        answer = type_to_text(r.answer_type);
    }
    std::string name;
    if (!r.has(query_log_flag::name_hidden) && r.name_len > 0) {
        name = name_to_display(r.name_view());
        if (r.has(query_log_flag::name_truncated)) name = "..." + name;
    }
    auto client = r.client_address();
    return {{"time_ms", r.wall_ms},
            {"client", client ? client->to_string() : std::string()},
            {"client_name", std::string(client_name)},
            {"name", std::move(name)},
            {"type", type_to_text(r.qtype)},
            {"outcome", std::string(to_string(r.outcome))},
            {"rcode", r.outcome == QueryOutcome::dropped ? std::string("-")
                                                         : rcode_to_text(static_cast<std::uint8_t>(r.rcode))},
            {"answer", std::move(answer)},
            {"answer_count", r.answer_count},
            {"answer_ms", static_cast<double>(r.answer_us) / 1000.0},
            {"secure", r.has(query_log_flag::authentic)},
            {"tcp", r.has(query_log_flag::tcp)}};
}

std::string_view privacy_name(QueryLogPrivacy p) {
    switch (p) {
        case QueryLogPrivacy::show_all:
            return "show_all";
        case QueryLogPrivacy::hide_names:
            return "hide_names";
        case QueryLogPrivacy::hide_clients:
            return "hide_clients";
        case QueryLogPrivacy::off:
            break;
    }
    return "off";
}

}  // namespace lanlord
