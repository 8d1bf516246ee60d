// Who may use the web page: the password, the sessions, the CSRF tokens and
// the login rate limit. Sans-I/O: random bytes and `now` come in.
//
// - The password is stored as a crypt(3) hash made by libxcrypt (libcrypt,
//   on every Debian system: it hashes /etc/shadow) with yescrypt ("$y$", its
//   default cost), the memory-hard hash Debian chose for login passwords.
//   libxcrypt is well kept, already installed, and verifies every hash
//   format it makes; argon2 from libsodium would add a package for no gain.
//   A hash takes ~30-100 ms (by design), on the main thread: the rate limit
//   below bounds how often.
// - A session is 32 random bytes (getrandom), sent as an HttpOnly,
//   SameSite=Strict cookie, so script on a page (ours or another site's)
//   cannot read it and no other site's request carries it. Sessions end
//   after `idle` without a request, on logout, and at a restart (memory
//   only). At most 64 at once: a new one replaces the least recently used.
// - Each session has its own CSRF token (32 random bytes), given to the page
//   by /api/login and /api/session and required in X-CSRF-Token on every
//   request that changes something; compared in constant time.
// - Login attempts: 5 failures per client address are free; after that each
//   further failure doubles the wait (1 s, 2 s, ... up to 5 min) before the
//   next attempt from that address is even checked. Across all addresses,
//   at most 30 attempts per minute are checked (a LAN full of compromised
//   devices cannot try more). A success clears the address. 1,024 addresses
//   are tracked; the oldest is forgotten first.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/ip_address.h"
#include "common/time.h"

namespace lanlord {

// A yescrypt hash of `password` with a salt from `random` (at least 16 bytes);
// "" and `error` when libcrypt fails.
std::string hash_password(std::string_view password, std::span<const std::uint8_t> random,
                          std::string& error);
// The hash is one crypt(3) accepts and `password` matches it.
bool verify_password(std::string_view password, const std::string& hash);
// Equal, in time that depends on the lengths only.
bool constant_time_equal(std::string_view a, std::string_view b);

class LoginLimiter {
  public:
    static constexpr unsigned kFreeFailures = 5;
    static constexpr std::size_t kMaxTracked = 1024;
    static constexpr unsigned kGlobalPerMinute = 30;

    // nullopt: may try now; else how long to wait.
    std::optional<Duration> check(const IpAddress& client, TimePoint now);
    void failed(const IpAddress& client, TimePoint now);
    void succeeded(const IpAddress& client);

  private:
    struct Entry {
        unsigned failures = 0;
        TimePoint blocked_until{};
        TimePoint last{};
    };
    std::unordered_map<std::string, Entry> clients_;  // by address bytes
    std::deque<TimePoint> recent_;                    // attempts checked in the last minute, all clients
};

struct WebSession {
    std::string csrf;
    TimePoint last_used{};
};

class SessionTable {
  public:
    static constexpr std::size_t kMaxSessions = 64;
    explicit SessionTable(Duration idle) : idle_(idle) {}
    void set_idle(Duration idle) { idle_ = idle; }

    // A new session: its token (cookie value) and CSRF token from 64 random bytes.
    std::string create(std::span<const std::uint8_t, 64> random, TimePoint now);
    // The live session of `token`, its idle time restarted; null if none.
    const WebSession* find(std::string_view token, TimePoint now);
    void erase(std::string_view token);
    void clear() { sessions_.clear(); }
    std::size_t size() const { return sessions_.size(); }

  private:
    Duration idle_;
    std::unordered_map<std::string, WebSession> sessions_;
};

}  // namespace lanlord
