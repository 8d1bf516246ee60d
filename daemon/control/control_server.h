// The control socket: a UNIX stream socket speaking control_protocol.h.
//
// - Created before privileges are dropped; mode 0660 and, when a group is
//   given, owned by it, so that admins in that group can use lanlordctl.
// - A stale socket file from a crash is replaced; a live one (another lanlord
//   answers on it) is an error, never stolen.
// - Each connection reads lines of at most kMaxControlRequest bytes; a longer
//   line, or 30 s without a complete request, closes it. At most 16
//   connections at once: a new one closes the longest-connected, so neither
//   stuck clients nor a local flood can lock the admin out or exhaust file
//   descriptors. Requests are handled on the main thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <list>
#include <memory>
#include <string>

#include "daemon/control/control_protocol.h"

namespace lanlord {

class ControlServer {
  public:
    ControlServer(boost::asio::io_context& io, ControlBackend& backend);
    ~ControlServer();

    // "" or why not. `group` may be empty (keep the process's group).
    std::string open(const std::string& path, const std::string& group);
    void close();
    std::size_t connections() const { return *sessions_; }

  private:
    class Session;
    void accept();

    boost::asio::io_context& io_;
    ControlBackend& backend_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    std::string path_;
    std::shared_ptr<std::size_t> sessions_ = std::make_shared<std::size_t>(0);
    std::list<std::weak_ptr<Session>> live_;  // oldest first
};

}  // namespace lanlord
