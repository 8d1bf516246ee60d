// Which upstream group serves a query: by the longest domain suffix that a
// group lists ("." is the default route), among the groups open to the
// interface the query arrived on (systemd-resolved's per-link DNS and
// dnsmasq's server=/domain/ip, served to the whole LAN).
//
// Ties at the same suffix go to a group restricted to the client's interface
// over an unrestricted one (the more specific rule wins), then to the first.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lanlord {

struct RouteRule {
    std::size_t group;
    std::string domain;                // lower-case wire form
    std::vector<std::string> clients;  // listening interfaces allowed; empty = all
};

struct Route {
    std::size_t group;
    bool explicit_domain;  // matched a domain other than the root
};

class UpstreamRouter {
  public:
    void add(RouteRule rule);
    std::optional<Route> route(std::string_view qname, std::string_view client_interface) const;

  private:
    std::vector<RouteRule> rules_;
};

}  // namespace lanlord
