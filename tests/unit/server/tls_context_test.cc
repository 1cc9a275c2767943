#include "edge/server/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "edge/server/tls_ticket_keys.h"
#include "tests/unit/server/tls_pair.h"

namespace relais {
namespace {

struct Scratch {
  Scratch() {
    char tmpl[] = "/tmp/relais-tls-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~Scratch() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  std::string path;
};

// A self-signed P-256 certificate for `cn`, valid from now+from_s to now+to_s.
void write_cert(const Scratch& dir, const std::string& name, const std::string& cn, long from_s, long to_s,
                EVP_PKEY* reuse_key = nullptr) {
  EVP_PKEY* key = reuse_key != nullptr ? reuse_key : EVP_EC_gen("P-256");
  ASSERT_NE(key, nullptr);
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(std::time(nullptr) & 0xffffff));
  X509_gmtime_adj(X509_getm_notBefore(x), from_s);
  X509_gmtime_adj(X509_getm_notAfter(x), to_s);
  X509_set_pubkey(x, key);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, subject);
  ASSERT_GT(X509_sign(x, key, EVP_sha256()), 0);
  FILE* f = std::fopen(dir.file(name + ".pem").c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(dir.file(name + ".key").c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  if (reuse_key == nullptr) EVP_PKEY_free(key);
}

class TlsContext : public ::testing::Test {
 protected:
  void SetUp() override {
    write_cert(dir_, "good", "localhost", -60, 86400);
    write_cert(dir_, "other", "other.test", -60, 86400);
    write_cert(dir_, "wild", "*.wild.test", -60, 86400);
    write_cert(dir_, "expired", "localhost", -2 * 86400, -86400);
    write_cert(dir_, "future", "localhost", 86400, 2 * 86400);
  }
  TlsSettings settings(const std::string& cert, const std::string& key) {
    TlsSettings s;
    s.default_cert = {"", dir_.file(cert), dir_.file(key)};
    return s;
  }
  Result<SslCtxPtr> build(const TlsSettings& s) { return build_tls_context(s, ring_, std::time(nullptr)); }

  Scratch dir_;
  TicketKeyRing ring_{3600, std::time(nullptr)};
};

TEST_F(TlsContext, BuildsFromAValidCertificateAndKey) {
  auto ctx = build(settings("good.pem", "good.key"));
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx->get()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(ctx->get()), TLS1_3_VERSION);
}

TEST_F(TlsContext, RefusesBadCertificatesWithOneLineNamingTheFile) {
  struct Row {
    const char* cert;
    const char* key;
    const char* option;
    const char* file;
    const char* says;
  };
  const Row rows[] = {
      {"expired.pem", "expired.key", "--tls-cert", "expired.pem", "certificate expired on"},
      {"future.pem", "future.key", "--tls-cert", "future.pem", "not valid before"},
      {"good.pem", "other.key", "--tls-key", "other.key", "does not match the certificate"},
      {"missing.pem", "good.key", "--tls-cert", "missing.pem", "cannot read: No such file"},
      {"good.pem", "missing.key", "--tls-key", "missing.key", "cannot read"},
      {"good.key", "good.key", "--tls-cert", "good.key", "no PEM certificate"},
      {"good.pem", "good.pem", "--tls-key", "good.pem", "no unencrypted PEM private key"},
  };
  for (const Row& row : rows) {
    auto ctx = build(settings(row.cert, row.key));
    ASSERT_FALSE(ctx.ok()) << row.cert << " " << row.key;
    const Error& e = ctx.error();
    EXPECT_EQ(e.source, ErrorSource::config);
    EXPECT_EQ(e.message.rfind(row.option, 0), 0u) << e.message;
    EXPECT_NE(e.message.find(dir_.file(row.file)), std::string::npos) << e.message;
    EXPECT_NE(e.message.find(row.says), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find('\n'), std::string::npos) << e.message;
  }
  EXPECT_EQ(ERR_peek_error(), 0u) << "no OpenSSL error left on the thread's queue";
}

TEST_F(TlsContext, RefusesUnusableCipherListsAndOcspFiles) {
  TlsSettings s = settings("good.pem", "good.key");
  s.ciphers = "NOT-A-CIPHER";
  auto bad_ciphers = build(s);
  ASSERT_FALSE(bad_ciphers.ok());
  EXPECT_NE(bad_ciphers.error().message.find("--tls-ciphers"), std::string::npos);
  s = settings("good.pem", "good.key");
  s.ciphersuites = "TLS_NOPE";
  auto bad_suites = build(s);
  ASSERT_FALSE(bad_suites.ok());
  EXPECT_NE(bad_suites.error().message.find("--tls-ciphersuites"), std::string::npos);
  s = settings("good.pem", "good.key");
  s.ocsp_response = dir_.file("good.pem");  // PEM, not a DER OCSP response
  auto bad_ocsp = build(s);
  ASSERT_FALSE(bad_ocsp.ok());
  EXPECT_NE(bad_ocsp.error().message.find("--tls-ocsp-response"), std::string::npos);
}

TEST_F(TlsContext, SniHostsMatchExactlyCaseInsensitivelyAndByOneLabelWildcard) {
  TlsSettings s = settings("good.pem", "good.key");
  s.sni.push_back({"other.test", dir_.file("other.pem"), dir_.file("other.key")});
  s.sni.push_back({"*.wild.test", dir_.file("wild.pem"), dir_.file("wild.key")});
  auto ctx = build(s);
  ASSERT_TRUE(ctx.ok()) << ctx.error().message;
  SSL_CTX* other = tls_context_for_host(ctx->get(), "other.test");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(tls_context_for_host(ctx->get(), "OTHER.Test"), other);
  EXPECT_EQ(tls_context_for_host(ctx->get(), "other.test."), other) << "a fully qualified name is the same host";
  SSL_CTX* wild = tls_context_for_host(ctx->get(), "a.wild.test");
  ASSERT_NE(wild, nullptr);
  EXPECT_NE(wild, other);
  EXPECT_EQ(tls_context_for_host(ctx->get(), "a.b.wild.test"), nullptr) << "a wildcard covers one label only";
  EXPECT_EQ(tls_context_for_host(ctx->get(), "wild.test"), nullptr);
  EXPECT_EQ(tls_context_for_host(ctx->get(), "unknown.test"), nullptr);
}

TEST_F(TlsContext, SniEntryWithABadCertificateNamesItsHost) {
  TlsSettings s = settings("good.pem", "good.key");
  s.sni.push_back({"other.test", dir_.file("expired.pem"), dir_.file("expired.key")});
  auto ctx = build(s);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.error().message.rfind("--tls-sni-cert other.test:", 0), 0u) << ctx.error().message;
}

// An in-memory handshake: the server picks the SNI certificate, resumes
// with a ticket sealed by the shared ring, and a context rebuilt on a
// reload still opens it.
struct Handshake {
  SslPtr client, server;
  bool run() {
    for (int i = 0; i < 20; ++i) {
      int c = SSL_do_handshake(client.get());
      int s = SSL_do_handshake(server.get());
      if (c == 1 && s == 1) return true;
    }
    return false;
  }
};

Handshake connect(SSL_CTX* server_ctx, SSL_CTX* client_ctx, const char* host, SSL_SESSION* session = nullptr) {
  Handshake h{SslPtr(SSL_new(client_ctx)), SslPtr(SSL_new(server_ctx))};
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(h.client.get(), client_bio, client_bio);
  SSL_set_bio(h.server.get(), server_bio, server_bio);
  SSL_set_connect_state(h.client.get());
  SSL_set_accept_state(h.server.get());
  SSL_set_tlsext_host_name(h.client.get(), host);
  if (session != nullptr) SSL_set_session(h.client.get(), session);
  return h;
}

std::string peer_common_name(SSL* client) {
  X509* peer = SSL_get1_peer_certificate(client);
  if (peer == nullptr) return "";
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn);
  X509_free(peer);
  return cn;
}

TEST_F(TlsContext, HandshakePicksSniCertificateAndResumesAcrossAReload) {
  TlsSettings s = settings("good.pem", "good.key");
  s.sni.push_back({"other.test", dir_.file("other.pem"), dir_.file("other.key")});
  auto server = build(s);
  ASSERT_TRUE(server.ok()) << server.error().message;
  SslCtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_max_proto_version(client_ctx.get(), TLS1_2_VERSION);  // the session is complete after the handshake
  Handshake first = connect(server->get(), client_ctx.get(), "other.test");
  ASSERT_TRUE(first.run());
  EXPECT_EQ(peer_common_name(first.client.get()), "other.test");
  Handshake plain = connect(server->get(), client_ctx.get(), "localhost");
  ASSERT_TRUE(plain.run());
  EXPECT_EQ(peer_common_name(plain.client.get()), "localhost");

  SSL_SESSION* session = SSL_get1_session(plain.client.get());
  ASSERT_NE(session, nullptr);
  auto reloaded = build(s);  // SIGHUP: a new context, the same ticket ring
  ASSERT_TRUE(reloaded.ok());
  Handshake again = connect(reloaded->get(), client_ctx.get(), "localhost", session);
  ASSERT_TRUE(again.run());
  EXPECT_EQ(SSL_session_reused(again.server.get()), 1);
  SSL_SESSION_free(session);
}

TEST(TlsContextHolder, PublishesNewContextsAndHandsOutReferences) {
  TlsContextHolder holder;
  EXPECT_EQ(holder.acquire(), nullptr);
  holder.publish(SslCtxPtr(SSL_CTX_new(TLS_server_method())));
  std::uint64_t v1 = holder.version();
  SslCtxPtr mine = holder.acquire();
  ASSERT_NE(mine, nullptr);
  holder.publish(SslCtxPtr(SSL_CTX_new(TLS_server_method())));
  EXPECT_GT(holder.version(), v1);
  SslCtxPtr next = holder.acquire();
  EXPECT_NE(next.get(), mine.get());
  // `mine` is still a valid context: a connection made before the reload keeps it.
  SslPtr ssl(SSL_new(mine.get()));
  EXPECT_NE(ssl, nullptr);
}

// A client that asks for the certificate's status gets it stapled in the
// handshake; the copy each connection got is freed once the handshake is
// done, not kept for as long as the connection stays open.
class TlsStapledPair : public TlsPair {
 protected:
  void SetUp() override {
    make();
    SSL_CTX_set_tlsext_status_cb(server_ctx_.get(), +[](SSL* ssl, void*) {
      static const unsigned char kResponse[600] = {0x30};
      void* copy = OPENSSL_memdup(kResponse, sizeof kResponse);  // as on_status_request staples
      SSL_set_tlsext_status_ocsp_resp(ssl, static_cast<unsigned char*>(copy), static_cast<long>(sizeof kResponse));
      return SSL_TLSEXT_ERR_OK;
    });
    SSL_CTX_set_tlsext_status_cb(client_ctx_.get(), +[](SSL*, void*) { return 1; });
    SSL_set_tlsext_status_type(client_.get(), TLSEXT_STATUSTYPE_ocsp);
    ASSERT_TRUE(handshake());
  }
};

TEST_F(TlsStapledPair, TheStapledResponseIsFreedOnceTheHandshakeIsDone) {
  const unsigned char* got = nullptr;
  EXPECT_EQ(SSL_get_tlsext_status_ocsp_resp(client_.get(), &got), 600) << "stapled";
  unsigned char* kept = nullptr;
  ASSERT_EQ(SSL_get_tlsext_status_ocsp_resp(server_.get(), &kept), 600) << "OpenSSL keeps its copy";
  tls_handshake_done(server_.get());
  EXPECT_EQ(SSL_get_tlsext_status_ocsp_resp(server_.get(), &kept), -1);
  EXPECT_EQ(kept, nullptr);
  // The connection still carries data.
  ASSERT_EQ(SSL_write(client_.get(), "ping", 4), 4);
  char buf[8];
  std::size_t n = 0;
  EXPECT_EQ(SSL_read_ex(server_.get(), buf, sizeof buf, &n), 1);
}

}  // namespace
}  // namespace relais
