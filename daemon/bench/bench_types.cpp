#include "daemon/bench/bench_types.h"

namespace lanlord::bench {

const char* to_string(TargetKind kind) {
    switch (kind) {
        case TargetKind::self:
            return "self";
        case TargetKind::upstream:
            return "upstream";
        case TargetKind::server:
            return "server";
        case TargetKind::public_preset:
            return "public";
    }
    return "server";
}

const char* to_string(Transport transport) {
    return transport == Transport::tls ? "tls" : "udp";
}

std::string address_text(const Target& target) {
    std::string text = target.endpoint.to_string();
    return target.transport == Transport::tls ? "tls://" + text : text;
}

std::string rcode_name(std::uint8_t rcode) {
    // RFC 1035 4.1.1 and RFC 2136 2.2: the ones a resolver may plausibly send.
    static const char* const names[] = {"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE"};
    if (rcode < sizeof(names) / sizeof(names[0])) return names[rcode];
    return "RCODE" + std::to_string(rcode);
}

}  // namespace lanlord::bench
