// The TLS contexts of DNS over TLS (RFC 7858): OpenSSL through Boost.Asio's
// ssl, confined to resolver/net/tls_context.cpp, dot_client.cpp and
// tcp_listener.cpp (tests/layering_check.sh keeps it there).
//
// Client side (one context per DoT server and authentication), RFC 8310's
// strict profile: the handshake fails unless the server is authenticated,
// and nothing is ever sent in clear instead.
// - By name (the default): the chain must verify against the CA store (the
//   system's, or tls_ca_file), and the leaf must name the authentication
//   name (SNI carries it), or the server's IP address when no name is given.
// - By pins (RFC 7858 section 4.2): a certificate of the chain must carry a
//   pinned SubjectPublicKeyInfo; the CA and names are not checked, so a
//   self-signed server can be pinned.
// - TLS 1.2 at least (RFC 8310 section 9, RFC 7525 section 3.1.1).
// - Session resumption: the last session (or TLS 1.3 ticket) the server gave
//   is offered on the next connection, so a reconnect costs one round trip
//   and no certificate checks on the server's side (RFC 7858 section 3.4).
//
// Server side (the DoT listener): a certificate chain and key from PEM files,
// read again on SIGHUP by making a new context; connections keep the context
// they started with.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/ip_address.h"
#include "common/tls_auth.h"

namespace lanlord {

class TlsClientContext {
  public:
    // Nullptr and `error` set when the CA file cannot be read.
    static std::unique_ptr<TlsClientContext> make(const TlsAuth& auth, std::string& error);
    ~TlsClientContext();
    TlsClientContext(const TlsClientContext&) = delete;
    TlsClientContext& operator=(const TlsClientContext&) = delete;

    boost::asio::ssl::context& context() { return context_; }
    const TlsAuth& auth() const { return auth_; }
    // Before the handshake of a new connection to `server`: SNI, the name or
    // address the certificate must carry, the session to resume.
    bool prepare(SSL* ssl, const IpAddress& server) const;
    // After the handshake: "" when the server is authenticated (pins are
    // checked here, names and the chain during the handshake), else why not.
    std::string check_peer(SSL* ssl) const;
    // Why a handshake failed, from the certificate verification result when
    // that was it, else from the error code's text.
    static std::string failure_reason(SSL* ssl, const std::string& fallback);
    // "TLSv1.3" and the like.
    static std::string version(SSL* ssl);
    static bool resumed(SSL* ssl);
    // How many sessions (TLS 1.3 tickets) the servers gave so far: a client
    // that opens a connection only to time it waits for its ticket, since a
    // ticket is for one connection (RFC 8446 section C.4).
    unsigned sessions_received() const { return sessions_received_; }

  private:
    explicit TlsClientContext(const TlsAuth& auth);
    static int on_new_session(SSL* ssl, SSL_SESSION* session);
    boost::asio::ssl::context context_;
    TlsAuth auth_;
    SSL_SESSION* session_ = nullptr;  // the last one the server issued; ours (one reference)
    unsigned sessions_received_ = 0;
};

// The SHA-256 of a certificate's SubjectPublicKeyInfo (RFC 7469 section 2.4).
SpkiPin spki_pin(X509* certificate);

// The listener's context: nullptr and `error` naming the file when the
// certificate chain or key cannot be read or do not match.
std::shared_ptr<boost::asio::ssl::context> make_tls_server_context(const std::string& certificate_file,
                                                                   const std::string& key_file,
                                                                   std::string& error);

}  // namespace lanlord
