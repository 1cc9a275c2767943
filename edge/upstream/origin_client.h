// OriginClient: fetches from origins inside one worker's event loop, with
// libcurl's multi socket interface driven by libevent (curl tells us which
// sockets and which timeout to watch; we call curl_multi_socket_action when
// they fire). One client per worker event base, used from that thread only.
//
// Owns: the CURLM (and through it the keep-alive connection pool, bounded by
// max_connections_per_host and max_idle_connections), one libevent event per
// socket curl watches, curl's timer event, and every Fetch in flight.
//
// A fetch's life: start() -> on_head (once, the final head; 1xx dropped) ->
// on_body (zero or more) -> on_done (exactly once, unless cancelled first).
// After on_done or cancel() the id is dead and the handler is never called
// again. Callbacks run on the event loop's thread, from inside curl, so they
// must not destroy the client; they may call cancel() and resume().
//
// Bounds and timeouts (OriginSettings): connect, first byte (from start to
// the first byte of the head), between bytes (any gap in the head or body
// while we are reading: a gap we cause by pausing does not count), head
// bytes, body bytes, and the body buffer:
//
// Backpressure: on_body returns how many bytes the handler took. The rest
// (at most one curl chunk, 16 KiB) is kept in the fetch's buffer, at most
// body_buffer_bytes; when more would not fit, the transfer is paused
// (CURL_WRITEFUNC_PAUSE: curl stops reading the socket, TCP pushes back on the
// origin). The handler calls resume(id) when it has room again; the buffer is
// offered again, then curl unpaused. on_done comes only after the buffer is drained.
//
// Requests are built by build_origin_request (allow-list, never client bytes);
// redirects are not followed; only http and https are spoken.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "edge/upstream/origin_head.h"
#include "edge/upstream/origin_request.h"

struct event_base;
struct event;

namespace relais::upstream {

struct OriginSettings {
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds first_byte_timeout{15'000};
  std::chrono::milliseconds between_bytes_timeout{15'000};
  // Bytes per second an origin must send on average over each window of
  // between_bytes_timeout once its first byte came (0: no floor): a byte
  // every few seconds never lets the between-bytes timer fire.
  std::uint64_t min_rate = 1024;
  long max_connections_per_host = 32;   // CURLMOPT_MAX_HOST_CONNECTIONS: a queue forms beyond
  long max_idle_connections = 64;       // CURLMOPT_MAXCONNECTS: the keep-alive pool
  std::size_t max_head_bytes = 64 * 1024;
  std::uint64_t max_body_bytes = std::uint64_t{8} << 30;  // beyond it the fetch fails
  std::size_t body_buffer_bytes = 64 * 1024;              // at least 16 KiB (one curl chunk)
};

enum class FetchFailure : unsigned char {
  none,
  connect,                // refused, unreachable, DNS
  connect_timeout,
  first_byte_timeout,
  between_bytes_timeout,
  too_slow,               // under min_rate over a window
  dropped,                // the connection ended before the response did
  bad_response,           // not HTTP, a malformed head
  head_too_large,
  body_too_large,
  internal,
  lagged,                 // a coalesced waiter fell so far behind that its bytes are gone (coalescer.h)
};

std::string_view fetch_failure_name(FetchFailure f);

struct FetchOutcome {
  FetchFailure failure = FetchFailure::none;
  std::string message;  // one line, for the log
  bool ok() const { return failure == FetchFailure::none; }
};

class FetchHandler {
 public:
  virtual ~FetchHandler() = default;
  virtual void on_head(OriginHead head) = 0;
  // Returns how many bytes of chunk were taken (0..size). Taking fewer
  // means "I am full": call OriginClient::resume() when there is room.
  virtual std::size_t on_body(std::string_view chunk) = 0;
  virtual void on_done(const FetchOutcome& outcome) = 0;
};

using FetchId = std::uint64_t;

class OriginClient {
 public:
  OriginClient(event_base* base, OriginSettings settings);
  ~OriginClient();  // cancels every fetch (no callbacks)
  OriginClient(const OriginClient&) = delete;
  OriginClient& operator=(const OriginClient&) = delete;

  // Starts a fetch; an Error if the request cannot be built (never a callback then).
  Result<FetchId> start(const OriginTarget& target, const OriginRequest& request, FetchHandler& handler);
  // The handler has room again: offers the buffered bytes and unpauses.
  void resume(FetchId id);
  // No more callbacks for id; the transfer is dropped (its connection closed).
  void cancel(FetchId id);

  std::size_t in_flight() const { return fetches_.size(); }
  event_base* base() const { return base_; }
  // For tests and metrics: the transfer is paused by backpressure; the bytes
  // held for the handler (never more than body_buffer_bytes).
  bool paused(FetchId id) const;
  std::size_t buffered(FetchId id) const;

  struct Fetch;       // one transfer, defined in the .cc
  struct SocketWatch; // one socket curl asked us to watch

 private:
  friend struct Callbacks;
  void add_to_multi(Fetch& f);
  void drive(int fd, int curl_events);
  void reap_finished();
  void finish(Fetch& f, FetchOutcome outcome);
  void destroy(FetchId id);

  event_base* base_;
  OriginSettings settings_;
  void* multi_ = nullptr;  // CURLM*
  event* timer_ = nullptr;
  FetchId next_id_ = 1;
  int driving_ = 0;        // > 0 while inside curl_multi_socket_action
  std::unordered_map<FetchId, std::unique_ptr<Fetch>> fetches_;
  std::vector<FetchId> pending_adds_;  // started from inside a curl callback
  std::unordered_map<int, std::unique_ptr<SocketWatch>> sockets_;
};

}  // namespace relais::upstream
