#include "edge/server/tls_context.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>

#include "edge/server/tls_ticket_keys.h"

namespace relais {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct OcspFree {
  void operator()(OCSP_RESPONSE* r) const { OCSP_RESPONSE_free(r); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// What our callbacks need, owned by the SSL_CTX itself (ex_data freed with
// it), so a handshake in flight during a reload never sees it freed.
struct ContextExtras {
  TicketKeyRing* tickets = nullptr;                    // outlives every context (EdgeServer)
  std::vector<std::pair<std::string, SslCtxPtr>> hosts;  // default context only
  std::string ocsp;                                    // DER, default context only
};

void free_extras(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<ContextExtras*>(ptr); }

int extras_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_extras);
  return index;
}

ContextExtras* extras_of(const SSL_CTX* ctx) {
  return static_cast<ContextExtras*>(SSL_CTX_get_ex_data(ctx, extras_index()));
}

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(e, text, sizeof text);
  return text;
}

std::string time_text(const ASN1_TIME* t) {
  BioPtr mem(BIO_new(BIO_s_mem()));
  if (!mem || ASN1_TIME_print(mem.get(), t) != 1) return "?";
  char* data = nullptr;
  long n = BIO_get_mem_data(mem.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

// --- callbacks (run on worker threads, inside SSL_do_handshake) ---

// RFC 6066 §3: pick the certificate for the name the client asked for.
int on_servername(SSL* ssl, int*, void*) {
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (name == nullptr) return SSL_TLSEXT_ERR_NOACK;
  SSL_CTX* match = tls_context_for_host(SSL_get_SSL_CTX(ssl), name);
  if (match == nullptr) return SSL_TLSEXT_ERR_NOACK;  // unknown name: the default certificate
  if (SSL_set_SSL_CTX(ssl, match) == nullptr) return SSL_TLSEXT_ERR_ALERT_FATAL;
  return SSL_TLSEXT_ERR_OK;
}

// The protocols we speak, in our order of preference (RFC 7301 wire format).
struct AlpnList {
  const unsigned char* bytes;
  unsigned int length;
};
constexpr unsigned char kH2Http11[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr AlpnList kWithHttp2{kH2Http11, sizeof kH2Http11};
constexpr AlpnList kHttp11Only{kH2Http11 + 3, sizeof kH2Http11 - 3};

// RFC 7301 §3.2: h2 first (when on), then http/1.1; a client that offers
// ALPN with neither gets no_application_protocol rather than bytes it cannot
// parse (the "alpn" handshake failure).
int on_alpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in, unsigned int in_length,
            void* arg) {
  const auto* ours = static_cast<const AlpnList*>(arg);
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, out_length, ours->bytes, ours->length, in, in_length) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_ALERT_FATAL;
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

bool set_mac_key(EVP_MAC_CTX* mac, TicketKey& key) {
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac.data(), key.hmac.size()),
                         OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  return EVP_MAC_CTX_set_params(mac, params) == 1;
}

// Seals and opens session tickets with the shared, rotating ring (RFC 5077
// §4 layout; RFC 8446 §4.6.1 for TLS 1.3). Returning 0 means "no ticket" when
// sealing and "full handshake" when opening: never a failed connection.
int on_ticket_key(SSL* ssl, unsigned char* key_name, unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                  int seal) {
  ContextExtras* x = extras_of(SSL_get_SSL_CTX(ssl));
  if (x == nullptr || x->tickets == nullptr) return 0;
  const std::int64_t now = std::time(nullptr);
  if (seal == 1) {
    TicketKey key = x->tickets->sealing_key(now);
    if (RAND_bytes(iv, 16) != 1) return 0;
    std::memcpy(key_name, key.name.data(), key.name.size());
    if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv) != 1) return 0;
    return set_mac_key(mac, key) ? 1 : 0;
  }
  auto found = x->tickets->opening_key(key_name, now);
  if (!found) return 0;  // rotated out, or not ours
  if (!set_mac_key(mac, found->key)) return 0;
  if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, found->key.aes.data(), iv) != 1) return 0;
  return found->current ? 1 : 2;  // 2: valid, but re-issue under the current key
}

// RFC 6066 §8: staple the configured OCSP response when the client asks.
int on_status_request(SSL* ssl, void* arg) {
  const auto* x = static_cast<const ContextExtras*>(arg);
  if (x == nullptr || x->ocsp.empty()) return SSL_TLSEXT_ERR_NOACK;
  void* copy = OPENSSL_memdup(x->ocsp.data(), x->ocsp.size());  // OpenSSL frees it
  if (copy == nullptr) return SSL_TLSEXT_ERR_NOACK;
  SSL_set_tlsext_status_ocsp_resp(ssl, static_cast<unsigned char*>(copy), static_cast<long>(x->ocsp.size()));
  return SSL_TLSEXT_ERR_OK;
}

// --- building ---

Status load_certificate(SSL_CTX* ctx, const TlsCertificateFiles& f, const std::string& cert_option,
                        const std::string& key_option, std::int64_t now) {
  auto cert_error = [&](const std::string& what) { return Error::config(cert_option + " " + f.cert + ": " + what); };
  auto key_error = [&](const std::string& what) { return Error::config(key_option + " " + f.key + ": " + what); };
  BioPtr bio(BIO_new_file(f.cert.c_str(), "r"));
  if (!bio) return cert_error(std::string("cannot read: ") + std::strerror(errno));
  X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) return cert_error("no PEM certificate in the file");
  std::vector<X509Ptr> chain;
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) chain.emplace_back(c);
  ERR_clear_error();  // the chain loop ends on "no start line"
  time_t t = static_cast<time_t>(now);
  if (X509_cmp_time(X509_get0_notAfter(leaf.get()), &t) <= 0)
    return cert_error("certificate expired on " + time_text(X509_get0_notAfter(leaf.get())));
  if (X509_cmp_time(X509_get0_notBefore(leaf.get()), &t) >= 0)
    return cert_error("certificate not valid before " + time_text(X509_get0_notBefore(leaf.get())));
  BioPtr key_bio(BIO_new_file(f.key.c_str(), "r"));
  if (!key_bio) return key_error(std::string("cannot read: ") + std::strerror(errno));
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return key_error("no unencrypted PEM private key in the file");
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    return key_error("private key does not match the certificate in " + f.cert);
  }
  if (SSL_CTX_use_certificate(ctx, leaf.get()) != 1) return cert_error(openssl_error());
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1) return key_error(openssl_error());
  for (auto& c : chain) {
    if (SSL_CTX_add1_chain_cert(ctx, c.get()) != 1) return cert_error("chain: " + openssl_error());
  }
  return {};
}

Result<SslCtxPtr> new_context(const TlsSettings& s, TicketKeyRing& tickets) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return Error::internal("SSL_CTX_new: " + openssl_error());
  SSL_CTX* c = ctx.get();
  // TLS 1.2 (RFC 5246) and 1.3 (RFC 8446) only: 1.0/1.1 are deprecated (RFC 8996).
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
  // No renegotiation (a client-driven CPU sink, and never needed here), no
  // compression (CRIME), kernel TLS when the kernel has it, and a peer that
  // closes without close_notify is an EOF: requests are self-delimiting, so
  // truncation cannot fool us (RFC 8446 §6.1 allows this for such protocols).
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                             SSL_OP_ENABLE_KTLS | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // Partial writes and a moving buffer: the connection retries from its
  // response queue, gathered anew into the worker's staging buffer. Release
  // buffers: an idle keep-alive TLS connection holds no 34 KiB of records.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(c, s.ciphers.c_str()) != 1) {
    ERR_clear_error();
    return Error::config("--tls-ciphers: no usable cipher in '" + s.ciphers + "'");
  }
  if (SSL_CTX_set_ciphersuites(c, s.ciphersuites.c_str()) != 1) {
    ERR_clear_error();
    return Error::config("--tls-ciphersuites: no usable TLS 1.3 suite in '" + s.ciphersuites + "'");
  }
  // Resumption by stateless tickets only: no per-session memory on the edge.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  if (s.session_tickets) {
    SSL_CTX_set_num_tickets(c, 1);
    // A ticket outlives neither its key's two periods nor RFC 8446's 7 days.
    SSL_CTX_set_timeout(c, static_cast<long>(std::min<std::int64_t>(tickets.period_seconds(), 7 * 86400)));
    SSL_CTX_set_tlsext_ticket_key_evp_cb(c, &on_ticket_key);
  } else {
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(c, 0);
  }
  SSL_CTX_set_alpn_select_cb(c, &on_alpn, const_cast<AlpnList*>(s.http2 ? &kWithHttp2 : &kHttp11Only));
  auto* extras = new ContextExtras;
  extras->tickets = &tickets;
  SSL_CTX_set_ex_data(c, extras_index(), extras);  // freed with the context
  SSL_CTX_set_tlsext_status_cb(c, &on_status_request);
  SSL_CTX_set_tlsext_status_arg(c, extras);
  return ctx;
}

Result<std::string> load_ocsp(const std::string& path) {
  auto fail = [&](const std::string& what) { return Error::config("--tls-ocsp-response " + path + ": " + what); };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string der = bytes.str();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<OCSP_RESPONSE, OcspFree> response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!response) {
    ERR_clear_error();
    return fail("not a DER OCSP response");
  }
  if (OCSP_response_status(response.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return fail("response status is not successful");
  return der;
}

}  // namespace

Result<SslCtxPtr> build_tls_context(const TlsSettings& s, TicketKeyRing& tickets, std::int64_t now) {
  auto ctx = new_context(s, tickets);
  if (!ctx.ok()) return ctx.error();
  const TlsCertificateFiles& d = s.default_cert;
  if (auto st = load_certificate(ctx->get(), d, d.cert_option.empty() ? "--tls-cert" : d.cert_option,
                                 d.key_option.empty() ? "--tls-key" : d.key_option, now);
      !st.ok())
    return st.error();
  ContextExtras* extras = extras_of(ctx->get());
  if (!s.ocsp_response.empty()) {
    auto der = load_ocsp(s.ocsp_response);
    if (!der.ok()) return der.error();
    extras->ocsp = std::move(der.value());
  }
  for (const TlsCertificateFiles& f : s.sni) {
    auto host_ctx = new_context(s, tickets);
    if (!host_ctx.ok()) return host_ctx.error();
    const std::string option = "--tls-sni-cert " + f.host + ":";
    if (auto st = load_certificate(host_ctx->get(), f, f.cert_option.empty() ? option : f.cert_option,
                                   f.key_option.empty() ? option : f.key_option, now);
        !st.ok())
      return st.error();
    extras->hosts.emplace_back(lower(f.host), std::move(host_ctx.value()));
  }
  if (!s.sni.empty()) SSL_CTX_set_tlsext_servername_callback(ctx->get(), &on_servername);
  return std::move(ctx.value());
}

void tls_handshake_done(SSL* ssl) {
  // Renegotiation is off (SSL_OP_NO_RENEGOTIATION): no handshake sends it again.
  SSL_set_tlsext_status_ocsp_resp(ssl, nullptr, 0);
}

SSL_CTX* tls_context_for_host(SSL_CTX* default_ctx, const char* host) {
  const ContextExtras* x = extras_of(default_ctx);
  if (x == nullptr || x->hosts.empty()) return nullptr;
  std::string name = lower(host);
  // A fully qualified name ("a.example.") is the same host, as in Host.
  if (name.size() > 1 && name.back() == '.') name.pop_back();
  for (const auto& [h, ctx] : x->hosts) {
    if (h == name) return ctx.get();
  }
  // "*.example.org" matches exactly one label (RFC 6125 §6.4.3).
  if (auto dot = name.find('.'); dot != std::string::npos && dot > 0) {
    std::string wildcard = "*" + name.substr(dot);
    for (const auto& [h, ctx] : x->hosts) {
      if (h == wildcard) return ctx.get();
    }
  }
  return nullptr;
}

void TlsContextHolder::publish(SslCtxPtr ctx) {
  std::lock_guard lock(mutex_);
  ctx_ = std::move(ctx);
  version_.fetch_add(1, std::memory_order_acq_rel);
}

SslCtxPtr TlsContextHolder::acquire() const {
  std::lock_guard lock(mutex_);
  if (!ctx_) return nullptr;
  SSL_CTX_up_ref(ctx_.get());
  return SslCtxPtr(ctx_.get());
}

}  // namespace relais
