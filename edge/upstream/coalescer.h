// Coalescer: request coalescing for pull-through. Any number of requests for
// one key share one origin fetch, and each is streamed the body as it
// arrives, at its own pace, not after the fetch completes.
//
// Owns one Entry per key in flight (the OriginClient's FetchHandler for that
// fetch) and, per entry, its waiters and a window of body bytes:
//  - the window holds the body from window_start to what has arrived, at most
//    max_window_bytes. A waiter reads from its own offset. The window keeps
//    the body's start as long as it fits, so a request that arrives late still
//    joins and gets the whole body; once the start was dropped, a join for
//    that key is refused as `late`, and the caller serves it otherwise (a
//    fetch of its own, or a 503).
//  - when the window is full and the slowest waiter has not moved, the entry
//    takes no more bytes and the OriginClient pauses the origin. A slow
//    client therefore holds back the others by at most max_window_bytes.
//    (Storing the object will be one more waiter, the fastest one.)
//  - when the last waiter leaves, the fetch is cancelled.
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
// leave() and resume() (for any waiter) and join(); on_head may run inside join().
#pragma once

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
  OriginHealthPolicy health;
};

class FetchWaiter {
 public:
  virtual ~FetchWaiter() = default;
  virtual void on_head(const OriginHead& head) = 0;
  // Returns how many bytes were taken; fewer means "full": call
  // Coalescer::resume() when there is room.
  virtual std::size_t on_body(std::string_view chunk) = 0;
  // Exactly once per waiter that did not leave. A failure after some body
  // bytes means the response is truncated: the client connection must end.
  virtual void on_done(const FetchOutcome& outcome) = 0;
};

using WaiterId = std::uint64_t;

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

  std::size_t keys_in_flight() const { return by_key_.size(); }
  std::size_t waiters() const { return waiters_.size(); }
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
  std::unordered_map<std::string, std::shared_ptr<Entry>> by_key_;
  std::unordered_map<WaiterId, std::shared_ptr<Entry>> waiters_;
};

}  // namespace relais::upstream
