#include "daemon/control/metrics_http.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "common/fault.h"
#include "daemon/control/metrics_text.h"
#include "daemon/control/tcp_listen.h"

namespace lanlord {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {
constexpr std::size_t kMaxSessions = 16;
constexpr auto kTimeout = std::chrono::seconds(10);
}  // namespace

class MetricsHttp::Session : public std::enable_shared_from_this<MetricsHttp::Session> {
  public:
    Session(tcp::socket socket, ControlBackend& backend, std::shared_ptr<std::size_t> count)
        : stream_(std::move(socket)), backend_(backend), count_(std::move(count)) {
        ++*count_;
    }
    ~Session() { --*count_; }

    void read() {
        parser_.emplace();
        parser_->header_limit(8 * 1024);
        parser_->body_limit(0);  // GET has no body; anything else is refused by the limit
        stream_.expires_after(kTimeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

  private:
    void on_read(beast::error_code ec) {
        beast::error_code ignored;
        if (ec) {
            stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
            return;
        }
        // A request whose handling throws closes its connection; the daemon goes on.
        if (!guarded(FaultSite::metrics, [this] { respond(); }))
            stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    void respond() {
        const auto& req = parser_->get();
        response_ = {};
        response_.version(req.version());
        response_.keep_alive(req.keep_alive());
        response_.set(http::field::server, "lanlord");
        std::string_view target(req.target().data(), req.target().size());
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            response_.result(http::status::method_not_allowed);
            response_.set(http::field::allow, "GET, HEAD");
            response_.body() = "only GET\n";
        } else if (target != "/metrics" && target.rfind("/metrics?", 0) != 0) {
            response_.result(http::status::not_found);
            response_.body() = "lanlord serves /metrics\n";
        } else {
            response_.result(http::status::ok);
            response_.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
            response_.body() = render_metrics(backend_.snapshot());
            if (req.method() == http::verb::head) {
                response_.content_length(response_.body().size());
                response_.body().clear();
            }
        }
        if (response_.result() != http::status::ok || req.method() != http::verb::head)
            response_.prepare_payload();
        stream_.expires_after(kTimeout);
        http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec && self->response_.keep_alive()) return self->read();
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{8 * 1024};
    std::optional<http::request_parser<http::empty_body>> parser_;
    http::response<http::string_body> response_;
    ControlBackend& backend_;
    std::shared_ptr<std::size_t> count_;
};

MetricsHttp::MetricsHttp(boost::asio::io_context& io, ControlBackend& backend)
    : backend_(backend), acceptor_(io) {}

MetricsHttp::~MetricsHttp() {
    close();
}

std::string MetricsHttp::open(const Endpoint& listen) {
    if (auto err = listen_tcp(acceptor_, listen, 16); !err.empty()) return err;
    accept();
    return "";
}

void MetricsHttp::close() {
    boost::system::error_code ec;
    if (acceptor_.is_open()) acceptor_.close(ec);
}

void MetricsHttp::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec)
            guarded(FaultSite::metrics, [&] {
                boost::system::error_code close_ec;
                if (*sessions_ >= kMaxSessions)
                    socket.close(close_ec);
                else
                    std::make_shared<Session>(std::move(socket), backend_, sessions_)->read();
            });
        accept();
    });
}

}  // namespace lanlord
