#include "daemon/control/control_protocol.h"

#include "common/dns_name.h"
#include "common/log.h"
#include "daemon/control/status_json.h"
#include "resolver/wire/answer_text.h"

namespace lanlord {

namespace {

constexpr std::size_t kDefaultDumpLimit = 10000;

nlohmann::json error_reply(const std::string& why) {
    return {{"ok", false}, {"error", why}};
}

nlohmann::json ok_reply(nlohmann::json result) {
    return {{"ok", true}, {"result", std::move(result)}};
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
    return error_reply(
        "unknown command; known: status, stats, cache.dump, cache.flush, leases, reload, log-level, trace");
}

}  // namespace

std::string to_json_line(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string handle_control_request(std::string_view line, ControlBackend& backend) {
    if (line.size() > kMaxControlRequest) return to_json_line(error_reply("request too long"));
    nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) return to_json_line(error_reply("not valid JSON"));
    try {
        return to_json_line(dispatch(request, backend));
    } catch (const std::exception& e) {  // a backend failure (out of memory, ...): an error, not a crash
        return to_json_line(error_reply(std::string("internal error: ") + e.what()));
    }
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
