// Session::Stream: one HTTP/2 request stream as its session keeps it, from
// its header block to its last frame (private to edge/proto/h2: session.cc
// and later_answer.cc).
//
// It is also the stream's StreamSink (http/pull_gateway.h): a pull-through
// answer that comes later is submitted when its head arrives, its body copied
// in as the origin sends it and ended, all from the origin client's
// callbacks. Those never write to the socket: they wake the connection
// (Session::set_wake), whose next send() queues the frames and logs the
// answers that ended. Bounds: the bytes every later answer of a session holds
// and has not queued yet stay under max_pending_output, beyond which body()
// refuses and the fetch window holds the rest (coalescer.h), so a slow reader
// costs what it costs over HTTP/1; flow control and the send timeout then
// apply to its frames as to any body.
//
// Life of a later answer: answer() (deferred: later) -> head -> body* ->
// end (ended) -> send() logs it (a cut body resets the stream) -> frames up
// to END_STREAM -> closed. The client's reset at any point drops it: its
// PendingResponse goes first (the fetch is left), and nothing is logged, as
// over HTTP/1 when the client leaves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edge/http/pull_gateway.h"
#include "edge/http/responder.h"
#include "edge/proto/h2/session.h"
#include "edge/proto/h2/stream_body.h"

namespace relais::h2 {

struct Session::Stream final : public http::StreamSink {
  Stream(Session& owner, std::int32_t stream_id) : session(owner), id(stream_id) {}

  void head(const http::Response& response) override;
  std::size_t body(std::string_view bytes) override;
  void end(const http::ResponseSummary& summary, bool complete) override;

  Session& session;
  std::int32_t id = 0;
  struct Span {
    std::uint32_t name, name_length, value, value_length;
  };
  std::string bytes;  // the header block's names and values, back to back
  std::vector<Span> fields;
  std::uint32_t list_bytes = 0;
  // Fields counted against max_fields: RFC 9113 §8.2.3 lets a client split
  // Cookie into crumbs, one field each; they count as the one field they
  // make (their bytes still count in list_bytes).
  std::uint32_t counted_fields = 0;
  bool cookie_seen = false;
  // Over a header limit (HPACK bomb): the rest of the block is decoded, to
  // keep the HPACK state, but not kept; the stream is answered 431.
  bool too_large = false;
  bool answered = false;
  // An unsafe method a pull-through site forwards: its DATA is read into
  // request_body (at most body_limit, else 413) and it is answered at its
  // END_STREAM (Session::body_limit_of). body_limit 0: not reading.
  std::uint64_t body_limit = 0;
  std::string request_body;
  bool body_too_large = false;
  bool refused = false;  // we reset it with an error before it was answered (a malformed block)
  bool body_waiting = false;  // body bytes not yet queued (flow control holds them)
  std::uint64_t body_queued = 0;  // DATA payload bytes in the send queue so far
  // reset_stalled_streams(): body_queued at the look that first saw it
  // waiting with no move since, and when (0: not seen stalled).
  std::uint64_t stall_queued = 0;
  std::uint64_t stall_since_ms = 0;
  StreamBody data;            // the response body, frame by frame
  // Pull-through: the answer comes later. Its header block is kept until it
  // is logged (the log line is made of the request).
  bool later = false;
  bool wants_room = false;  // body() refused bytes: resumed once the session has room
  bool ended = false;
  bool complete = false;
  http::ResponseSummary summary;  // end()'s, for the log line
  // Last member, so the first destroyed: the fetch is left before anything
  // its callbacks could reach.
  std::unique_ptr<http::PendingResponse> pending;
};

}  // namespace relais::h2
