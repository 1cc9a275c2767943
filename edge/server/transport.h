// Transport: the seam between the HTTP/1.x state machine (connection.cc) and
// the bytes on the wire.
//
// Four operations are all the state machine may do with its socket: read,
// write a gather list, send a file range, and shut down its sending side.
// Connection::transport_*() (transport.cc) perform them with recv, sendmsg,
// sendfile and shutdown for a plain connection, or hand them to the
// connection's TlsConnection (tls_connection.h) when it is a TLS one. Parsing,
// limits, timeouts, backpressure and the slow-reader check sit above the seam
// and are the same for both. The choice is a flag bit in Connection rather
// than a virtual call, so a plain idle connection stays 200 bytes (no vptr).
#pragma once

#include <cstddef>
#include <cstdint>

namespace relais {

enum class IoStatus : std::uint8_t {
  progress,  // `bytes` moved (a read of 0 bytes is `closed`)
  again,     // would block: wait for the socket
  closed,    // the peer closed (read side)
  failed,    // reset, broken pipe, TLS alert: close the connection
  file_ended,  // sendfile() found the file shorter than the range: the blob shrank
};

struct IoResult {
  IoStatus status;
  std::size_t bytes = 0;
};

}  // namespace relais
