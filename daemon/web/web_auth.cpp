#include "daemon/web/web_auth.h"

#include <crypt.h>

#include <algorithm>
#include <cstring>

#include "common/text.h"

namespace lanlord {

std::string hash_password(std::string_view password, std::span<const std::uint8_t> random,
                          std::string& error) {
    if (random.size() < 16) {
        error = "not enough random bytes for a salt";
        return {};
    }
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    // count 0: yescrypt's default cost (the one Debian uses for /etc/shadow).
    if (!crypt_gensalt_rn("$y$", 0, reinterpret_cast<const char*>(random.data()),
                          static_cast<int>(random.size()), setting, sizeof setting)) {
        error = std::string("crypt_gensalt: ") + std::strerror(errno);
        return {};
    }
    std::string pw(password);
    crypt_data data{};
    const char* out = crypt_rn(pw.c_str(), setting, &data, sizeof data);
    std::fill(pw.begin(), pw.end(), '\0');
    if (!out || out[0] == '*') {
        error = "crypt failed";
        return {};
    }
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff = static_cast<unsigned char>(
            diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i])));
    return diff == 0;
}

bool verify_password(std::string_view password, const std::string& hash) {
    if (hash.empty() || hash[0] != '$' || password.find('\0') != std::string_view::npos) return false;
    std::string pw(password);
    crypt_data data{};
    const char* out = crypt_rn(pw.c_str(), hash.c_str(), &data, sizeof data);
    std::fill(pw.begin(), pw.end(), '\0');
    // crypt_rn returns a string starting with '*' on failure, never the hash.
    return out && out[0] != '*' && constant_time_equal(out, hash);
}

// ---- LoginLimiter

namespace {
std::string address_key(const IpAddress& a) {
    return {reinterpret_cast<const char*>(a.bytes()), a.size()};
}
constexpr Duration kMaxWait = std::chrono::minutes(5);
}  // namespace

std::optional<Duration> LoginLimiter::check(const IpAddress& client, TimePoint now) {
    if (auto it = clients_.find(address_key(client)); it != clients_.end() && it->second.blocked_until > now)
        return it->second.blocked_until - now;
    while (!recent_.empty() && now - recent_.front() >= std::chrono::minutes(1)) recent_.pop_front();
    if (recent_.size() >= kGlobalPerMinute) return recent_.front() + std::chrono::minutes(1) - now;
    recent_.push_back(now);
    return std::nullopt;
}

void LoginLimiter::failed(const IpAddress& client, TimePoint now) {
    std::string key = address_key(client);
    auto it = clients_.find(key);
    if (it == clients_.end()) {
        if (clients_.size() >= kMaxTracked) {
            auto oldest =
                std::min_element(clients_.begin(), clients_.end(),
                                 [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
            clients_.erase(oldest);
        }
        it = clients_.emplace(key, Entry{}).first;
    }
    Entry& e = it->second;
    e.last = now;
    ++e.failures;
    if (e.failures >= kFreeFailures) {
        unsigned doublings = std::min(e.failures - kFreeFailures, 16u);
        Duration wait = std::min<Duration>(std::chrono::seconds(1) * (1u << doublings), kMaxWait);
        e.blocked_until = now + wait;
    }
}

void LoginLimiter::succeeded(const IpAddress& client) {
    clients_.erase(address_key(client));
}

// ---- SessionTable

std::string SessionTable::create(std::span<const std::uint8_t, 64> random, TimePoint now) {
    if (sessions_.size() >= kMaxSessions) {
        auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
            return a.second.last_used < b.second.last_used;
        });
        sessions_.erase(oldest);
    }
    std::string token = to_hex(random.first<32>());
    WebSession s;
    s.csrf = to_hex(random.last<32>());
    s.last_used = now;
    sessions_[token] = std::move(s);
    return token;
}

const WebSession* SessionTable::find(std::string_view token, TimePoint now) {
    if (token.size() != 64) return nullptr;
    auto it = sessions_.find(std::string(token));
    if (it == sessions_.end()) return nullptr;
    if (now - it->second.last_used >= idle_) {
        sessions_.erase(it);
        return nullptr;
    }
    it->second.last_used = now;
    return &it->second;
}

void SessionTable::erase(std::string_view token) {
    sessions_.erase(std::string(token));
}

}  // namespace lanlord
