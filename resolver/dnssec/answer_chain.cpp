#include "resolver/dnssec/answer_chain.h"

#include "common/dns_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

const SignedRrset* find_rrset(std::span<const SignedRrset> sets, std::string_view owner, std::uint16_t type) {
    for (const SignedRrset& s : sets)
        if (s.owner == owner && (s.type == type || (type == dns::type::ANY && s.type != dns::type::CNAME)))
            return &s;
    return nullptr;
}

const SignedRrset* find_dname_above(std::span<const SignedRrset> sets, std::string_view name) {
    for (const SignedRrset& s : sets)
        if (s.type == dns::type::DNAME && s.owner != name && name_is_under(name, s.owner)) return &s;
    return nullptr;
}

std::string alias_target(const SignedRrset& s) {
    if (s.rdatas.size() != 1) return {};
    std::size_t pos = 0;
    WireName n;
    if (read_wire_name(s.rdatas[0], pos, n) != WireNameError::ok) return {};
    return std::string(n.view());
}

std::string dname_substitute(std::string_view name, const SignedRrset& dname) {
    std::string target = alias_target(dname);
    if (target.empty()) return {};
    std::string out(name.substr(0, name.size() - dname.owner.size()));
    out += target;
    return out.size() <= kMaxNameLength ? out : std::string();
}

}  // namespace lanlord
