#include "daemon/bench/targets.h"

#include <algorithm>

#include "resolver/engine/resolv_conf.h"

namespace lanlord::bench {

const std::vector<Target>& public_targets() {
    static const std::vector<Target> targets = [] {
        std::vector<Target> t;
        auto add = [&](const char* name, const char* address) {
            t.push_back({name, *Endpoint::parse(address, 53), TargetKind::public_preset});
        };
        add("Cloudflare", "1.1.1.1");
        add("Google", "8.8.8.8");
        add("Quad9", "9.9.9.9");
        add("OpenDNS", "208.67.222.222");
        add("AdGuard (unfiltered)", "94.140.14.140");
        add("Control D (unfiltered)", "76.76.2.0");
        return t;
    }();
    return targets;
}

const std::vector<Target>& public_tls_targets() {
    static const std::vector<Target> targets = [] {
        std::vector<Target> t;
        auto add = [&](const char* name, const char* address, const char* auth_name) {
            Target target{name, *Endpoint::parse(address, kDotPort), TargetKind::public_preset,
                          Transport::tls, TlsAuth{}};
            target.tls.name = auth_name;
            t.push_back(std::move(target));
        };
        add("Cloudflare DoT", "1.1.1.1", "cloudflare-dns.com");
        add("Google DoT", "8.8.8.8", "dns.google");
        add("Quad9 DoT", "9.9.9.9", "dns.quad9.net");
        add("AdGuard DoT (unfiltered)", "94.140.14.140", "unfiltered.adguard-dns.com");
        add("Control D DoT (unfiltered)", "76.76.2.0", "p0.freedns.controld.com");
        return t;
    }();
    return targets;
}

std::optional<Endpoint> self_endpoint(const Config& config) {
    if (config.dns.listen.empty()) return std::nullopt;
    Endpoint e = config.dns.listen.front();
    if (e.address.is_unspecified())
        e.address = e.address.is_v4() ? *IpAddress::parse("127.0.0.1") : *IpAddress::parse("::1");
    return e;
}

namespace {

class TargetList {
  public:
    explicit TargetList(std::vector<std::string>& notes) : notes_(notes) {}

    void add(Target t) {
        for (const auto& existing : list_) {
            // A DoT server asked with other credentials is another target.
            if (existing.endpoint == t.endpoint && existing.transport == t.transport &&
                existing.tls == t.tls) {
                notes_.push_back(t.name + " (" + t.endpoint.to_string() + ") is the same server as " +
                                 existing.name + "; benched once");
                return;
            }
        }
        std::string base = t.name;
        for (unsigned n = 2; taken(t.name); ++n) t.name = base + " (" + std::to_string(n) + ")";
        list_.push_back(std::move(t));
    }
    std::vector<Target> take() { return std::move(list_); }

  private:
    bool taken(const std::string& name) const {
        return std::any_of(list_.begin(), list_.end(), [&](const Target& t) { return t.name == name; });
    }
    std::vector<Target> list_;
    std::vector<std::string>& notes_;
};

}  // namespace

std::vector<Target> collect_targets(const Options& options, const Config& config, const ReadFile& read_file,
                                    std::vector<std::string>& notes) {
    TargetList list(notes);
    if (!options.no_self) {
        if (auto self = options.self ? options.self : self_endpoint(config))
            list.add({"lanlord", *self, TargetKind::self});
        else
            notes.push_back("lanlord listens on dns.interfaces only; give --self IP to include it");
    }
    if (options.upstreams) {
        for (const auto& group : config.upstreams) {
            std::vector<Endpoint> servers = group.servers;
            if (!group.resolv_conf.empty()) {
                if (auto text = read_file(group.resolv_conf)) {
                    for (const auto& e : parse_resolv_conf(*text))
                        if (std::find(servers.begin(), servers.end(), e) == servers.end())
                            servers.push_back(e);
                } else {
                    notes.push_back("upstream " + group.name + ": cannot read " + group.resolv_conf);
                }
            }
            // One server: the group's name; several: numbered in config order.
            for (std::size_t i = 0; i < servers.size(); ++i) {
                std::string name =
                    servers.size() == 1 ? group.name : group.name + "#" + std::to_string(i + 1);
                Target t{name, servers[i], TargetKind::upstream, Transport::udp, TlsAuth{}};
                for (const auto& [endpoint, auth] : group.tls_servers) {
                    if (endpoint != servers[i]) continue;
                    t.transport = Transport::tls;  // with the group's own authentication
                    t.tls = auth;
                }
                list.add(std::move(t));
            }
        }
    }
    for (const auto& s : options.servers) {
        Target t{s.name, s.endpoint, TargetKind::server, s.transport, TlsAuth{}};
        if (s.transport == Transport::tls) t.tls = {s.tls_name, options.tls_pins, options.tls_ca_file};
        list.add(std::move(t));
    }
    if (options.public_preset)
        for (const auto& t : public_targets()) list.add(t);
    if (options.public_tls)
        for (const auto& t : public_tls_targets()) list.add(t);
    return list.take();
}

}  // namespace lanlord::bench
