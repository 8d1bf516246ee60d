// A signed fake hierarchy for the validating scenario tests (recursive and
// forwarding mode), made at test time:
// root (RSASHA256, NSEC) -> zz. (ECDSA, NSEC3 opt-out) -> example.zz.
// (Ed25519, NSEC), n3.zz. (ECDSA, NSEC3), insecure.zz. (unsigned),
// expired.zz. (signatures expired a day ago), wrongkey.zz. (its DS names a
// key it does not publish). Signatures are valid around kSignedWall.
#pragma once

#include <cstdint>
#include <vector>

#include "resolver/dnssec/trust_anchors.h"
#include "support/fake_zone.h"

namespace lanlord::test {

inline constexpr std::int64_t kSignedWall = 1'800'000'000;

struct SignedZones {
    // With the addresses of their servers in the recursion tests: root
    // 198.51.100.1, zz. 198.51.100.20, then 203.0.113.30-34.
    std::vector<std::pair<const char*, FakeZone>> zones;
    TrustAnchors anchors;  // the root KSK's DS
};
SignedZones make_signed_zones();

}  // namespace lanlord::test
