// The plain side of the transport seam (transport.h), and the dispatch to
// TlsConnection for TLS connections.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "edge/server/connection.h"
#include "edge/server/tls_connection.h"

namespace relais {
namespace {

IoResult from_syscall(ssize_t n) {
  if (n > 0) return {IoStatus::progress, static_cast<std::size_t>(n)};
  if (n == 0) return {IoStatus::closed};
  if (errno == EAGAIN || errno == EINTR) return {IoStatus::again};
  return {IoStatus::failed};  // EPIPE, ECONNRESET: the client went away
}

}  // namespace

TlsConnection& Connection::tls() {
  RELAIS_ASSERT(tls_);
  return static_cast<TlsConnection&>(*this);
}

void Connection::destroy(Connection* c) {
  if (c->tls_) {
    delete &c->tls();
  } else {
    delete c;
  }
}

IoResult Connection::transport_read(char* into, std::size_t capacity) {
  if (tls_) return tls().read(into, capacity);
  return from_syscall(::recv(fd(), into, capacity, 0));
}

IoResult Connection::transport_write(const iovec* iov, int count, bool more) {
  if (tls_) return tls().write(iov, count);
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<std::size_t>(count);
  ssize_t n = ::sendmsg(fd(), &msg, MSG_NOSIGNAL | (more ? MSG_MORE : 0));
  if (n == 0) return {IoStatus::again};
  return from_syscall(n);
}

IoResult Connection::transport_send_file(int file_fd, std::uint64_t offset, std::size_t length) {
  if (tls_) return tls().send_file(file_fd, offset, length);
  off_t position = static_cast<off_t>(offset);
  ssize_t n = ::sendfile(fd(), file_fd, &position, length);
  // 0 for a non-empty range is end of file, not a full socket (that is
  // EAGAIN): the blob was truncated under its open descriptor.
  if (n == 0) return {IoStatus::file_ended};
  return from_syscall(n);
}

void Connection::transport_cork(bool on) {
  if (tls_) return;
  int value = on ? 1 : 0;
  (void)::setsockopt(fd(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
}

void Connection::transport_shutdown() {
  if (tls_) {
    tls().shutdown();
  } else {
    ::shutdown(fd(), SHUT_WR);
  }
}

IoResult Connection::transport_flush() {
  if (tls_) return tls().flush();
  return {IoStatus::progress};
}

bool Connection::transport_sends_files_in_kernel() { return !tls_ || tls().sends_files_in_kernel(); }

bool Connection::transport_has_buffered_input() { return tls_ ? tls().has_buffered_input() : input_maybe_left_; }

}  // namespace relais
