#include "resolver/net/tls_context.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>

namespace lanlord {

namespace asio = boost::asio;

namespace {
// Where a client context finds its TlsClientContext (asio keeps its own
// callbacks in the context's app data: not there).
int context_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

std::string openssl_error(const std::string& fallback) {
    unsigned long e = ERR_peek_last_error();
    ERR_clear_error();
    if (e == 0) return fallback;
    char text[256];
    ERR_error_string_n(e, text, sizeof text);
    return text;
}
}  // namespace

TlsClientContext::TlsClientContext(const TlsAuth& auth)
    : context_(asio::ssl::context::tls_client), auth_(auth) {}

TlsClientContext::~TlsClientContext() {
    if (session_) SSL_SESSION_free(session_);
}

std::unique_ptr<TlsClientContext> TlsClientContext::make(const TlsAuth& auth, std::string& error) {
    std::unique_ptr<TlsClientContext> c(new TlsClientContext(auth));
    SSL_CTX* ctx = c->context_.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // A server that closes without close_notify (lanlord's own listener on
    // idle, many others) is a normal end for DNS, whose messages carry their
    // lengths (RFC 7766 section 8): read as an end of stream, not a fatal
    // error, which would also mark the session not resumable. No
    // renegotiation: nothing in DoT needs it, and a pinned server could
    // otherwise present another certificate after check_peer().
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_ex_data(ctx, context_index(), c.get());
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, &TlsClientContext::on_new_session);
    if (!auth.pins.empty()) {
        // The pins are the whole check (check_peer): the chain may be
        // self-signed and name anything.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
        return c;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int ok = auth.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                  : SSL_CTX_load_verify_locations(ctx, auth.ca_file.c_str(), nullptr);
    if (ok != 1) {
        error = auth.ca_file.empty()
                    ? "the system's CA store cannot be read: " + openssl_error("unknown error")
                    : "tls_ca_file " + auth.ca_file + ": " + openssl_error("cannot be read");
        return nullptr;
    }
    return c;
}

int TlsClientContext::on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* self = static_cast<TlsClientContext*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
    if (!self) return 0;  // not kept: OpenSSL frees it
    if (self->session_) SSL_SESSION_free(self->session_);
    self->session_ = session;  // 1: the reference is ours now
    ++self->sessions_received_;
    return 1;
}

bool TlsClientContext::prepare(SSL* ssl, const IpAddress& server) const {
    if (!auth_.name.empty()) {
        // RFC 6066 section 3: SNI is a host name, never an address.
        if (SSL_set_tlsext_host_name(ssl, const_cast<char*>(auth_.name.c_str())) != 1) return false;
        if (auth_.pins.empty() && SSL_set1_host(ssl, auth_.name.c_str()) != 1) return false;
    } else if (auth_.pins.empty()) {
        std::string address = server.to_string();
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), address.c_str()) != 1) return false;
    }
    if (session_) SSL_set_session(ssl, session_);
    return true;
}

SpkiPin spki_pin(X509* certificate) {
    SpkiPin pin{};
    unsigned char* der = nullptr;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(certificate), &der);
    if (len > 0) {
        unsigned int out = 0;
        EVP_Digest(der, static_cast<std::size_t>(len), pin.data(), &out, EVP_sha256(), nullptr);
    }
    OPENSSL_free(der);
    return pin;
}

std::string TlsClientContext::check_peer(SSL* ssl) const {
    if (auth_.pins.empty()) {
        // Verified during the handshake (SSL_VERIFY_PEER); checked again so
        // that a verification that did not run can never pass as one.
        if (SSL_get_verify_result(ssl) != X509_V_OK || !SSL_get0_peer_certificate(ssl))
            return failure_reason(ssl, "the certificate was not verified");
        return "";
    }
    // On the client side the chain includes the leaf.
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    int n = chain ? sk_X509_num(chain) : 0;
    for (int i = 0; i < n; ++i) {
        SpkiPin pin = spki_pin(sk_X509_value(chain, i));
        if (std::find(auth_.pins.begin(), auth_.pins.end(), pin) != auth_.pins.end()) return "";
    }
    return n == 0 ? "the server sent no certificate"
                  : "no certificate of the server's chain matches a pinned key";
}

std::string TlsClientContext::failure_reason(SSL* ssl, const std::string& fallback) {
    long result = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
    if (result != X509_V_OK)
        return std::string("certificate verify failed: ") + X509_verify_cert_error_string(result);
    return openssl_error(fallback);
}

std::string TlsClientContext::version(SSL* ssl) {
    return SSL_get_version(ssl);
}

bool TlsClientContext::resumed(SSL* ssl) {
    return SSL_session_reused(ssl) == 1;
}

std::shared_ptr<asio::ssl::context> make_tls_server_context(const std::string& certificate_file,
                                                            const std::string& key_file, std::string& error) {
    auto c = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* ctx = c->native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, certificate_file.c_str()) != 1) {
        error = "tls_certificate " + certificate_file + ": " + openssl_error("cannot be read");
        return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        error = "tls_key " + key_file + ": " + openssl_error("cannot be read");
        return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        error = "tls_key " + key_file + " does not belong to tls_certificate " + certificate_file;
        ERR_clear_error();
        return nullptr;
    }
    return c;
}

}  // namespace lanlord
