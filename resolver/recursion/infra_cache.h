// What the iterator knows about each authoritative server address, shared by
// the engines of every thread: its smoothed RTT, timeouts, what it cannot do
// (EDNS, echoing the 0x20 case) and the zones it is lame for.
//
// Timing is RFC 6298's estimator, per address (the address, not the name:
// one host may serve many zones and names):
//   srtt = 7/8 srtt + 1/8 rtt, rttvar = 3/4 rttvar + 1/4 |srtt - rtt|,
//   RTO = srtt + 4 rttvar, kept within [kMinRto, kMaxRto];
// an address never measured is assumed at kUnknownRtt (unbound's 376 ms,
// Knot's 400 ms), so a measured fast server is preferred and an unknown one
// is still tried before a known slow one. Each timeout in a row doubles the
// RTO (RFC 6298 5.5); kDeadAfter timeouts in a row hold the address back for
// a while (1 s doubling per further timeout, at most kMaxHold), during which
// it is chosen only when nothing else is left (Knot's and pdns's throttling;
// a root or a zone's only server is then still asked).
//
// Lameness is per (address, zone), remembered kLameHold (unbound's
// infra-host-ttl, 900 s): an address that answered REFUSED or an upward
// referral for one zone may serve others well.
//
// Bounded: at most `max_entries` addresses (least recently used dropped).
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/ip_address.h"
#include "common/time.h"

namespace lanlord {

struct ServerState {
    Duration srtt{}, rttvar{};
    bool measured = false;
    unsigned timeouts_in_row = 0;
    TimePoint held_until{};  // after kDeadAfter timeouts in a row
    bool no_edns = false;    // answered FORMERR/NOTIMP to a query with EDNS, fine without
    bool no_0x20 = false;    // did not echo the question's letter case
    std::uint64_t answers = 0, timeouts = 0, failures = 0;
};

struct ServerReport {  // for lanlordctl and /metrics
    IpAddress address;
    ServerState state;
};

class InfraCache {
  public:
    static constexpr Duration kUnknownRtt = milliseconds(376);
    static constexpr Duration kMinRto = milliseconds(50);
    static constexpr Duration kMaxRto = seconds(3);
    static constexpr unsigned kDeadAfter = 4;
    static constexpr Duration kMaxHold = seconds(120);
    static constexpr Duration kLameHold = seconds(900);
    static constexpr Duration kFlagHold = seconds(900);  // no_edns, no_0x20 are re-tried after this

    explicit InfraCache(std::size_t max_entries = 10000) : max_entries_(max_entries) {}

    ServerState get(const IpAddress& a, TimePoint now) const;
    // The timeout for the next query to `a`.
    Duration rto(const IpAddress& a, TimePoint now) const;
    // What selection ranks by: the smoothed RTT (kUnknownRtt when never
    // measured), doubled per timeout in a row. Not the RTO: its floor
    // (kMinRto) would make a 4 ms and a 40 ms server tie.
    Duration expected(const IpAddress& a, TimePoint now) const;
    bool held(const IpAddress& a, TimePoint now) const;

    void on_answer(const IpAddress& a, Duration rtt, TimePoint now);
    void on_timeout(const IpAddress& a, TimePoint now);
    void on_failure(const IpAddress& a, TimePoint now);  // SERVFAIL, malformed, ...
    void set_no_edns(const IpAddress& a, TimePoint now);
    void set_no_0x20(const IpAddress& a, TimePoint now);

    void mark_lame(const IpAddress& a, std::string_view zone, TimePoint now);
    bool lame(const IpAddress& a, std::string_view zone, TimePoint now) const;

    std::vector<ServerReport> report() const;
    std::size_t size() const;
    std::size_t max_entries() const { return max_entries_; }
    void clear();

  private:
    struct Entry {
        ServerState state;
        TimePoint no_edns_until{}, no_0x20_until{};  // each flag has its own hold
        std::list<IpAddress>::iterator lru;
    };
    struct AddressHash {
        std::size_t operator()(const IpAddress& a) const;
    };
    Entry& touch(const IpAddress& a, TimePoint now);  // creates; lock held

    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::unordered_map<IpAddress, Entry, AddressHash> map_;
    std::list<IpAddress> lru_;
    std::unordered_map<std::string, TimePoint> lame_;  // address bytes + zone -> until
};

}  // namespace lanlord
