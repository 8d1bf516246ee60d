#include "resolver/engine/client_rate_limiter.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "common/hash.h"

namespace lanlord {

namespace {

// The bucket a client's queries count against: an IPv4 address (also when
// written v4-mapped, RFC 4291 2.5.5.2), or the /64 of an IPv6 address.
std::array<std::uint8_t, 16> client_key(const IpAddress& a) {
    std::array<std::uint8_t, 16> k{};
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (a.is_v4()) {
        std::memcpy(k.data() + 12, a.bytes(), 4);
        k[10] = k[11] = 0xff;
    } else if (std::memcmp(a.bytes(), kMapped, 12) == 0) {
        std::memcpy(k.data(), a.bytes(), 16);
    } else {
        std::memcpy(k.data(), a.bytes(), 8);
        k[15] = 1;  // apart from every IPv4 key
    }
    return k;
}

}  // namespace

ClientRateLimiter::ClientRateLimiter(std::uint32_t rate, std::uint32_t burst, std::size_t slots)
    : rate_(std::max<std::uint32_t>(rate, 1)),
      burst_(burst ? burst : rate_),
      interval_(std::chrono::duration_cast<Duration>(std::chrono::seconds(1)) / rate_),
      tolerance_(interval_ * (burst_ - 1)),
      sets_per_shard_(std::max<std::size_t>(1, (slots + kShards * kWays - 1) / (kShards * kWays))) {
    for (Shard& s : shards_) s.slots.resize(sets_per_shard_ * kWays);
}

bool ClientRateLimiter::allow(const IpAddress& client, TimePoint now) {
    Key key = client_key(client);
    std::uint64_t h = seeded_hash({reinterpret_cast<const char*>(key.data()), key.size()}, 0x726174656c696d);
    Shard& shard = shards_[h % kShards];
    std::size_t set = (h / kShards) % sets_per_shard_;
    std::lock_guard lock(shard.mu);
    Slot* ways = shard.slots.data() + set * kWays;
    Slot* slot = nullptr;
    for (std::size_t i = 0; i < kWays && !slot; ++i)
        if (ways[i].used && ways[i].key == key) slot = &ways[i];
    if (!slot) {
        // A slot whose tat has passed holds nothing a fresh client would not
        // have; failing that, the earliest tat (the client nearest to free).
        slot = &ways[0];
        for (std::size_t i = 0; i < kWays; ++i) {
            if (!ways[i].used || ways[i].tat <= now) {
                slot = &ways[i];
                break;
            }
            if (ways[i].tat < slot->tat) slot = &ways[i];
        }
        *slot = {key, now, true};
    }
    TimePoint tat = std::max(slot->tat, now);
    if (tat - now > tolerance_) return false;
    slot->tat = tat + interval_;
    return true;
}

}  // namespace lanlord
