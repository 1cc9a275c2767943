// TlsPair: a client and a server SSL over a non-blocking socketpair, for
// unit tests of what the edge does with an SSL (no worker, no event loop).
// SetUp() makes them and shakes hands; a test that must configure them
// first overrides SetUp() with make(), its settings, then handshake().
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "edge/server/tls_context.h"
#include "edge/server/tls_stats.h"

namespace relais {

// A server SSL_CTX with a fresh self-signed P-256 certificate, configured as
// the edge's is where it matters here (end of stream without close_notify).
inline SslCtxPtr server_context() {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_sign(x, key, EVP_sha256());
  SSL_CTX_use_certificate(ctx.get(), x);
  SSL_CTX_use_PrivateKey(ctx.get(), key);
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  X509_free(x);
  EVP_PKEY_free(key);
  return ctx;
}

class TlsPair : public ::testing::Test {
 protected:
  void SetUp() override {
    make();
    ASSERT_TRUE(handshake());
  }
  void make() {
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    for (int fd : fds_) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    server_ctx_ = server_context();
    client_ctx_.reset(SSL_CTX_new(TLS_client_method()));
    server_.reset(SSL_new(server_ctx_.get()));
    client_.reset(SSL_new(client_ctx_.get()));
    SSL_set_fd(server_.get(), fds_[0]);
    SSL_set_fd(client_.get(), fds_[1]);
    SSL_set_accept_state(server_.get());
    SSL_set_connect_state(client_.get());
  }
  bool handshake() {
    bool server_done = false, client_done = false;
    // Each side's step only waits on the other's bytes: a bounded number of rounds.
    for (int round = 0; round < 20 && !(server_done && client_done); ++round) {
      if (!client_done) client_done = SSL_do_handshake(client_.get()) == 1;
      if (!server_done) server_done = SSL_do_handshake(server_.get()) == 1;
    }
    ERR_clear_error();
    return server_done && client_done;
  }
  void TearDown() override {
    server_.reset();
    client_.reset();
    for (int fd : fds_) ::close(fd);
  }
  // What the client receives until it has `want` bytes (bounded rounds).
  std::string client_reads(std::size_t want) {
    std::string got;
    char buf[256];
    for (int round = 0; round < 20 && got.size() < want; ++round) {
      std::size_t n = 0;
      if (SSL_read_ex(client_.get(), buf, sizeof buf, &n) == 1) got.append(buf, n);
    }
    return got;
  }

  int fds_[2] = {-1, -1};
  SslCtxPtr server_ctx_, client_ctx_;
  SslPtr server_, client_;
  TlsStats stats_;
};

}  // namespace relais
