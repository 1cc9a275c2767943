#include "edge/server/tls_write_batch.h"

#include <openssl/bio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace relais {

// The BIO method, made once: OpenSSL calls these with the BIO whose data is the batch.
struct TlsWriteBatch::Method {
  static TlsWriteBatch& self(BIO* bio) { return *static_cast<TlsWriteBatch*>(BIO_get_data(bio)); }

  static int write(BIO* bio, const char* data, int length) {
    BIO_clear_retry_flags(bio);
    const int n = self(bio).write(data, length);
    if (n > 0) return n;
    if (n == 0) BIO_set_retry_write(bio);  // the socket is full: OpenSSL reports WANT_WRITE
    return -1;
  }

  // The read side, as OpenSSL's socket BIO reads (bss_sock.c): EOF is
  // flagged, for SSL_OP_IGNORE_UNEXPECTED_EOF to tell a closed connection.
  static int read(BIO* bio, char* into, int length) {
    BIO_clear_retry_flags(bio);
    ssize_t n;
    do {
      n = ::recv(self(bio).fd_, into, static_cast<std::size_t>(length), 0);
    } while (n < 0 && errno == EINTR);
    if (n == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
    return static_cast<int>(n);
  }

  static long ctrl(BIO* bio, int cmd, long, void*) {
    switch (cmd) {
      case BIO_CTRL_EOF: return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
      case BIO_CTRL_FLUSH: {
        BIO_clear_retry_flags(bio);
        const IoResult r = self(bio).flush();
        if (r.status == IoStatus::again) BIO_set_retry_write(bio);
        return r.status == IoStatus::progress ? 1 : 0;
      }
      case BIO_CTRL_WPENDING: return static_cast<long>(self(bio).held());
      case BIO_CTRL_PENDING: return 0;
      default: return 0;  // no kernel TLS, no descriptor to hand out: OpenSSL falls back
    }
  }

  static int destroy(BIO* bio) {
    delete &self(bio);
    BIO_set_data(bio, nullptr);
    return 1;
  }

  static const BIO_METHOD* get() {
    static BIO_METHOD* method = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "relais TLS write batch");
      if (m == nullptr) return m;
      BIO_meth_set_write(m, write);
      BIO_meth_set_read(m, read);
      BIO_meth_set_ctrl(m, ctrl);
      BIO_meth_set_destroy(m, destroy);
      return m;
    }();
    return method;
  }
};

TlsWriteBatch* TlsWriteBatch::attach(SSL* ssl, int fd, TlsStats& stats) {
  const BIO_METHOD* method = Method::get();
  if (method == nullptr) return nullptr;
  BIO* bio = BIO_new(method);
  if (bio == nullptr) return nullptr;
  auto* batch = new TlsWriteBatch(fd, stats);
  BIO_set_data(bio, batch);
  BIO_set_init(bio, 1);
  if (BIO_get_ktls_recv(SSL_get_rbio(ssl)) != 0) {
    SSL_set0_wbio(ssl, bio);  // the kernel decrypts: the socket BIO stays the read side
  } else {
    // One BIO both ways: the socket BIO (made with BIO_NOCLOSE by
    // SSL_set_fd, so the descriptor stays open) is freed, and with it a
    // BIO and its lock per connection. Nothing is buffered in it.
    SSL_set_bio(ssl, bio, bio);
  }
  return batch;
}

TlsWriteBatch::~TlsWriteBatch() { release(); }

void TlsWriteBatch::release() {
  delete[] bytes_;
  bytes_ = nullptr;
  used_ = sent_ = 0;
}

IoResult TlsWriteBatch::flush() {
  std::size_t written = 0;
  while (sent_ < used_) {
    const ssize_t n = ::write(fd_, bytes_ + sent_, used_ - sent_);
    stats_.socket_writes.add();
    if (n > 0) {
      sent_ += static_cast<std::size_t>(n);
      written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && errno == EAGAIN) {
      return {IoStatus::again, written};
    } else {
      return {IoStatus::failed};  // EPIPE, ECONNRESET: the client went away
    }
  }
  release();
  return {IoStatus::progress, written};
}

// The bytes taken (a short count is fine: OpenSSL offers the rest again),
// 0 when the socket is full and nothing fits, -1 when the socket failed.
int TlsWriteBatch::write(const char* data, int length) {
  auto want = static_cast<std::size_t>(length);
  if (used_ + want > kBatchBytes) {
    // The next record does not fit: send what is held first.
    const IoResult r = flush();
    if (r.status == IoStatus::failed) return -1;
    if (sent_ > 0) {  // the socket took part of it: keep the rest at the front
      std::memmove(bytes_, bytes_ + sent_, used_ - sent_);
      used_ -= sent_;
      sent_ = 0;
    }
  }
  const std::size_t take = std::min(want, kBatchBytes - used_);
  if (take == 0) return 0;
  if (bytes_ == nullptr) bytes_ = new char[kBatchBytes];
  std::memcpy(bytes_ + used_, data, take);
  used_ += take;
  stats_.records.add();
  return static_cast<int>(take);
}

}  // namespace relais
