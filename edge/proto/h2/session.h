// Session: the HTTP/2 side of one connection (RFC 9113), over nghttp2's
// server session.
//
// The connection reads bytes and calls receive(); nghttp2 parses frames and
// calls back here. Each stream's header block becomes an http::Request
// (request_builder.h), answered through the same Responder and SessionHost as
// an HTTP/1 request (answer(): the one place that calls the host), and the
// http::Response becomes a HEADERS frame and DATA frames whose payload is
// referenced, not copied (stream_body.h). send() moves frames into the
// connection's send queue while it holds at most max_pending_output bytes, so
// a client that does not read is bounded as over HTTP/1 (backpressure; the
// connection's send timeout and minimum rate then apply); nghttp2 keeps the
// rest (flow control, priorities) and its own bound on queued ACKs.
//
// Defences, each a bound (limits below; config/relais-edge.conf has them):
// concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS), header list bytes and
// fields (an HPACK bomb gets 431 on its stream), CONTINUATION frames per header
// block (CVE-2024-28182), and the AbuseBudget (abuse_budget.h): resets, stream
// errors, control frames; past it, GOAWAY(ENHANCE_YOUR_CALM). A request body
// is never read: a stream is answered at its header block and reset
// (RFC 9113 §8.1), and nghttp2 hands the connection window of the DATA it
// then discards back to the client; past max_discarded_body handed back,
// GOAWAY(ENHANCE_YOUR_CALM): a connection carries at most its initial 64 KiB
// window plus max_discarded_body of request bodies.
//
// Pull-through answers that come later (http/pull_gateway.h) are the
// stream's own (session_stream.h): the gateway feeds them from the origin
// client's callbacks, which wake the connection (set_wake) rather than
// write; send() logs those that ended and queues their frames.
//
// Lifecycle: made when the connection picks HTTP/2 (ALPN h2, or the h2c
// preface on a plain listener), kept until it closes; go_away() starts a
// graceful end (drain, idle timeout): streams already open finish, then done().
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "edge/http/responder.h"
#include "edge/http/response_buffer.h"
#include "edge/proto/h1/session.h"
#include "edge/proto/h2/abuse_budget.h"
#include "edge/proto/h2/session_memory.h"

struct nghttp2_session;

namespace relais::h2 {

// RFC 9113 §7 error codes, as GOAWAY and RST_STREAM carry them.
constexpr std::uint32_t kNoError = 0x0;
constexpr std::uint32_t kEnhanceYourCalm = 0xb;
constexpr std::size_t kErrorCodes = 0xe;  // 0x0 to 0xd; an unknown code counts as 0x0
struct BuildOutcome;

struct Limits {
  std::uint32_t max_concurrent_streams = 100;
  std::uint32_t max_header_list_bytes = 8192;  // RFC 9113 §6.5.2 accounting: name + value + 32 per field
  std::uint32_t max_fields = 64;
  std::uint32_t max_target_bytes = 4096;
  std::uint32_t max_continuations = 8;          // CONTINUATION frames after one HEADERS
  std::uint32_t max_resets = 200;               // per window: AbuseBudget
  std::uint32_t max_control_frames = 1000;      // per window: AbuseBudget
  std::uint64_t budget_window_ms = 10'000;
  std::uint64_t max_pending_output = 256 * 1024;
  std::uint64_t max_discarded_body = 64 * 1024;  // connection window handed back for discarded DATA
  // Our HPACK encoder's dynamic table (option http2-hpack-table; RFC 7541 §4.2: an encoder may use
  // less than the client's SETTINGS_HEADER_TABLE_SIZE). Each second's date
  // and each file's last-modified is a new entry, and entries are only
  // evicted when the table is full: at the client's 4096 bytes a connection
  // that was busy a minute holds ~60 stale dates, ~220 bytes of memory each
  // (~13 KB), for as long as it stays idle; at 1024, ~3 KB. 1024 bytes still
  // hold the fields every response repeats (server, content-type,
  // cache-control, accept-ranges, x-content-type-options, vary: ~450 bytes).
  // The default is none, as nginx: an idle connection then keeps 1.2 KB
  // less, the edge's scarce resource on a Monday morning, for ~100 header
  // bytes more per response (README, "HTTP/2").
  std::uint32_t max_deflate_table_bytes = 0;
};

// What the session did, for the worker's counters (taken after each call).
struct Events {
  std::uint64_t streams = 0;          // requests answered
  std::uint64_t resets_received = 0;  // RST_STREAM from the client
  std::uint64_t resets_sent = 0;      // stream errors we answered with RST_STREAM
  // GOAWAYs sent with an error, by code: ours (budgets, slow readers) and
  // those nghttp2 sends itself (PROTOCOL_ERROR, COMPRESSION_ERROR, ...).
  std::array<std::uint32_t, kErrorCodes> goaways{};
};

// What the connection lends the session for one call.
struct Env {
  const http::Responder& responder;
  http::SessionHost& host;
  http::ResponseBuffer& output;
  std::span<char> scratch;  // target normalisation, at least max_target_bytes
};

class Session {
 public:
  // nullptr if nghttp2 cannot allocate its session.
  static std::unique_ptr<Session> make(const Limits& limits);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // All bytes are consumed. False: the connection must end once what is queued is sent.
  bool receive(const char* data, std::size_t length, Env& env);
  // Queues frames into env.output up to the bound. False: the connection must end.
  bool send(Env& env);
  // A graceful end: GOAWAY(NO_ERROR) after the last stream we took; those finish.
  void go_away();
  // RFC 9113 §6.8, the first step of a graceful shutdown: GOAWAY(NO_ERROR)
  // with the largest stream id, so a client stops opening streams while the
  // ones already on the wire are still taken; go_away() later names the last.
  void announce_shutdown();
  bool shutdown_announced() const { return announced_; }
  // The client answered the PING sent with the notice: the final GOAWAY may go.
  bool shutdown_notice_acked() const { return notice_acked_; }
  // The end now: GOAWAY(error_code), nothing more is read or sent after it.
  void terminate(std::uint32_t error_code);
  bool going_away() const { return going_away_; }
  // Nothing left to read or write: close.
  bool done() const;
  // The connection is idle (nothing queued, no response waiting): nghttp2's
  // frame buffer and empty stream map give their pages back
  // (session_memory.h), the session its per-block vectors. The bytes
  // released by nghttp2's blocks.
  std::size_t release_idle_memory();
  const SessionMemory& memory() const { return memory_; }
  // A response has body bytes not yet queued (flow control holds them): the
  // connection watches its progress (send timeout, minimum rate).
  bool responses_waiting() const { return waiting_bodies_ > 0; }
  // The connection's watch sees progress on any stream: a stream whose body
  // has not moved for `timeout` while others do (its own window kept shut)
  // would hold its body and stream slot for as long as they do. Resets each
  // such stream (ENHANCE_YOUR_CALM, a stream error the client caused), at
  // most one look per timeout / 4; a stream is cut between timeout and
  // 1.25 x timeout after its last move. The streams reset.
  std::size_t reset_stalled_streams(std::uint64_t now_ms, std::uint64_t timeout_ms);
  // A header block (HEADERS, then CONTINUATION frames) is still incomplete,
  // since the time given: the connection bounds it by the header timeout.
  // (A block nghttp2 ignores, a refused stream's, counts until the next frame.)
  bool in_header_block() const { return in_header_block_; }
  std::uint64_t header_block_started_ms() const { return header_block_started_ms_; }
  // DATA payload bytes of a stream's response queued so far (what a reset
  // stream is logged with); kUnknownBytes for a stream the session does not hold.
  static constexpr std::uint64_t kUnknownBytes = ~std::uint64_t{0};
  std::uint64_t body_bytes_queued(std::int32_t stream_id) const;
  // Streams whose answer waits on an origin fetch (pull-through): the
  // connection is busy, not idle, and not slow to read either.
  bool answers_pending() const { return later_ > 0; }
  // How a later answer asks for the connection's next turn (never a write
  // from inside the origin client's callback).
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }
  std::uint64_t requests() const { return requests_; }
  // The HPACK encoder's dynamic table size (RFC 7541 §4.1 accounting).
  std::size_t deflate_table_bytes() const;
  Events take_events();

 private:
  struct Stream;
  struct Callbacks;
  friend struct Callbacks;
  class Sink;

  explicit Session(const Limits& limits);
  void answer(Stream& stream);
  // An unsafe method a pull-through site forwards (PullRouting::request_body_limit):
  // its DATA is read whole, at most this, before it is answered; 0: answered now.
  std::uint64_t body_limit_of(Stream& stream);
  // A DATA chunk of a body being read (body_limit > 0), within both bounds (request_body.cc).
  void read_request_body(Stream& stream, const std::uint8_t* data, std::size_t length);
  // Frees a stream's request body and takes it off request_body_held_.
  void release_request_body(Stream& stream);
  // The stream's request from its kept header block (views into it and storage_).
  BuildOutcome rebuild(Stream& stream, http::Request& request);
  void submit(Stream& stream, const http::Response& response);
  void log_refused(Stream& stream);
  // Later answers (later_answer.cc).
  void wake();
  void log_ended(Env& env);
  void resume_wanting();
  void forget_later(Stream& stream);

  Limits limits_;
  AbuseBudget budget_;
  SessionMemory memory_;  // nghttp2's allocator: outlives session_ (deleted in ~Session)
  nghttp2_session* session_ = nullptr;
  Env* env_ = nullptr;  // set during receive() and send()
  std::uint64_t requests_ = 0;
  std::uint32_t waiting_bodies_ = 0;
  std::uint64_t next_stall_look_ms_ = 0;
  std::uint32_t continuations_ = 0;  // in the header block being received
  bool in_header_block_ = false;
  std::uint64_t header_block_started_ms_ = 0;
  std::uint64_t window_handed_back_ = 0;  // connection WINDOW_UPDATE increments sent
  std::uint64_t body_bytes_read_ = 0;     // request DATA read for an origin (not discarded: not charged)
  std::uint64_t request_body_held_ = 0;   // bytes in the streams' request_body: at most one request's limit
  bool going_away_ = false;
  bool announced_ = false;      // the shutdown notice went (announce_shutdown)
  bool notice_acked_ = false;   // its PING came back
  bool terminated_ = false;  // GOAWAY with an error: nothing more is read
  bool over_budget_ = false;
  bool closing_ = false;           // in ~Session: later answers are dropped, never fed
  std::uint32_t later_ = 0;        // streams answered later, not logged yet
  std::uint64_t later_bytes_ = 0;  // their body bytes not queued yet: at most max_pending_output
  std::uint32_t own_resets_ = 0;   // RST_STREAM of ours (a cut body) not sent yet
  std::vector<std::int32_t> ended_;  // later answers that ended since the last send()
  std::function<void()> wake_;
  Events events_;
  // At most max_concurrent_streams open streams (nghttp2 refuses more).
  std::unordered_map<std::int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<http::HeaderField> fields_;   // the block being answered, reused
  std::vector<http::HeaderField> storage_;  // its regular fields (Request::headers)
};

}  // namespace relais::h2
