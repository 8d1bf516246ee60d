#include "resolver/local/local_zone.h"

#include <algorithm>

#include "common/dns_name.h"
#include "resolver/local/reverse_name.h"
#include "resolver/wire/dns_constants.h"

namespace lanlord {

void LocalZone::add_record(const std::string& name, LocalRecord record) {
    auto& list = names_[name];
    for (const auto& r : list)
        if (r.type == record.type && r.rdata == record.rdata) return;
    list.push_back(std::move(record));
}

void LocalZone::add_address(const std::string& name, const IpAddress& a, bool canonical) {
    add_record(name, {a.is_v4() ? dns::type::A : dns::type::AAAA, ttl_, {a.bytes(), a.bytes() + a.size()}});
    if (!canonical) return;
    // The first name listed for an address is its canonical name (hosts(5)).
    std::string ptr = reverse_name(a);
    auto it = names_.find(ptr);
    // With expand_hosts a plain name is known by its full name in the local domain.
    std::string target = name;
    if (expand_hosts_ && !domain_.empty() && name_label_count(name) == 1)
        target = name.substr(0, name.size() - 1) + domain_;
    if (it == names_.end() || std::none_of(it->second.begin(), it->second.end(),
                                           [](const LocalRecord& r) { return r.type == dns::type::PTR; }))
        add_record(ptr, {dns::type::PTR, ttl_, {target.begin(), target.end()}});
}

void LocalZone::add_hosts(const HostsTable& hosts) {
    hosts.for_each([&](const std::string& name, const IpAddress& a, bool canonical) {
        add_address(name, a, canonical);
    });
}

void LocalZone::add_rule(const std::string& domain, std::vector<IpAddress> addresses) {
    auto& list = rules_[domain];
    list.insert(list.end(), addresses.begin(), addresses.end());
}

const std::vector<LocalRecord>* LocalZone::exact(std::string_view name) const {
    auto it = names_.find(name);
    return it == names_.end() ? nullptr : &it->second;
}

bool LocalZone::holds(std::string_view qname) const {
    LocalLookup l = find(qname);
    return l.kind == LocalLookup::Kind::found;
}

LocalLookup LocalZone::find(std::string_view qname) const {
    LocalLookup out;
    if (const auto* r = exact(qname)) {
        out.kind = LocalLookup::Kind::found;
        out.stored = r;
        out.zone = qname;
        return out;
    }
    bool in_domain = !domain_.empty() && name_is_under(qname, domain_);
    // expand_hosts: "nas" from a hosts file also answers as "nas.lan".
    if (in_domain && expand_hosts_ && qname.size() > domain_.size()) {
        std::string_view label = qname.substr(0, qname.size() - domain_.size());
        if (static_cast<std::size_t>(static_cast<std::uint8_t>(label[0])) + 1 == label.size()) {
            char buf[kMaxNameLength + 1];
            std::copy(label.begin(), label.end(), buf);
            buf[label.size()] = '\0';
            if (const auto* r = exact({buf, label.size() + 1})) {
                out.kind = LocalLookup::Kind::found;
                out.stored = r;
                out.zone = domain_;
                return out;
            }
        }
    }
    // Address rules: the longest matching domain (the domain and every name below).
    if (!rules_.empty()) {
        std::size_t p = 0;
        while (p < qname.size() && qname[p] != 0) {
            auto it = rules_.find(qname.substr(p));
            if (it != rules_.end()) {
                for (const auto& a : it->second)
                    out.synthesized.push_back({a.is_v4() ? dns::type::A : dns::type::AAAA,
                                               ttl_,
                                               {a.bytes(), a.bytes() + a.size()}});
                out.kind = LocalLookup::Kind::found;
                out.zone = it->first;
                return out;
            }
            p += 1 + static_cast<std::uint8_t>(qname[p]);
        }
    }
    if (in_domain) {
        // RFC 6761-style local zone: its apex exists (answers NODATA), the rest is NXDOMAIN.
        out.kind = qname.size() == domain_.size() ? LocalLookup::Kind::found : LocalLookup::Kind::nxdomain;
        out.zone = domain_;
    }
    return out;
}

}  // namespace lanlord
