#include "edge/server/tls_write_batch.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <string>

#include "tests/unit/server/tls_pair.h"

namespace relais {
namespace {

TEST_F(TlsPair, OneBioReadsAndWritesAnEstablishedConnection) {
  ASSERT_NE(TlsWriteBatch::attach(server_.get(), fds_[0], stats_), nullptr);
  // One BIO, not the socket BIO beside the batch: each costs ~200 bytes an idle connection.
  EXPECT_EQ(SSL_get_rbio(server_.get()), SSL_get_wbio(server_.get()));

  ASSERT_EQ(SSL_write(client_.get(), "ping", 4), 4);
  char buf[16];
  std::size_t n = 0;
  ASSERT_EQ(SSL_read_ex(server_.get(), buf, sizeof buf, &n), 1);
  EXPECT_EQ(std::string(buf, n), "ping");
  // Nothing more yet: the read side asks to be called again, not an error.
  EXPECT_NE(SSL_read_ex(server_.get(), buf, sizeof buf, &n), 1);
  EXPECT_EQ(SSL_get_error(server_.get(), 0), SSL_ERROR_WANT_READ);
  ERR_clear_error();
}

TEST_F(TlsPair, TheWrittenRecordsLeaveWithTheFlushAndTheEndOfStreamIsAClose) {
  TlsWriteBatch* batch = TlsWriteBatch::attach(server_.get(), fds_[0], stats_);
  ASSERT_NE(batch, nullptr);
  ASSERT_EQ(SSL_write(server_.get(), "pong", 4), 4);
  EXPECT_GT(batch->held(), 0u);
  EXPECT_EQ(batch->flush().status, IoStatus::progress);
  EXPECT_EQ(client_reads(4), "pong");
  // The client goes without close_notify: SSL_OP_IGNORE_UNEXPECTED_EOF makes
  // that a clean end only if the BIO reports the end of stream.
  ::shutdown(fds_[1], SHUT_WR);
  char buf[16];
  std::size_t n = 0;
  EXPECT_NE(SSL_read_ex(server_.get(), buf, sizeof buf, &n), 1);
  EXPECT_EQ(SSL_get_error(server_.get(), 0), SSL_ERROR_ZERO_RETURN);
}

}  // namespace
}  // namespace relais
