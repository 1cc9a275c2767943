// TlsWriteBatch: the write side of a userspace-TLS connection, an OpenSSL BIO
// that gathers encrypted records and writes many of them with one write().
//
// OpenSSL hands its write BIO one record at a time (at most 16 KiB of
// plaintext, RFC 8446 §5.1); on a socket BIO each record was its own write()
// syscall, so a flush of 16 pipelined 10 KiB HTTP/2 responses cost ten of
// them (strace: 0.86 write() per 10 KiB response). This BIO appends records
// to a buffer and writes it when the next record would not fit, and when the
// connection flushes after a round of writes (TlsConnection::flush()).
//
// Bounds: the buffer holds at most kBatchBytes of ciphertext (four full
// records); it is allocated on the first record and freed once written, so a
// connection holds it only between its writes and its flush, or while the
// client does not read (then a write that does not fit reports WANT_WRITE, as
// a full socket did, and the send timeout and minimum rate apply above).
//
// It reads too (recv() on the same descriptor), so an established connection
// holds one BIO, not two: each BIO is ~200 bytes with its lock, on every
// idle connection (unless the kernel decrypts: then the socket BIO reads).
//
// Lifecycle: attached with attach() once the handshake is done and the
// kernel does not encrypt (kernel TLS writes through its socket BIO); owned
// by the SSL (SSL_set_bio) from then on.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>

#include "edge/server/tls_stats.h"
#include "edge/server/transport.h"

namespace relais {

class TlsWriteBatch {
 public:
  static constexpr std::size_t kBatchBytes = 64 * 1024;

  // Makes a batch on fd the SSL's BIO (write side, and read side unless the
  // kernel decrypts), counting the records it
  // takes and the write() calls it makes in stats. nullptr (the socket BIO
  // stays) if OpenSSL cannot allocate.
  static TlsWriteBatch* attach(SSL* ssl, int fd, TlsStats& stats);

  // Writes what is held: progress (all of it written, or nothing held),
  // again (the socket is full, some is left) or failed; bytes: written now.
  IoResult flush();
  std::size_t held() const { return used_ - sent_; }

 private:
  struct Method;
  TlsWriteBatch(int fd, TlsStats& stats) : fd_(fd), stats_(stats) {}
  ~TlsWriteBatch();
  int write(const char* data, int length);
  void release();

  int fd_;
  char* bytes_ = nullptr;  // kBatchBytes, while something is held
  std::size_t used_ = 0;
  std::size_t sent_ = 0;
  TlsStats& stats_;
};

}  // namespace relais
