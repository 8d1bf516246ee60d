#include "resolver/engine/upstream_router.h"

#include <algorithm>

#include "common/dns_name.h"

namespace lanlord {

void UpstreamRouter::add(RouteRule rule) {
    rules_.push_back(std::move(rule));
}

std::optional<Route> UpstreamRouter::route(std::string_view qname, std::string_view client_interface) const {
    const RouteRule* best = nullptr;
    for (const auto& r : rules_) {
        if (!r.clients.empty() &&
            std::find(r.clients.begin(), r.clients.end(), client_interface) == r.clients.end())
            continue;
        if (!name_is_under(qname, r.domain)) continue;
        if (!best || r.domain.size() > best->domain.size() ||
            (r.domain.size() == best->domain.size() && !r.clients.empty() && best->clients.empty()))
            best = &r;
    }
    if (!best) return std::nullopt;
    return Route{best->group, best->domain.size() > 1};
}

}  // namespace lanlord
