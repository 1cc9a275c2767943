// TLS contexts: building, validating and swapping the SSL_CTX that new
// handshakes use.
//
// One SSL_CTX (the default certificate) is shared by all workers; each
// --tls-sni-cert host has its own SSL_CTX, owned by the default one, picked
// in the servername callback (RFC 6066 §3). All of them share one
// TicketKeyRing, so tickets stay valid across workers and reloads.
//
// Lifecycle: build_tls_context() at start-up (a bad certificate is an Error
// naming the option and the file: exit 2) and on SIGHUP (a bad one is logged,
// the old context stays). TlsContextHolder::publish() swaps it in for new
// handshakes; an SSL holds a reference on its SSL_CTX, so connections made
// before a reload keep theirs until they close.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "origin-sync/result.h"

namespace relais {

class TicketKeyRing;

struct SslCtxFree {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

// Mozilla "intermediate" (2023): forward-secret AEAD suites only. AES-GCM
// first: it has AES-NI and kernel TLS offload; ChaCha20 for phones without AES.
inline constexpr const char* kDefaultTlsCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
inline constexpr const char* kDefaultTlsCiphersuites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

struct TlsCertificateFiles {
  std::string host;  // "" for the default certificate; "*.example.org" matches one label
  std::string cert;  // PEM: leaf first, then its chain
  std::string key;   // PEM private key
  // The options errors name; empty: --tls-cert/--tls-key, or --tls-sni-cert HOST:.
  std::string cert_option{};
  std::string key_option{};
};

struct TlsSettings {
  TlsCertificateFiles default_cert;
  std::vector<TlsCertificateFiles> sni;  // first match wins: each site's names, then --tls-sni-cert
  std::string ciphers = kDefaultTlsCiphers;            // TLS 1.2 (OpenSSL cipher list)
  std::string ciphersuites = kDefaultTlsCiphersuites;  // TLS 1.3
  std::string ocsp_response;                           // DER file stapled for the default certificate
  bool session_tickets = true;                         // false: no resumption at all
  bool http2 = true;                                   // ALPN offers h2 before http/1.1
};

// Loads and checks every certificate (readable, parses, not expired or not
// yet valid at `now`, key matches) and builds the contexts. Errors name the
// option and the file: "--tls-cert /etc/relais/cert.pem: certificate expired on ...".
Result<SslCtxPtr> build_tls_context(const TlsSettings& settings, TicketKeyRing& tickets, std::int64_t now);

// The SSL_CTX for the SNI host name (case-insensitive, exact, then one-label
// wildcard), or nullptr for the default. Exposed for tests.
SSL_CTX* tls_context_for_host(SSL_CTX* default_ctx, const char* host);

// Called once the handshake is done: frees this connection's copy of the
// stapled OCSP response (on_status_request, ~0.5-2 KB a browser
// connection), sent by then, which OpenSSL would keep until SSL_free.
void tls_handshake_done(SSL* ssl);

// The context new handshakes use. Workers keep their own reference and
// check version() (one relaxed load) on each TLS accept.
class TlsContextHolder {
 public:
  void publish(SslCtxPtr ctx);
  SslCtxPtr acquire() const;  // a new reference, nullptr before publish()
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;
  SslCtxPtr ctx_;
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace relais
