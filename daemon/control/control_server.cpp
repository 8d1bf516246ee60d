#include "daemon/control/control_server.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <filesystem>

#include "common/fault.h"
#include "common/log.h"

namespace lanlord {

namespace {
constexpr std::size_t kMaxSessions = 16;
constexpr auto kIdleTimeout = std::chrono::seconds(30);
}  // namespace

using boost::asio::local::stream_protocol;

class ControlServer::Session : public std::enable_shared_from_this<ControlServer::Session> {
  public:
    Session(stream_protocol::socket socket, ControlBackend& backend, std::shared_ptr<std::size_t> count)
        : socket_(std::move(socket)),
          timer_(socket_.get_executor()),
          buffer_(kMaxControlRequest + 1),
          backend_(backend),
          count_(std::move(count)) {
        ++*count_;
    }
    ~Session() { --*count_; }

    void start() { read(); }
    void shut() {
        boost::system::error_code ec;
        socket_.close(ec);
    }

  private:
    void read() {
        timer_.expires_after(kIdleTimeout);
        timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
            boost::system::error_code close_ec;
            if (auto self = weak.lock(); self && !ec) self->socket_.close(close_ec);
        });
        boost::asio::async_read_until(
            socket_, buffer_, '\n', [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->on_line(ec, n);
            });
    }

    void on_line(boost::system::error_code ec, std::size_t n) {
        timer_.cancel();
        if (ec) {  // closed mid-request, too long (buffer full), timed out: nothing to answer
            if (ec == boost::asio::error::not_found) {
                reply_ = to_json_line({{"ok", false}, {"error", "request too long"}}) + "\n";
                boost::asio::async_write(
                    socket_, boost::asio::buffer(reply_),
                    [self = shared_from_this()](boost::system::error_code, std::size_t) { self->shut(); });
            }
            return;
        }
        std::string line(boost::asio::buffers_begin(buffer_.data()),
                         boost::asio::buffers_begin(buffer_.data()) + static_cast<std::ptrdiff_t>(n - 1));
        buffer_.consume(n);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        // A request whose handling throws gets an error reply; the daemon
        // goes on. `trace` is answered when its resolution is over: this
        // session reads no further request until then.
        bool deferred = false;
        if (!guarded(FaultSite::control, [&] {
                std::optional<TraceRequest> trace = parse_trace_request(line);
                if (trace && trace->error.empty()) {
                    backend_.trace(trace->wire_name, trace->qtype,
                                   [self = shared_from_this()](const nlohmann::json& reply) {
                                       self->write_reply(to_json_line(reply) + "\n");
                                   });
                    deferred = true;
                } else if (trace) {
                    reply_ = to_json_line({{"ok", false}, {"error", trace->error}}) + "\n";
                } else {
                    reply_ = handle_control_request(line, backend_) + "\n";
                }
            }))
            reply_ = to_json_line({{"ok", false}, {"error", "internal error (logged by the daemon)"}}) + "\n";
        if (deferred) return;
        boost::asio::async_write(
            socket_, boost::asio::buffer(reply_),
            [self = shared_from_this()](boost::system::error_code write_ec, std::size_t) {
                if (!write_ec) self->read();
            });
    }

    void write_reply(std::string reply) {
        reply_ = std::move(reply);
        boost::asio::async_write(
            socket_, boost::asio::buffer(reply_),
            [self = shared_from_this()](boost::system::error_code write_ec, std::size_t) {
                if (!write_ec) self->read();
            });
    }

    stream_protocol::socket socket_;
    boost::asio::steady_timer timer_;
    boost::asio::streambuf buffer_;
    std::string reply_;
    ControlBackend& backend_;
    std::shared_ptr<std::size_t> count_;
};

ControlServer::ControlServer(boost::asio::io_context& io, ControlBackend& backend)
    : io_(io), backend_(backend), acceptor_(io) {}

ControlServer::~ControlServer() {
    close();
}

std::string ControlServer::open(const std::string& path, const std::string& group) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty() && !fs::exists(parent, ec)) {
        fs::create_directories(parent, ec);
        if (ec) return "cannot create " + parent.string() + ": " + ec.message();
        ::chmod(parent.c_str(), 0755);
    }
    if (fs::is_socket(path, ec)) {
        stream_protocol::socket probe(io_);
        boost::system::error_code connect_ec;
        probe.connect(stream_protocol::endpoint(path), connect_ec);
        if (!connect_ec) return path + " is in use (another lanlord is running?)";
        fs::remove(path, ec);  // stale, left by a crash
    } else if (fs::exists(path, ec)) {
        return path + " exists and is not a socket";
    }
    gid_t gid = static_cast<gid_t>(-1);
    if (!group.empty()) {
        struct group* g = ::getgrnam(group.c_str());
        if (!g) return "unknown group '" + group + "'";
        gid = g->gr_gid;
    }
    boost::system::error_code bec;
    acceptor_.open(stream_protocol(), bec);
    // Created 0660 from the start (umask), not chmod'ed after a window.
    mode_t old_mask = ::umask(0117);
    if (!bec) acceptor_.bind(stream_protocol::endpoint(path), bec);
    ::umask(old_mask);
    if (!bec) acceptor_.listen(32, bec);
    if (bec) {
        boost::system::error_code close_ec;
        acceptor_.close(close_ec);
        return "cannot listen on " + path + ": " + bec.message();
    }
    path_ = path;
    if (gid != static_cast<gid_t>(-1) && ::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0)
        spdlog::warn("cannot give {} to group {}: {}", path, group, std::strerror(errno));
    accept();
    return "";
}

void ControlServer::close() {
    if (!acceptor_.is_open()) return;
    boost::system::error_code ec;
    acceptor_.close(ec);
    std::error_code fec;
    std::filesystem::remove(path_, fec);  // may fail once privileges are dropped; replaced at next start
}

void ControlServer::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, stream_protocol::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec)
            guarded(FaultSite::control, [&] {
                live_.remove_if([](const std::weak_ptr<Session>& w) { return w.expired(); });
                if (*sessions_ >= kMaxSessions && !live_.empty()) {
                    if (auto oldest = live_.front().lock()) oldest->shut();
                    live_.pop_front();
                }
                auto session = std::make_shared<Session>(std::move(socket), backend_, sessions_);
                live_.push_back(session);
                session->start();
            });
        accept();
    });
}

}  // namespace lanlord
