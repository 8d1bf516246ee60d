#include "daemon/web/web_server.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <optional>

#include "common/fault.h"
#include "common/time.h"
#include "daemon/control/tcp_listen.h"

namespace lanlord {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::asio::ip::tcp;

namespace {
constexpr std::size_t kMaxSessions = 32;
constexpr std::size_t kMaxHeader = 8 * 1024;
constexpr std::size_t kMaxBody = 64 * 1024;
constexpr auto kTimeout = std::chrono::seconds(30);

std::string_view view(beast::string_view s) {
    return {s.data(), s.size()};
}
}  // namespace

class WebServer::Session : public std::enable_shared_from_this<WebServer::Session> {
  public:
    Session(tcp::socket socket, WebApi& api, std::shared_ptr<std::size_t> count)
        : stream_(std::move(socket)), api_(api), count_(std::move(count)) {
        ++*count_;
        boost::system::error_code ec;
        auto peer = stream_.socket().remote_endpoint(ec);
        if (!ec) {
            auto a = peer.address();
            if (a.is_v6() && a.to_v6().is_v4_mapped())
                a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
            client_ = IpAddress::parse(a.to_string()).value_or(IpAddress());
        }
    }
    ~Session() { --*count_; }

    void read() {
        parser_.emplace();
        parser_->header_limit(kMaxHeader);
        parser_->body_limit(kMaxBody);
        stream_.expires_after(kTimeout);
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

  private:
    void on_read(beast::error_code ec) {
        beast::error_code ignored;
        if (ec == http::error::body_limit || ec == http::error::header_limit) {
            // Said once, then closed: the rest of the request is not read.
            response_ = {};
            response_.version(11);
            response_.result(ec == http::error::body_limit ? http::status::payload_too_large
                                                           : http::status::request_header_fields_too_large);
            response_.keep_alive(false);
            response_.set(http::field::server, "lanlord");
            response_.set(http::field::content_type, "application/json");
            WebResponse headers;
            add_security_headers(headers);
            for (const auto& [name, value] : headers.headers) response_.insert(name, value);
            response_.body() = R"({"ok":false,"error":"request too large"})";
            response_.prepare_payload();
            return write();
        }
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
        WebRequest r;
        r.method = view(req.method_string());
        r.target = view(req.target());
        if (auto it = req.find(http::field::cookie); it != req.end()) r.cookie = view(it->value());
        if (auto it = req.find("X-CSRF-Token"); it != req.end()) r.csrf = view(it->value());
        if (auto it = req.find(http::field::origin); it != req.end()) r.origin = view(it->value());
        if (auto it = req.find(http::field::host); it != req.end()) r.host = view(it->value());
        if (auto it = req.find(http::field::content_type); it != req.end())
            r.content_type = view(it->value());
        r.body = req.body();
        r.client = client_;
        WebResponse out = api_.handle(r, Clock::now());
        response_ = {};
        response_.version(req.version());
        response_.keep_alive(req.keep_alive());
        response_.result(static_cast<http::status>(out.status));
        response_.set(http::field::server, "lanlord");
        response_.set(http::field::content_type, out.content_type);
        for (const auto& [name, value] : out.headers) response_.insert(name, value);
        response_.body() = std::move(out.body);
        response_.prepare_payload();
        if (req.method() == http::verb::head) {
            response_.content_length(response_.body().size());
            response_.body().clear();
        }
        write();
    }

    void write() {
        stream_.expires_after(kTimeout);
        http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec && self->response_.keep_alive()) return self->read();
            beast::error_code ignored;
            self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_{kMaxHeader + kMaxBody};
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    WebApi& api_;
    std::shared_ptr<std::size_t> count_;
    IpAddress client_;
};

WebServer::WebServer(boost::asio::io_context& io, WebApi& api) : api_(api), acceptor_(io) {}

WebServer::~WebServer() {
    close();
}

std::string WebServer::open(const Endpoint& listen) {
    if (auto err = listen_tcp(acceptor_, listen, 32); !err.empty()) return err;
    accept();
    return "";
}

void WebServer::close() {
    boost::system::error_code ec;
    if (acceptor_.is_open()) acceptor_.close(ec);
}

void WebServer::accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (!ec)
            guarded(FaultSite::metrics, [&] {
                boost::system::error_code close_ec;
                if (*sessions_ >= kMaxSessions)
                    socket.close(close_ec);
                else
                    std::make_shared<Session>(std::move(socket), api_, sessions_)->read();
            });
        accept();
    });
}

}  // namespace lanlord
