// Coalescer: request coalescing for pull-through. Any number of requests for
// one key share one origin fetch, and each is streamed the body as it
// arrives, at its own pace, not after the fetch completes.
//
// Owns one Entry per key in flight (the OriginClient's FetchHandler for that
// fetch) and, per entry, its waiters. Each waiter reads the body from its own
// offset, from one of two places:
//  - kept body: when one waiter (the store's, pull/pull_fill.h) collects the
//    whole body anyway, it hands it over with keep(); every other waiter then
//    reads from that growing, never rewritten prefix by reference, at its own
//    pace, and the fetch advances at the pace of the origin and the keeper:
//    a slow waiter holds back nobody (found by an outside attack: one reader
//    at 2.5 KB/s, above the slow-reader rate, held every client of the key).
//    The bytes stay valid after the fetch ended (they are the stored object's).
//    If the keeper gives up (a body larger than it may store), the entry falls
//    back to a window of the last max_window_bytes, and the waiters already
//    behind it are cut (FetchFailure::lagged).
//  - window (the response is not stored): the body from window_start to what
//    has arrived, at most max_window_bytes. The window keeps the body's start
//    as long as it fits, so a request that arrives late still joins and gets
//    the whole body; once the start was dropped, a join for that key is
//    refused as `late`, and the caller serves it otherwise (a fetch of its
//    own, or a 503). When the window is full and the slowest waiter has not
//    moved, the entry takes no more bytes and the OriginClient pauses the
//    origin. Bounded in time: while another waiter waits for bytes, the
//    window's start must move by a whole window every lag_timeout; the
//    waiters holding it otherwise are cut (FetchFailure::lagged), so the
//    others get at least max_window_bytes per lag_timeout.
//  - when the last waiter leaves, the fetch is cancelled.
// A waiter is offered at most kMaxOffer bytes per on_body call, so a late
// joiner of a large kept body does not copy it all into its send queue.
// Life of an entry: join (first: starts the fetch) -> head -> body* -> done;
// it leaves the key table at done (a later request is a new fetch, or a
// hit), and is freed once every waiter has had on_done or left.
// Bounds: max_keys fetches in flight per worker (an origin flood of random
// URLs costs at most that), max_waiters_per_key.
// Several origins: an entry's fetch is a FailoverFetch over the site's list,
// so a failure before the head moves on to the next healthy origin and the
// waiters see one fetch: still one origin fetch chain per key. The worker's
// OriginHealth (passive health of every origin) lives here, beside the
// fetches that feed it.
// Single-threaded, on the OriginClient's event loop. Waiter callbacks may call
// leave() and resume() (for any waiter), keep() and join(); on_head may run
// inside join().
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "edge/upstream/failover_fetch.h"
#include "edge/upstream/origin_client.h"
#include "edge/upstream/origin_health.h"

namespace relais::upstream {

struct CoalescerSettings {
  std::size_t max_keys = 1024;
  std::size_t max_waiters_per_key = 65536;
  std::size_t max_window_bytes = 4 << 20;
  // A window (not kept) held full while another waiter waits must move by a
  // whole window in this time (config: pull-lag-timeout); 0: never cut.
  std::chrono::milliseconds lag_timeout{15'000};
  OriginHealthPolicy health;
};

using WaiterId = std::uint64_t;

class FetchWaiter {
 public:
  virtual ~FetchWaiter() = default;
  // Inside join(), before anything else reaches the waiter (a join of a
  // fetch whose head came runs on_head and on_body inside join() too).
  virtual void on_joined(WaiterId /*id*/, bool /*collapsed*/) {}
  virtual void on_head(const OriginHead& head) = 0;
  // Returns how many bytes were taken; fewer means "full": call
  // Coalescer::resume() when there is room.
  virtual std::size_t on_body(std::string_view chunk) = 0;
  // Exactly once per waiter that did not leave. A failure after some body
  // bytes means the response is truncated: the client connection must end.
  virtual void on_done(const FetchOutcome& outcome) = 0;
};

// A body kept whole by one waiter while it arrives: a prefix that only grows
// and is never rewritten (its storage may move as it grows: read it by
// offset, never keep a view across callbacks).
using KeptBody = std::shared_ptr<const std::string>;

enum class JoinRefusal : unsigned char { none, too_many_keys, too_many_waiters, late, bad_request };

struct JoinResult {
  WaiterId id = 0;              // 0 when refused
  bool collapsed = false;       // joined a fetch already in flight (RFC 9211 "collapsed")
  JoinRefusal refusal = JoinRefusal::none;
};

class Coalescer {
 public:
  Coalescer(OriginClient& client, CoalescerSettings settings);
  ~Coalescer();  // cancels every fetch; no waiter is called
  Coalescer(const Coalescer&) = delete;
  Coalescer& operator=(const Coalescer&) = delete;

  // key must identify everything that makes the response differ (the cache
  // key, and the validators when it is a revalidation). origins: the site's,
  // in order of preference (1 to kMaxOrigins); a join to a fetch in flight
  // ignores them.
  JoinResult join(const std::string& key, std::span<const OriginTarget> origins, const OriginRequest& request,
                  FetchWaiter& waiter);
  JoinResult join(const std::string& key, const OriginTarget& origin, const OriginRequest& request,
                  FetchWaiter& waiter) {
    return join(key, std::span<const OriginTarget>(&origin, 1), request, waiter);
  }
  void resume(WaiterId id);
  void leave(WaiterId id);
  // keeper (a waiter that takes every byte offered, at once, and appends it
  // to `body` before on_body returns) collects the fetch's whole body: the
  // other waiters read from it from now on. Only before any body byte came
  // (false otherwise, or when another waiter keeps it already). The keeper
  // leaving ends it.
  bool keep(WaiterId keeper, KeptBody body);

  static constexpr std::size_t kMaxOffer = 64 * 1024;

  std::size_t keys_in_flight() const { return by_key_.size(); }
  // Whether a join of key would collapse into a fetch in flight (not one that ended).
  bool in_flight(const std::string& key) const { return by_key_.contains(key); }
  std::size_t waiters() const { return waiters_.size(); }
  // Body bytes the fetches hold for their waiters: kept bodies and windows,
  // of fetches in flight and of ended ones whose waiters still read them
  // (metrics: relais_pull_held_bytes). A kept body stored meanwhile is also
  // the table's. A walk over the waiters: for the metrics, not a request.
  std::uint64_t held_bytes() const;
  std::uint64_t lagged_cut() const { return lagged_cut_; }  // waiters cut for lagging (metrics)
  OriginHealth& health() { return health_; }
  const OriginHealth& health() const { return health_; }

  struct Entry;  // one fetch and its waiters, defined in the .cc

 private:
  friend struct Entry;
  void forget_key(Entry& entry);
  void resume_origin(Entry& entry);
  CoalescerSettings settings_;
  OriginClient& client_;
  OriginHealth health_;
  WaiterId next_waiter_ = 1;
  std::uint64_t lagged_cut_ = 0;
  std::unordered_map<std::string, std::shared_ptr<Entry>> by_key_;
  std::unordered_map<WaiterId, std::shared_ptr<Entry>> waiters_;
};

}  // namespace relais::upstream
