// TlsConnection: a Connection whose transport is TLS (OpenSSL), for
// --tls-listen sockets.
//
// Lifecycle: handshaking -> established (then the shared HTTP state machine
// of Connection runs, its reads and writes routed here by the transport seam,
// see transport.h) -> closed. The handshake is bounded like a request head:
// it must finish within --header-timeout of the accept, and it counts as one
// request against the client address's rate (AddressLimiter), so a handshake
// flood from one address is refused before it costs a private-key operation.
//
// Owns its SSL (RAII) and, through it, a reference on the SSL_CTX it was
// made from: a certificate reload changes only new connections. Buffers
// inside OpenSSL are released while idle (SSL_MODE_RELEASE_BUFFERS).
//
// Writes: with kernel TLS (BIO_get_ktls_send) a file range goes out with
// SSL_sendfile, zero copy kept; otherwise it is pread into the worker
// thread's 16 KiB staging buffer (one TLS record, RFC 8446 §5.1) and
// SSL_write. Small gather lists are coalesced into the same buffer so a
// response head and a small body leave in one record. Without kernel TLS the
// records are gathered (tls_write_batch.h) and leave with flush(), which the
// connection calls after each round of writes: one write() for up to four
// records instead of one each.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <string_view>

#include "edge/server/connection.h"
#include "edge/server/tls_context.h"
#include "edge/server/tls_stats.h"
#include "edge/server/tls_write_batch.h"
#include "edge/server/transport.h"

namespace relais {

class TlsConnection final : public Connection {
 public:
  // nullptr if OpenSSL cannot make an SSL (out of memory): the caller closes fd.
  static TlsConnection* accept(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, SSL_CTX* ctx);
  ~TlsConnection();  // not virtual: deleted through Connection::destroy()

  bool established() const { return established_; }
  // Drives the handshake on a socket event or its deadline.
  void on_handshake_event(short what);

  // The transport (see transport.h).
  IoResult read(char* into, std::size_t capacity);
  IoResult write(const iovec* iov, int count);
  IoResult send_file(int file_fd, std::uint64_t offset, std::size_t length);
  // Sends the records write() and send_file() gathered (see transport.h).
  IoResult flush();
  bool output_held() const;
  void shutdown();
  // Decrypted bytes OpenSSL holds that the socket will not signal again.
  bool has_buffered_input() const;
  // Kernel TLS encrypts a file range handed over with sendfile(): no copy through user space.
  bool sends_files_in_kernel() const { return ktls_send_; }
  // The SNI host name the client sent (RFC 6066 §3), empty if none.
  std::string_view server_name() const;
  // ALPN chose h2 (tls_context.cc on_alpn): the connection speaks HTTP/2.
  bool negotiated_h2() const;

 private:
  TlsConnection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, SslPtr ssl);
  bool check_first_byte();
  void reject_plain_http();
  void finish_handshake();
  void fail_handshake(TlsFailure reason);
  std::uint64_t handshake_time_left();
  IoResult write_bytes(const char* bytes, std::size_t length);
  IoResult io_failure(int rc);

  SslPtr ssl_;
  TlsWriteBatch* batch_ = nullptr;  // owned by ssl_ (its write BIO); null with kernel TLS
  std::uint64_t accepted_ms_;
  bool established_ = false;
  bool first_byte_seen_ = false;
  bool ktls_send_ = false;
};

}  // namespace relais
