#include "edge/server/tls_connection.h"

#include <event2/event.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "edge/server/worker.h"

namespace relais {
namespace {

// RFC 8446 §5.1 / RFC 5246 §6.2.1: at most 2^14 plaintext bytes per record.
constexpr std::size_t kRecordBytes = 16384;
// RFC 8446 §5.1: a TLS record starts with its content type; a ClientHello
// travels in a handshake record (22).
constexpr unsigned char kHandshakeRecord = 22;

// One per worker thread: TLS writes never interleave within a thread, and
// OpenSSL copies (encrypts) out of it before SSL_write returns.
char* staging_buffer() {
  thread_local std::unique_ptr<char[]> buffer;
  if (!buffer) buffer.reset(new char[kRecordBytes]);
  return buffer.get();
}

TlsFailure classify(int ssl_error) {
  if (ssl_error == SSL_ERROR_ZERO_RETURN || ssl_error == SSL_ERROR_SYSCALL) return TlsFailure::closed;
  unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (ERR_GET_LIB(e) != ERR_LIB_SSL) return TlsFailure::other;
  switch (ERR_GET_REASON(e)) {
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_VERSION_TOO_LOW:
      return TlsFailure::version;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_NO_SHARED_GROUPS:
    case SSL_R_NO_SUITABLE_KEY_SHARE:
      return TlsFailure::cipher;
    case SSL_R_NO_APPLICATION_PROTOCOL:
      return TlsFailure::alpn;
    case SSL_R_UNEXPECTED_EOF_WHILE_READING:
      return TlsFailure::closed;
    default:
      return TlsFailure::other;
  }
}

}  // namespace

TlsConnection* TlsConnection::accept(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, SSL_CTX* ctx) {
  if (ctx == nullptr) return nullptr;
  SslPtr ssl(SSL_new(ctx));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_accept_state(ssl.get());
  return new TlsConnection(fd, peer, ticket, std::move(ssl));
}

TlsConnection::TlsConnection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, SslPtr ssl)
    : Connection(fd, peer, ticket, /*tls=*/true), ssl_(std::move(ssl)), accepted_ms_(worker().now_ms()) {}

TlsConnection::~TlsConnection() = default;

std::uint64_t TlsConnection::handshake_time_left() {
  const std::uint64_t limit = worker().settings().header_timeout_ms;
  const std::uint64_t elapsed = worker().now_ms() - accepted_ms_;
  return elapsed >= limit ? 1 : limit - elapsed;
}

void TlsConnection::on_handshake_event(short what) {
  if (what & EV_TIMEOUT) {
    // A client that opens a connection and never finishes its handshake
    // holds a socket like a slowloris holds a head: same deadline.
    fail_handshake(TlsFailure::timeout);
    return;
  }
  if (!first_byte_seen_ && !check_first_byte()) return;
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) {
    finish_handshake();
    return;
  }
  int error = SSL_get_error(ssl_.get(), rc);
  if (error == SSL_ERROR_WANT_READ) {
    arm(EV_READ, handshake_time_left());
  } else if (error == SSL_ERROR_WANT_WRITE) {
    arm(EV_WRITE, handshake_time_left());
  } else {
    fail_handshake(classify(error));
  }
}

// False when the connection was answered or closed, or must wait for a byte.
bool TlsConnection::check_first_byte() {
  unsigned char first = 0;
  ssize_t n = ::recv(fd(), &first, 1, MSG_PEEK);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    arm(EV_READ, handshake_time_left());
    return false;
  }
  if (n <= 0) {
    fail_handshake(TlsFailure::closed);
    return false;
  }
  if (first != kHandshakeRecord) {
    // A request line starts with an upper-case method: tell the human
    // (nginx's 497) instead of sending TLS alerts a browser shows as garbage.
    if (first >= 'A' && first <= 'Z') {
      reject_plain_http();
    } else {
      fail_handshake(TlsFailure::not_tls);
    }
    return false;
  }
  first_byte_seen_ = true;
  // A handshake costs a private-key operation: it counts as a request
  // against the address's rate, checked before any crypto is done.
  if (worker().admit_request(ticket()) > 0) {
    worker().stats().rate_limited.add();
    fail_handshake(TlsFailure::rate_limited);
    return false;
  }
  return true;
}

void TlsConnection::reject_plain_http() {
  static constexpr char kResponse[] =
      "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 33\r\nConnection: close\r\n\r\n"
      "plain HTTP sent to an HTTPS port\n";
  (void)::send(fd(), kResponse, sizeof kResponse - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
  worker().stats().tls.fail(TlsFailure::plain_http);
  worker().stats().requests_by_class[4].add();
  // Lingering close (RFC 9112 §9.6): read what the client sent so our
  // answer is not destroyed by a reset.
  (void)start_lingering();
}

void TlsConnection::finish_handshake() {
  established_ = true;
  tls_handshake_done(ssl_.get());
  TlsStats& s = worker().stats().tls;
  s.handshakes.add();
  const bool tls13 = SSL_version(ssl_.get()) == TLS1_3_VERSION;
  if (SSL_session_reused(ssl_.get()) == 1) {
    s.resumed.add();
    // RFC 8446 §C.4: a client should not offer a ticket twice, and OpenSSL's
    // client does not. OpenSSL's server sends no ticket on a resumption when
    // the ticket key is current, so without this every other reconnection
    // of a phone would pay a full handshake (wrk: 50 % resumed, nginx 100 %).
    // Sent now, as on a full handshake; if the socket is full it leaves
    // ahead of the first response's records instead.
    if (tls13 && SSL_new_session_ticket(ssl_.get()) == 1) {
      (void)SSL_do_handshake(ssl_.get());
      ERR_clear_error();
    }
  }
  (tls13 ? s.tls13 : s.tls12).add();
  s.ciphers[tls_cipher_index(SSL_CIPHER_get_name(SSL_get_current_cipher(ssl_.get())))].add();
  ktls_send_ = BIO_get_ktls_send(SSL_get_wbio(ssl_.get())) != 0;
  (ktls_send_ ? s.ktls_send : s.userspace_send).add();
  if (!ktls_send_) batch_ = TlsWriteBatch::attach(ssl_.get(), fd(), s);
  // The first request must follow within what is left of the header
  // timeout. A client sends it right behind its Finished, so it is usually
  // already here: read it now (as nginx does) rather than after a turn of
  // the loop spent on every other ready handshake.
  arm(EV_READ, handshake_time_left());
  char byte;
  if (SSL_has_pending(ssl_.get()) == 1 || ::recv(fd(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0) on_readable(false);
}

void TlsConnection::fail_handshake(TlsFailure reason) {
  worker().stats().tls.fail(reason);
  ERR_clear_error();
  close_now();
}

IoResult TlsConnection::io_failure(int rc) {
  int error = SSL_get_error(ssl_.get(), rc);
  ERR_clear_error();
  switch (error) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      return {IoStatus::again};
    case SSL_ERROR_ZERO_RETURN:
      return {IoStatus::closed};  // close_notify, or EOF (SSL_OP_IGNORE_UNEXPECTED_EOF)
    default:
      return {IoStatus::failed};
  }
}

IoResult TlsConnection::read(char* into, std::size_t capacity) {
  ERR_clear_error();
  std::size_t n = 0;
  const bool ok = SSL_read_ex(ssl_.get(), into, capacity, &n) == 1;
  // A read can write: the answer to a KeyUpdate (RFC 8446 §4.6.3). Best
  // effort; what the socket does not take leaves with the next flush.
  if (output_held()) (void)batch_->flush();
  if (ok) return {IoStatus::progress, n};
  return io_failure(0);
}

IoResult TlsConnection::write_bytes(const char* bytes, std::size_t length) {
  ERR_clear_error();
  std::size_t n = 0;
  // SSL_MODE_ENABLE_PARTIAL_WRITE: returns after each record; a WANT_WRITE
  // retry sends the same leading bytes again (ACCEPT_MOVING_WRITE_BUFFER).
  if (SSL_write_ex(ssl_.get(), bytes, length, &n) == 1) return {IoStatus::progress, n};
  return io_failure(0);
}

IoResult TlsConnection::write(const iovec* iov, int count) {
  if (count == 1 || iov[0].iov_len >= kRecordBytes)
    return write_bytes(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len);
  // Several small segments (a head, then a body): one record, not one each.
  char* staging = staging_buffer();
  std::size_t used = 0;
  for (int i = 0; i < count && used < kRecordBytes; ++i) {
    std::size_t take = std::min(iov[i].iov_len, kRecordBytes - used);
    std::memcpy(staging + used, iov[i].iov_base, take);
    used += take;
  }
  return write_bytes(staging, used);
}

IoResult TlsConnection::send_file(int file_fd, std::uint64_t offset, std::size_t length) {
  if (ktls_send_) {
    // Kernel TLS: the kernel encrypts from the page cache, zero copy kept.
    ERR_clear_error();
    ossl_ssize_t n = SSL_sendfile(ssl_.get(), file_fd, static_cast<off_t>(offset), length, 0);
    if (n > 0) return {IoStatus::progress, static_cast<std::size_t>(n)};
    if (n == 0) return {IoStatus::file_ended};  // the blob shrank under its descriptor
    return io_failure(static_cast<int>(n));
  }
  char* staging = staging_buffer();
  std::size_t chunk = std::min(length, kRecordBytes);
  ssize_t got;
  do {
    got = ::pread(file_fd, staging, chunk, static_cast<off_t>(offset));
  } while (got < 0 && errno == EINTR);
  if (got == 0) return {IoStatus::file_ended};  // the blob shrank under its descriptor
  if (got < 0) return {IoStatus::failed};       // the disk failed
  return write_bytes(staging, static_cast<std::size_t>(got));
}

void TlsConnection::shutdown() {
  if (established_) {
    // RFC 8446 §6.1: close_notify before closing our side. Best effort: a
    // full socket buffer only means the client gets a FIN without it.
    ERR_clear_error();
    (void)SSL_shutdown(ssl_.get());
    ERR_clear_error();
    (void)flush();
  }
  ::shutdown(fd(), SHUT_WR);
}

IoResult TlsConnection::flush() {
  if (batch_ == nullptr) return {IoStatus::progress};
  return batch_->flush();
}

bool TlsConnection::output_held() const { return batch_ != nullptr && batch_->held() > 0; }

bool TlsConnection::has_buffered_input() const { return established_ && SSL_has_pending(ssl_.get()) == 1; }

std::string_view TlsConnection::server_name() const {
  const char* name = SSL_get_servername(ssl_.get(), TLSEXT_NAMETYPE_host_name);
  return name != nullptr ? std::string_view(name) : std::string_view();
}

bool TlsConnection::negotiated_h2() const {
  const unsigned char* protocol = nullptr;
  unsigned int length = 0;
  SSL_get0_alpn_selected(ssl_.get(), &protocol, &length);
  return length == 2 && protocol[0] == 'h' && protocol[1] == '2';
}

}  // namespace relais
