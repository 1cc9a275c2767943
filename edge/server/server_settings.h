// ServerSettings: what the connection layer needs from EdgeConfig, in the
// units it uses (milliseconds, counts), resolved once at start-up.
#pragma once

#include <cstdint>

#include "edge/proto/h1/request_parser.h"
#include "edge/server/request_log_line.h"

namespace relais {

struct ServerSettings {
  http::ParserLimits limits;
  // A request body read only to be discarded: at most this (max-request-body;
  // limits.max_body_bytes may be larger, for bodies forwarded to an origin).
  std::uint64_t max_discarded_body = 64 * 1024;
  std::uint64_t header_timeout_ms = 10'000;
  std::uint64_t keepalive_timeout_ms = 60'000;
  std::uint64_t send_timeout_ms = 60'000;
  std::uint64_t max_requests_per_connection = 10'000;
  std::uint64_t max_connections = 10'000;
  // Lingering close (RFC 9112 §9.6): after an error response, keep reading
  // and discarding for a moment so our response is not destroyed by a TCP
  // reset caused by unread request bytes.
  std::uint64_t linger_timeout_ms = 2'000;
  std::uint64_t linger_max_bytes = 64 * 1024;
  // Stop parsing pipelined requests while this much output is queued: one
  // client cannot make us queue unbounded responses it does not read.
  std::uint64_t max_pending_output = 256 * 1024;
  // Bytes written per connection per wake-up, so one fast download does not
  // starve the other connections of the same worker.
  std::uint64_t write_budget = 1 << 20;
  bool access_log = true;
  AccessLogFormat access_log_format = AccessLogFormat::combined;  // live (SIGHUP)
  // Slow-read defence: average bytes/s a response must keep after the grace.
  std::uint64_t send_min_rate = 1024;
  std::uint64_t send_min_rate_grace_ms = 10'000;
  std::uint64_t send_lowat = 1024 * 1024;  // TCP_NOTSENT_LOWAT on client sockets; 0: kernel default
  // Bodies this large go out with sendfile() even from the memory tier when
  // the transport sends files in the kernel (http::RequestContext::file_body_min).
  std::uint64_t sendfile_min = 256 * 1024;
  // Above this share of max_connections, a new connection first closes the
  // longest-idle keep-alive connection of its worker (shedding idle before busy).
  double shed_idle_above = 0.9;
  // Stop (SIGTERM, or the old binary after an upgrade): responses in flight
  // get this long to finish (--drain-timeout).
  std::uint64_t drain_timeout_ms = 30'000;
  // An idle keep-alive connection is not closed the moment a drain starts:
  // its client may be sending the next request right now, and a close under
  // it fails that request (the client cannot tell it was never processed).
  // It gets this long to send one, answered with Connection: close.
  std::uint64_t drain_idle_ms = 1'000;
  // HTTP/2 (edge/proto/h2/session.h): off, every connection is HTTP/1.1.
  bool http2 = true;
  std::uint32_t http2_max_streams = 100;
  std::uint32_t http2_max_resets = 200;            // per connection per 10 s
  std::uint32_t http2_max_control_frames = 1000;   // per connection per 10 s
  std::uint32_t http2_hpack_table = 0;             // our encoder's dynamic table, bytes
};

}  // namespace relais
