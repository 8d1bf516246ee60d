#include "resolver/engine/server_identity.h"

#include <algorithm>

#include "resolver/wire/dns_constants.h"

namespace lanlord {

namespace {
using namespace std::string_view_literals;
constexpr std::string_view kIdServer = "\x02id\x06server\x00"sv;
constexpr std::string_view kHostnameBind =
    "\x08hostname\x04"
    "bind\x00"sv;
constexpr std::string_view kVersionServer = "\x07version\x06server\x00"sv;
constexpr std::string_view kVersionBind =
    "\x07version\x04"
    "bind\x00"sv;
}  // namespace

ChaosVerdict answer_chaos(const ServerIdentity& self, std::string_view wire_name, std::uint16_t qtype) {
    std::string_view text;
    bool hidden = false;
    if (wire_name == kIdServer || wire_name == kHostnameBind) {
        text = self.identity;
        hidden = self.hide_identity;
    } else if (wire_name == kVersionServer || wire_name == kVersionBind) {
        text = self.version;
        hidden = self.hide_version;
    } else {
        return {};
    }
    if (hidden) return {};
    if (qtype != dns::type::TXT && qtype != dns::type::ANY) return {ChaosAnswer::nodata, {}};
    return {ChaosAnswer::txt, text};
}

std::vector<std::uint8_t> txt_rdata(std::string_view text) {
    std::size_t n = std::min<std::size_t>(text.size(), 255);
    std::vector<std::uint8_t> out;
    out.reserve(n + 1);
    out.push_back(static_cast<std::uint8_t>(n));
    out.insert(out.end(), text.begin(), text.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
}

}  // namespace lanlord
