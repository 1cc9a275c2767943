// Session: HTTP/1.1 framing of one connection's byte stream (RFC 9112).
//
// The connection reads bytes into its input buffer and calls feed(); the
// session parses every complete request head there (pipelining), answers
// each through the Responder into the send queue (ResponseWriter), discards
// request bodies (Content-Length or chunked) so that none is read as a
// request (smuggling), applies the per-address request rate (429) and stops
// at the send queue's backpressure bound. It never touches the socket or a
// timer: the connection writes what is queued and calls feed() again when
// bytes arrive or the client has read enough (held_back).
//
// A Session is made on the stack for one feed() (it holds references only),
// so an idle connection carries no session object: FramingState (a body
// still to discard) lives in the connection's pooled buffers, the request
// count and the flags in the connection's bit fields, passed in and out of
// feed(). A worker that chooses the protocol per connection (ALPN) hands the
// same socket side's bytes to this or to an HTTP/2 session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "edge/http/request.h"
#include "edge/http/responder.h"
#include "edge/http/response_buffer.h"
#include "edge/proto/h1/chunked_decoder.h"
#include "edge/proto/h1/head_cache.h"
#include "edge/proto/h1/request_parser.h"

namespace relais::http {

// A request body still to discard, or to read whole (an unsafe method a
// pull-through site forwards: its head stays at the input's front while its
// bytes move to `body`, then it is answered with them); lives while the
// connection holds buffers. `body` is at most the site's
// pull-max-request-body, and is released once the request is answered.
struct FramingState {
  std::uint64_t body_left = 0;  // Content-Length body bytes still to discard (or read)
  bool chunked_body = false;
  ChunkedDecoder chunked{0};
  bool collecting = false;      // the body goes to `body`, not away
  std::size_t held_head = 0;    // collecting: the head's bytes at the input's front
  std::string body;
  // A body is still to come (the connection's deadline is the body's).
  bool discarding() const { return body_left > 0 || chunked_body; }
  void reset_body() {
    body_left = 0;
    chunked_body = false;
    collecting = false;
    held_head = 0;
    std::string().swap(body);
  }
};

struct SessionLimits {
  ParserLimits parser;
  // Stop parsing pipelined requests while this much output is queued.
  std::uint64_t max_pending_output = 0;
  std::uint64_t max_requests_per_connection = 0;
  // A body only discarded (not forwarded): beyond, 413 (parser.max_body_bytes
  // may be larger, for bodies a pull-through site forwards).
  std::uint64_t max_discarded_body = 64 * 1024;
};

// What a session asks of the server it runs in: a few virtual calls per
// request, none per byte.
class SessionHost {
 public:
  virtual ~SessionHost() = default;
  // Catalog, tiers, date, file_body_min and the site's responder for this
  // request (must_close unset): the host resolves the request's site here,
  // once, from request.host (HTTP/2: :authority) and the connection's SNI.
  // An unknown host comes back with refuse_status set and no responder.
  virtual RequestContext request_context(const Request& request) = 0;
  virtual std::string_view date() = 0;  // IMF-fixdate of now
  // 0 if the client's address may send a request now, else milliseconds to wait.
  virtual std::uint64_t admit_request() = 0;
  virtual void log(const Request& request, const ResponseSummary& summary) = 0;
  // HTTP/2, whose streams interleave: a frame of the stream's response is in
  // the send queue (ends: its last one), or the stream closed (a reset may
  // come before its last frame, having queued body_bytes of its body; ~0:
  // unknown). The log times the stream by them.
  virtual void stream_frame_queued(std::int32_t /*stream_id*/, bool /*ends*/) {}
  virtual void stream_closed(std::int32_t /*stream_id*/, std::uint64_t /*body_bytes*/) {}
  virtual void count_parse_error() = 0;
  virtual void count_rate_limited() = 0;
  virtual std::uint64_t now_ms() = 0;
  // The responder deferred this request's answer (pull-through, the
  // RequestContext's StreamSink): keep what its log line needs.
  virtual void deferred(const Request& /*request*/) {}
};

// What the connection lends a session for one feed().
struct SessionIo {
  char* input;                 // received bytes, [0, input_length)
  std::size_t& input_length;   // consumed bytes are removed (the rest moved to the front)
  std::span<char> scratch;     // target normalisation, at least max_target_bytes
  ResponseBuffer& output;
  FramingState& framing;
  std::uint64_t& head_started_ms;  // start of the current head's (or body's) deadline
};

// The connection's part of the session state, in and out of feed().
struct SessionFlags {
  std::uint32_t requests = 0;  // heads parsed on this connection
  bool stop_parsing = false;   // an error or a "close" response: no further request is read
  bool held_back = false;      // parsing paused by backpressure, or by a deferred answer
  bool orderly_close = false;  // closing after a successful response with nothing unread: no linger
  bool draining = false;       // the worker stops: the next response closes (input only)
};

class Session {
 public:
  Session(const SessionLimits& limits, const Responder& responder, HeaderField* header_storage, HeadCache* heads,
          SessionHost& host, SessionIo io)
      : limits_(limits), responder_(responder), header_storage_(header_storage), heads_(heads), host_(host), io_(io) {}

  // Parses and answers what the input holds; updates flags.
  void feed(SessionFlags& flags);
  // An answer found outside a request (a head that did not arrive in time: 408).
  ResponseSummary send_error(std::uint16_t status, bool head_only, bool close, std::uint32_t retry_after_seconds = 0);

 private:
  // Discards body bytes at the front of the input. False if more are needed.
  bool discard_body(SessionFlags& flags);
  // Moves the body bytes after the held head into framing.body. False if
  // more are needed (or on a framing error: stop_parsing is set then).
  bool collect_body(SessionFlags& flags);
  // Answers one parsed request (its head's bytes at input + offset); false:
  // stop parsing this feed (deferred, closing).
  bool answer(Request& request, RequestContext& context, std::size_t head_bytes, std::size_t& offset,
              SessionFlags& flags);
  void drop_input_front(std::size_t n);

  const SessionLimits& limits_;
  const Responder& responder_;
  HeaderField* header_storage_;
  HeadCache* heads_;
  SessionHost& host_;
  SessionIo io_;
};

}  // namespace relais::http
