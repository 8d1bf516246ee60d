// What the web page changes, kept in files of lanlord's own in the state
// directory ($STATE_DIRECTORY, else /var/lib/lanlord): the user's TOML file is
// never rewritten (it may be under configuration management, or commented by
// hand). Each file is small, rewritten whole and atomically
// (common/io/atomic_write) on a change made from the page, read at start:
//   web-blocked.list       names blocked from the page, one per line
//   web-allowed.list       names allowed from the page, one per line
//   web-reservations.json  DHCP reservations made from a lease
//   web-password           the page's password, as a crypt(3) hash (mode 0600)
// A damaged file is logged, kept aside as FILE.bad, and started again empty:
// a bad line costs that list, never the daemon.
//
// The page's lists sit above the configured blocklists: a name allowed from
// the page is answered even when a list (or a parent on the page's own block
// list) blocks it; a name blocked from the page is blocked even when
// [blocklist] allow has it. An allowed domain wins over a blocked one, as in
// the lists. Each list holds at most 10,000 names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/ip_address.h"
#include "daemon/control/control_protocol.h"
#include "dhcp/engine/server_config.h"

namespace lanlord {

inline constexpr std::size_t kMaxPageListNames = 10000;

struct PageReservation {
    std::vector<std::uint8_t> hardware;
    IpAddress address;
    std::string hostname;
    friend bool operator==(const PageReservation&, const PageReservation&) = default;
};

// Pure: the files' text to values and back (unit-tested without a disk).
std::vector<std::string> parse_page_list(const std::string& text, std::string& warning);
std::string format_page_list(const std::vector<std::string>& wire_names);
std::vector<PageReservation> parse_page_reservations(const std::string& text, std::string& error);
std::string format_page_reservations(const std::vector<PageReservation>& reservations);

class PageState {
  public:
    // `directory`: where the files live (created when missing, mode 0750).
    explicit PageState(std::string directory);
    void load();

    const std::vector<std::string>& blocked() const { return blocked_; }  // wire form, lower case
    const std::vector<std::string>& allowed() const { return allowed_; }
    // "" (saved) or why not; the lists in memory change only when saved.
    std::string change_domain(const std::string& wire, DomainAction action);

    const std::vector<PageReservation>& reservations() const { return reservations_; }
    std::string add_reservation(const PageReservation& r);

    const std::string& password_hash() const { return password_hash_; }
    std::string set_password_hash(const std::string& hash);

    std::string path(const char* file) const { return directory_ + "/" + file; }

  private:
    std::string directory_;
    std::vector<std::string> blocked_, allowed_;
    std::vector<PageReservation> reservations_;
    std::string password_hash_;
};

// dhcp::Reservation from a page reservation.
dhcp::Reservation to_dhcp_reservation(const PageReservation& r);

}  // namespace lanlord
