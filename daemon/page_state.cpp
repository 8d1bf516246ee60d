#include "daemon/page_state.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/dns_name.h"
#include "common/io/atomic_write.h"
#include "common/io/read_file.h"
#include "common/log.h"
#include "common/text.h"

namespace lanlord {

std::vector<std::string> parse_page_list(const std::string& text, std::string& warning) {
    std::vector<std::string> names;
    std::size_t line_number = 0, start = 0;
    while (start < text.size() && names.size() < kMaxPageListNames) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        start = end + 1;
        ++line_number;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto wire = name_from_text(line);
        if (!wire || *wire == std::string(1, '\0')) {
            if (warning.empty()) warning = "line " + std::to_string(line_number) + ": not a domain name";
            continue;
        }
        if (std::find(names.begin(), names.end(), *wire) == names.end()) names.push_back(*wire);
    }
    return names;
}

std::string format_page_list(const std::vector<std::string>& wire_names) {
    std::string text = "# Written by lanlord from its web page; one domain per line.\n";
    for (const auto& w : wire_names) text += name_to_text(w) + "\n";
    return text;
}

std::vector<PageReservation> parse_page_reservations(const std::string& text, std::string& error) {
    std::vector<PageReservation> out;
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("reservations") || !j["reservations"].is_array()) {
        error = "not a JSON object with a \"reservations\" array";
        return out;
    }
    for (const auto& r : j["reservations"]) {
        PageReservation p;
        auto address = r.is_object() && r.contains("address") && r["address"].is_string()
                           ? IpAddress::parse(r["address"].get<std::string>())
                           : std::nullopt;
        auto hardware = r.is_object() && r.contains("hardware") && r["hardware"].is_string()
                            ? parse_hex(r["hardware"].get<std::string>(), true, 16)
                            : std::nullopt;
        if (!address || !address->is_v4() || !hardware) {
            error = "a reservation without a valid \"address\" (IPv4) and \"hardware\" was skipped";
            continue;
        }
        p.address = *address;
        p.hardware = *hardware;
        if (r.contains("hostname") && r["hostname"].is_string())
            p.hostname = r["hostname"].get<std::string>();
        out.push_back(std::move(p));
    }
    return out;
}

std::string format_page_reservations(const std::vector<PageReservation>& reservations) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : reservations)
        list.push_back({{"address", r.address.to_string()},
                        {"hardware", to_hex(r.hardware, ':')},
                        {"hostname", r.hostname}});
    nlohmann::json j{{"comment", "Written by lanlord from its web page."}, {"reservations", list}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

dhcp::Reservation to_dhcp_reservation(const PageReservation& r) {
    dhcp::Reservation d;
    d.hardware = r.hardware;
    d.address = r.address;
    d.hostname = r.hostname;
    return d;
}

PageState::PageState(std::string directory) : directory_(std::move(directory)) {}

namespace {

// A file that does not parse is kept aside for the user and started again.
void set_aside(const std::string& path, const std::string& why) {
    spdlog::error("{}: {}; kept as {}.bad, starting it again", path, why, path);
    std::rename(path.c_str(), (path + ".bad").c_str());
}

}  // namespace

void PageState::load() {
    ::mkdir(directory_.c_str(), 0750);  // exists already in the common case
    auto read_list = [&](const char* file, std::vector<std::string>& into) {
        std::string p = path(file);
        auto text = io::read_file(p);
        if (!text) return;
        std::string warning;
        into = parse_page_list(*text, warning);
        if (!warning.empty()) spdlog::warn("{}: {} (skipped)", p, warning);
    };
    read_list("web-blocked.list", blocked_);
    read_list("web-allowed.list", allowed_);
    if (auto text = io::read_file(path("web-reservations.json"))) {
        std::string error;
        reservations_ = parse_page_reservations(*text, error);
        if (!error.empty() && reservations_.empty())
            set_aside(path("web-reservations.json"), error);
        else if (!error.empty())
            spdlog::warn("{}: {}", path("web-reservations.json"), error);
    }
    if (auto text = io::read_file(path("web-password"))) {
        std::string hash = *text;
        while (!hash.empty() && (hash.back() == '\n' || hash.back() == '\r')) hash.pop_back();
        if (hash.size() > 8 && hash[0] == '$')
            password_hash_ = hash;
        else
            set_aside(path("web-password"), "not a crypt(3) hash");
    }
}

std::string PageState::change_domain(const std::string& wire, DomainAction action) {
    auto blocked = blocked_, allowed = allowed_;
    auto drop = [&](std::vector<std::string>& v) { v.erase(std::remove(v.begin(), v.end(), wire), v.end()); };
    drop(blocked);
    drop(allowed);
    if (action == DomainAction::block) blocked.push_back(wire);
    if (action == DomainAction::allow) allowed.push_back(wire);
    if (blocked.size() > kMaxPageListNames || allowed.size() > kMaxPageListNames)
        return "the page's lists hold at most 10,000 names each: use a blocklist file";
    if (blocked != blocked_)
        if (auto err = io::write_file_atomically(path("web-blocked.list"), format_page_list(blocked));
            !err.empty())
            return err;
    blocked_ = std::move(blocked);
    if (allowed != allowed_)
        if (auto err = io::write_file_atomically(path("web-allowed.list"), format_page_list(allowed));
            !err.empty())
            return err;
    allowed_ = std::move(allowed);
    return "";
}

std::string PageState::add_reservation(const PageReservation& r) {
    auto next = reservations_;
    // A new reservation for the same device or address replaces the old one.
    next.erase(std::remove_if(next.begin(), next.end(),
                              [&](const PageReservation& x) {
                                  return x.hardware == r.hardware || x.address == r.address;
                              }),
               next.end());
    next.push_back(r);
    if (auto err = io::write_file_atomically(path("web-reservations.json"), format_page_reservations(next));
        !err.empty())
        return err;
    reservations_ = std::move(next);
    return "";
}

std::string PageState::set_password_hash(const std::string& hash) {
    std::string p = path("web-password");
    // Created 0600 before the hash goes in: never readable by others, even briefly.
    mode_t old = ::umask(077);
    std::string err = io::write_file_atomically(p, hash + "\n");
    ::umask(old);
    if (!err.empty()) return err;
    ::chmod(p.c_str(), 0600);
    password_hash_ = hash;
    return "";
}

}  // namespace lanlord
