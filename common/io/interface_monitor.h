// Follows the host's interfaces and addresses as they change, without
// polling: an rtnetlink socket subscribed to link and IPv4/IPv6 address
// events, registered with the io_context, so an idle daemon sleeps until the
// kernel says something changed. A burst of events (an interface coming up
// with several addresses) is coalesced for a short debounce, then the whole
// table is read again (read_interfaces) and handed over if it differs from
// the last one.
//
// The events themselves are only a hint (see netlink_scan.h): a lost event
// (ENOBUFS when the socket's queue overflowed) or a message that makes no
// sense leads to the same full re-read. When the socket fails for good, or
// cannot be opened (a sandbox without AF_NETLINK), the owner is told once and
// must re-read on demand from then on.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/interface_info.h"

namespace lanlord::io {

class InterfaceMonitor {
  public:
    // Called on the io_context's thread with the table as it is now.
    using OnChange = std::function<void(const InterfaceTable&)>;
    // Called at most once, when changes are no longer followed.
    using OnLost = std::function<void(const std::string& why)>;

    InterfaceMonitor(boost::asio::io_context& io, OnChange on_change, OnLost on_lost,
                     std::chrono::milliseconds debounce = std::chrono::milliseconds(50));
    ~InterfaceMonitor();
    InterfaceMonitor(const InterfaceMonitor&) = delete;
    InterfaceMonitor& operator=(const InterfaceMonitor&) = delete;

    // Subscribes, then reads the table (in that order, so that no change
    // between the two is missed). "" or why there is no subscription: then
    // current() is still read, and nothing is ever reported.
    std::string start();
    // The table as last read.
    const InterfaceTable& current() const { return current_; }
    bool following() const { return stream_ != nullptr; }

  private:
    std::string subscribe();
    void arm();
    void on_readable();
    void changed();
    void reread();  // the debounced read of the table, then on_change_ if it differs
    void lost(const std::string& why);

    boost::asio::io_context& io_;
    OnChange on_change_;
    OnLost on_lost_;
    std::chrono::milliseconds debounce_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> stream_;  // null: not following
    boost::asio::steady_timer debounce_timer_;
    bool reread_pending_ = false;  // the debounce timer is armed
    InterfaceTable current_;
};

}  // namespace lanlord::io
