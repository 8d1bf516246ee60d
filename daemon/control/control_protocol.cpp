#include "daemon/control/control_protocol.h"

#include "common/dns_name.h"
#include "common/log.h"
#include "daemon/control/query_log_json.h"
#include "daemon/control/status_json.h"
#include "resolver/wire/answer_text.h"

namespace lanlord {

namespace {

constexpr std::size_t kDefaultDumpLimit = 10000;

nlohmann::json error_reply(const std::string& why) {
    return control_error(why);
}

nlohmann::json ok_reply(nlohmann::json result) {
    return control_ok(std::move(result));
}

// A required string argument.
const std::string* string_argument(const nlohmann::json& request, const char* key) {
    auto it = request.find(key);
    return it != request.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// The commands the web page adds (also on the control socket).
std::optional<nlohmann::json> dispatch_page(const std::string& command, const nlohmann::json& request,
                                            ControlBackend& backend) {
    if (command == "querylog") {
        QueryLogFilter filter;
        std::size_t limit = 0;
        if (auto why = parse_query_log_request(request, filter, limit); !why.empty()) return error_reply(why);
        return backend.querylog(filter, limit);
    }
    if (command == "dashboard") return backend.dashboard();
    if (command == "lists") return backend.lists();
    if (command == "config") return backend.config_text();
    if (command == "bench") return backend.bench_state();
    if (command == "domains") {
        const std::string* name = string_argument(request, "name");
        const std::string* action = string_argument(request, "action");
        auto wire = name ? name_from_text(*name) : std::nullopt;
        if (!wire || wire->size() <= 1) return error_reply("\"name\" must be a domain name (not the root)");
        if (!action || (*action != "block" && *action != "allow" && *action != "remove"))
            return error_reply("\"action\" must be block, allow or remove");
        DomainAction a = *action == "block"   ? DomainAction::block
                         : *action == "allow" ? DomainAction::allow
                                              : DomainAction::remove;
        return backend.change_domain(*wire, a);
    }
    if (command == "leases.reserve") {
        const std::string* text = string_argument(request, "address");
        auto address = text ? IpAddress::parse(*text) : std::nullopt;
        if (!address || !address->is_v4())
            return error_reply("\"address\" must be the IPv4 address of a lease");
        return backend.reserve_lease(*address);
    }
    if (command == "web.password") {
        const std::string* hash = string_argument(request, "hash");
        // crypt(3) hashes are "$id$...", printable, short: anything else is refused.
        bool plausible = hash && hash->size() > 8 && hash->size() < 512 && (*hash)[0] == '$';
        if (plausible)
            for (char c : *hash)
                if (c <= ' ' || c > '~') plausible = false;
        if (!plausible)
            return error_reply("\"hash\" must be a crypt(3) hash (lanlordctl web-password makes one)");
        return backend.set_web_password(*hash);
    }
    if (command == "bench.start") {
        std::vector<std::string> servers;
        if (auto it = request.find("servers"); it != request.end() && !it->is_null()) {
            if (!it->is_array() || it->size() > 16)
                return error_reply("\"servers\" must be a list of up to 16 addresses");
            for (const auto& s : *it) {
                if (!s.is_string() || !Endpoint::parse(s.get<std::string>(), 53))
                    return error_reply(
                        "\"servers\" must hold addresses such as 192.0.2.1 or [2001:db8::1]:53");
                servers.push_back(s.get<std::string>());
            }
        }
        bool upstreams = false;
        if (auto it = request.find("upstreams"); it != request.end() && it->is_boolean())
            upstreams = it->get<bool>();
        return backend.bench_start(servers, upstreams);
    }
    return std::nullopt;
}

// The optional "name" argument: absent, or a domain name in presentation form.
bool read_name_argument(const nlohmann::json& request, std::optional<std::string>& out, std::string& why) {
    auto it = request.find("name");
    if (it == request.end() || it->is_null()) return true;
    if (!it->is_string()) {
        why = "\"name\" must be a string";
        return false;
    }
    out = name_from_text(it->get_ref<const std::string&>());
    if (!out) {
        why = "\"name\" is not a valid domain name";
        return false;
    }
    return true;
}

nlohmann::json dispatch(const nlohmann::json& request, ControlBackend& backend) {
    if (!request.is_object()) return error_reply("a request is a JSON object");
    auto cmd = request.find("command");
    if (cmd == request.end() || !cmd->is_string()) return error_reply("missing \"command\" (a string)");
    const std::string& command = cmd->get_ref<const std::string&>();

    if (command == "status") return ok_reply(status_json(backend.snapshot()));
    if (command == "stats") return ok_reply(stats_json(backend.snapshot()));
    if (command == "cache.dump" || command == "cache.flush") {
        std::optional<std::string> name;
        std::string why;
        if (!read_name_argument(request, name, why)) return error_reply(why);
        if (command == "cache.flush") return ok_reply({{"flushed", backend.cache_flush(name)}});
        std::size_t limit = kDefaultDumpLimit;
        if (auto l = request.find("limit"); l != request.end()) {
            if (!l->is_number_unsigned()) return error_reply("\"limit\" must be a non-negative integer");
            limit = l->get<std::size_t>();
        }
        return ok_reply(backend.cache_dump(name, limit));
    }
    if (command == "leases") return ok_reply(backend.leases());
    if (command == "reload") {
        auto errors = backend.reload();
        if (errors.empty()) return ok_reply({{"reloaded", true}});
        nlohmann::json reply = error_reply("the configuration has errors; the one in force is kept");
        reply["errors"] = errors;
        return reply;
    }
    if (command == "log-level") {
        auto level = request.find("level");
        if (level == request.end() || !level->is_string()) return error_reply("missing \"level\" (a string)");
        const std::string& name = level->get_ref<const std::string&>();
        if (!parse_log_level(name))
            return error_reply(
                "unknown log level: expected trace, debug, info, warn, error, critical or off");
        backend.set_log_level(name);
        return ok_reply({{"level", name}});
    }
    if (command == "trace") return error_reply("trace is answered on the control socket only");
    if (auto reply = dispatch_page(command, request, backend)) return std::move(*reply);
    return error_reply(
        "unknown command; known: status, stats, cache.dump, cache.flush, leases, reload, log-level, trace, "
        "querylog, dashboard, lists, domains, leases.reserve, config, web.password, bench, bench.start");
}

}  // namespace

nlohmann::json control_error(const std::string& why) {
    return {{"ok", false}, {"error", why}};
}

nlohmann::json control_ok(nlohmann::json result) {
    return {{"ok", true}, {"result", std::move(result)}};
}

nlohmann::json handle_control(const nlohmann::json& request, ControlBackend& backend) {
    try {
        return dispatch(request, backend);
    } catch (const std::exception& e) {  // a backend failure (out of memory, ...): an error, not a crash
        return error_reply(std::string("internal error: ") + e.what());
    }
}

std::string to_json_line(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string handle_control_request(std::string_view line, ControlBackend& backend) {
    if (line.size() > kMaxControlRequest) return to_json_line(error_reply("request too long"));
    nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) return to_json_line(error_reply("not valid JSON"));
    return to_json_line(handle_control(request, backend));
}

std::optional<TraceRequest> parse_trace_request(std::string_view line) {
    if (line.find("\"trace\"") == std::string_view::npos) return std::nullopt;  // the common case: cheap
    nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) return std::nullopt;
    auto cmd = request.find("command");
    if (cmd == request.end() || !cmd->is_string() || cmd->get_ref<const std::string&>() != "trace")
        return std::nullopt;
    TraceRequest t;
    auto name = request.find("name");
    std::optional<std::string> wire;
    if (name != request.end() && name->is_string())
        wire = name_from_text(name->get_ref<const std::string&>());
    if (!wire) {
        t.error = "\"name\" must be a valid domain name";
        return t;
    }
    t.wire_name = *wire;
    if (auto type = request.find("type"); type != request.end()) {
        auto code = type->is_string() ? type_from_text(type->get_ref<const std::string&>()) : std::nullopt;
        if (!code) {
            t.error = "\"type\" must be a record type such as A, AAAA, MX or TYPE65";
            return t;
        }
        t.qtype = *code;
    }
    return t;
}

}  // namespace lanlord
