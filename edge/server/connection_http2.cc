// The socket side of an HTTP/2 connection (edge/proto/h2/session.h): the
// protocol choice at the first bytes, the session's start, its timers (idle,
// preface, zero-window stall, drain) and what the connection watches after
// each send. The two calls that lend the session a SessionHost
// (process_http2_input, pump_http2) are in connection.cc beside the host.
#include <algorithm>
#include <string>
#include <string_view>

#include "edge/server/connection.h"
#include "edge/server/tls_connection.h"
#include "edge/server/worker.h"

namespace relais {
namespace {

// A connection parked this long gives its session's idle pages back
// (h2::Session::release_idle_memory). Not at every park: a busy connection
// parks between each round of streams, and a madvise() and the page faults
// after it there cost 30 % more CPU per request (10 KiB over h2c, measured).
// Not after a second either: until then each connection that just went idle
// holds ~25 KB more, a second's worth of new connections (read as bench/h2's
// idle scenario does, when the last of 1 000 is held: 30.6 KB per connection,
// where 2 s later it was 23.8). 100 ms is far longer
// than a busy connection's pause between rounds; a client whose requests
// come 100 ms or more apart pays one release per request (a madvise() and
// the six page faults after it).
constexpr std::uint64_t kReleaseIdleMemoryMs = 100;

// RFC 9113 §3.4: HTTP/2 with prior knowledge opens with this preface.
constexpr std::string_view kHttp2Preface("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);

h2::Limits http2_limits(const ServerSettings& s) {
  h2::Limits l;
  l.max_concurrent_streams = s.http2_max_streams;
  l.max_header_list_bytes = static_cast<std::uint32_t>(s.limits.max_head_bytes);
  l.max_fields = static_cast<std::uint32_t>(s.limits.max_headers);
  l.max_target_bytes = static_cast<std::uint32_t>(s.limits.max_target_bytes);
  l.max_resets = s.http2_max_resets;
  l.max_control_frames = s.http2_max_control_frames;
  l.max_deflate_table_bytes = s.http2_hpack_table;
  l.max_pending_output = s.max_pending_output;
  // The bound on request bodies HTTP/1 discards is the one on those HTTP/2 discards.
  l.max_discarded_body = s.max_discarded_body;
  return l;
}

// Idle counts from the last request, not the last frame: PINGs do not keep a
// connection open. Before the first request it is the header timeout.
std::uint64_t idle_limit(const ServerSettings& s, std::uint32_t requests) {
  return requests == 0 ? s.header_timeout_ms : s.keepalive_timeout_ms;
}

}  // namespace

Connection::Protocol Connection::choose_protocol() const {
  if (tls_) return static_cast<const TlsConnection*>(this)->negotiated_h2() ? Protocol::http2 : Protocol::http1;
  const std::size_t n = std::min(buffers_->input_length, kHttp2Preface.size());
  if (std::string_view(buffers_->input.get(), n) != kHttp2Preface.substr(0, n)) return Protocol::http1;
  return n == kHttp2Preface.size() ? Protocol::http2 : Protocol::undecided;
}

bool Connection::start_http2() {
  buffers_->http2.session = h2::Session::make(http2_limits(worker().settings()));
  if (buffers_->http2.session == nullptr) {  // out of memory: refuse this one connection
    stop_parsing_ = true;
    buffers_->input_length = 0;
    return false;
  }
  worker().stats().http2_connections.add();
  buffers_->http2.last_stream_ms = worker().now_ms();
  // A pulled answer moved (session_stream.h): this connection's turn soon.
  buffers_->http2.session->set_wake([this] { wake_for_pull(); });
  return true;
}

void Connection::watch_http2(std::uint64_t moved) {
  ConnectionBuffers::Http2& h = buffers_->http2;
  h2::Session& session = *h.session;
  const std::uint64_t now = worker().now_ms();
  // Idle counts from the last request, or from the end of the last answer
  // that waited on an origin.
  if (session.requests() != requests_ || session.answers_pending()) h.last_stream_ms = now;
  requests_ = static_cast<std::uint32_t>(session.requests());
  // A zero-window stall is a slow reader too: the same send timeout and
  // minimum rate, over what flow control let us queue.
  const bool waiting = session.responses_waiting();
  if (waiting && !h.was_waiting) {
    h.waiting_since_ms = h.progress_ms = now;
    h.moved = 0;
  } else if (h.was_waiting && moved > 0) {
    h.progress_ms = now;
    h.moved += moved;
  }
  h.was_waiting = waiting;
  const h2::Events e = session.take_events();
  WorkerStats& stats = worker().stats();
  if (e.streams != 0) stats.http2_streams.add(e.streams);
  if (e.resets_received != 0) stats.http2_resets_received.add(e.resets_received);
  if (e.resets_sent != 0) stats.http2_resets_sent.add(e.resets_sent);
  static_assert(WorkerStats::kHttp2ErrorCodes == h2::kErrorCodes);
  for (std::size_t code = 0; code < h2::kErrorCodes; ++code) {
    if (e.goaways[code] != 0) stats.http2_goaway_errors[code].add(e.goaways[code]);
  }
  // Done: close once written, with a lingering close: an HTTP/2 client sends
  // WINDOW_UPDATEs while it reads, and closing on them unread would reset the
  // connection and destroy the end of the last body in its receive queue.
  if (session.done()) stop_parsing_ = true;
}

// An idle HTTP/2 connection held 16 KiB of pooled input and scratch besides
// its nghttp2 session (21 KiB an idle connection, measured); parked, the
// session and a few hundred bytes, and the session's 16 KiB frame buffer
// without its pages (session_memory.h).
void Connection::park_http2() {
  ConnectionBuffers& b = *buffers_;
  if (b.parked() || stop_parsing_ || b.input_length > 0 || !b.output.empty() || b.http2.session->responses_waiting() ||
      b.http2.session->answers_pending())
    return;
  auto* slim = new ConnectionBuffers(0, 0);
  slim->http2 = std::move(b.http2);
  worker().release_buffers(buffers_);
  buffers_ = slim;
  if (requests_ > 0) worker().connection_idle(this);  // the most recently idle: the last to be shed
}

void Connection::unpark_http2() {
  ConnectionBuffers* full = worker().acquire_buffers();
  full->http2 = std::move(buffers_->http2);
  full->http2.memory_released = false;
  delete buffers_;
  buffers_ = full;
}

bool Connection::refill_http2() {
  if (buffers_->http2.session == nullptr || stop_parsing_) return false;
  pump_http2();
  return !buffers_->output.empty();
}

// The deadlines are absolute: every frame received re-arms the timer (a
// client dribbling WINDOW_UPDATEs or CONTINUATIONs sends one a second), and a
// timer re-armed at "now + interval" each time would never fire.
std::uint64_t Connection::http2_waiting_deadline() const {
  const ServerSettings& s = worker().settings();
  const ConnectionBuffers::Http2& h = buffers_->http2;
  std::uint64_t deadline = h.progress_ms + s.send_timeout_ms;
  if (s.send_min_rate > 0) {
    // The rate is moved * 1000 / elapsed; it falls below send_min_rate once
    // elapsed > moved * 1000 / send_min_rate. A client that lets a window
    // open a byte at a time makes progress, so only this catches it.
    const std::uint64_t slow_after = std::max<std::uint64_t>(s.send_min_rate_grace_ms, h.moved * 1000 / s.send_min_rate + 1);
    deadline = std::min(deadline, h.waiting_since_ms + slow_after);
  }
  return deadline;
}

std::uint64_t Connection::http2_header_block_deadline() const {
  return buffers_->http2.session->header_block_started_ms() + worker().settings().header_timeout_ms;
}

std::uint64_t Connection::http2_read_timeout() {
  const ServerSettings& s = worker().settings();
  const ConnectionBuffers::Http2& h = buffers_->http2;
  const std::uint64_t now = worker().now_ms();
  // Past a deadline: 0, the next loop turn, which frames arriving cannot postpone.
  auto until = [now](std::uint64_t deadline) { return deadline > now ? deadline - now : 0; };
  std::uint64_t left = h.session->responses_waiting() ? until(http2_waiting_deadline())
                                                      : until(h.last_stream_ms + idle_limit(s, requests_));
  if (h.session->in_header_block()) left = std::min(left, until(http2_header_block_deadline()));
  if (draining_ && !h.session->going_away()) left = std::min(left, until(h.goaway_at_ms));
  return buffers_->parked() && !h.memory_released ? std::min(left, kReleaseIdleMemoryMs) : left;
}

void Connection::end_http2(std::uint32_t error_code) {
  buffers_->http2.session->terminate(error_code);
  stop_parsing_ = true;
  pump_http2();
  (void)flush_output();  // written: a lingering close (start_lingering)
}

void Connection::on_http2_timeout() {
  const ServerSettings& s = worker().settings();
  ConnectionBuffers::Http2& h = buffers_->http2;
  const std::uint64_t now = worker().now_ms();
  if (draining_ && !h.session->going_away()) {
    pump_http2();  // the shutdown notice, or the GOAWAY once it is due; streams in flight finish
    (void)flush_output();
    return;
  }
  // Waiting on an origin is not idle: the origin client's timeouts bound it.
  if (h.session->answers_pending()) h.last_stream_ms = now;
  const bool idle_over = now - h.last_stream_ms >= idle_limit(s, requests_);
  // A header block that does not end (HEADERS without END_HEADERS, then
  // nothing or CONTINUATIONs dribbled): the header timeout from its start,
  // or from the connection's for the first request, then GOAWAY and close
  // (no further period, as a complete request would get after GOAWAY).
  if (h.session->in_header_block() && ((requests_ == 0 && idle_over) || now >= http2_header_block_deadline())) {
    worker().stats().header_timeouts.add();
    end_http2(h2::kNoError);
    return;
  }
  if (buffers_->parked() && !h.memory_released && !idle_over) {
    (void)h.session->release_idle_memory();
    // The last round of streams' bookkeeping (empty while parked) keeps no capacity.
    h.open.release_memory();
    h.memory_released = true;
    arm(EV_READ, http2_read_timeout());
    return;
  }
  if (h.session->responses_waiting()) {
    if (now >= http2_waiting_deadline()) {
      // A slow reader, as over HTTP/1; the socket takes what we write (the
      // window is what holds the body), so a GOAWAY tells the client why.
      const bool stalled = now - h.progress_ms >= s.send_timeout_ms;
      (stalled ? worker().stats().send_timeouts : worker().stats().slow_readers).add();
      end_http2(h2::kEnhanceYourCalm);
      return;
    }
  } else if (idle_over) {
    if (h.session->going_away()) {  // a GOAWAY already went and the client kept the connection
      close_now();
      return;
    }
    if (requests_ == 0) worker().stats().header_timeouts.add();
    h.session->go_away();
    h.last_stream_ms = now;  // the client gets one more period to finish, then it is closed
    pump_http2();
    (void)flush_output();
    return;
  }
  arm(EV_READ, http2_read_timeout());
}

}  // namespace relais
