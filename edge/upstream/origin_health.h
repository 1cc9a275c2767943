// OriginHealth: passive health of a worker's origins, and which origin a
// fetch tries next (docs/PULL_THROUGH.md, "Several origins").
//
// Like nginx's max_fails / fail_timeout: an origin that fails `max_fails`
// times in a row (no answer, or 502/503/504: FailoverFetch decides what a
// failure is) is down for `down_time`; while down it is skipped, unless every
// origin of the list is down, and then the first is tried anyway (the health
// state never refuses a request by itself). When the down time has passed,
// the origin is tried again, and one more failure marks it down at once; a
// success forgets it.
//
// Owns one State per origin that failed since its last success, keyed by
// base URL (so a site's list and a reload share it; bounded by the origins
// configured). Per worker, on its event loop: no lock, and each worker finds
// a dead origin on its own (at most max_fails failed attempts per worker per
// down time). The clock is passed in.
//
// Active health (origin_prober.h), when probes are configured: a failed
// probe marks the origin down at once, and it stays down, whatever client
// fetches do, until `rise` probes in a row pass (Varnish's window/threshold
// with threshold = window, HAProxy's fall 1 / rise). Kept apart from the
// passive state: an origin is down when either says so, and a client's
// success (only possible on a down origin when every origin is down) does
// not clear what the probes found.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

namespace relais::upstream {

// Origins per site, in order of preference: bounds the length of a fetch's
// chain (each tried at most once) and fits the tried set in a word.
inline constexpr std::size_t kMaxOrigins = 16;

struct OriginHealthPolicy {
  unsigned max_fails = 3;                       // consecutive failures that mark an origin down (>= 1)
  std::chrono::milliseconds down_time{10'000};  // how long it is skipped then
  unsigned rise = 2;                            // probes in a row that bring a probed-down origin back (>= 1)
};

struct OriginHealthStats {
  std::uint64_t failovers = 0;    // fetches moved on to the next origin
  std::uint64_t marked_down = 0;  // times an origin was marked down (passively or by a probe)
};

// What a probe's result changed (for the log line of a state change).
enum class ProbeTransition : unsigned char { none, went_down, came_up };

class OriginHealth {
 public:
  using Clock = std::chrono::steady_clock;
  using TriedSet = std::uint32_t;  // bit i: origins[i] was tried by this fetch
  static_assert(kMaxOrigins <= 32);

  explicit OriginHealth(OriginHealthPolicy policy);

  // The origin a fetch tries next, in the list's order: the first one it has
  // not tried that is not down. A fetch that tried nothing yet always gets
  // one (the first of the list when all are down); nullopt: the chain ends.
  std::optional<std::size_t> next(std::span<const std::string> origins, TriedSet tried, Clock::time_point now) const;

  // Returns true when this failure marked the origin down.
  bool failed(const std::string& origin, Clock::time_point now);
  void succeeded(const std::string& origin);
  bool down(const std::string& origin, Clock::time_point now) const;
  std::size_t down_count(Clock::time_point now) const;

  // Active health: one probe's result for origin.
  ProbeTransition probe_failed(const std::string& origin);
  ProbeTransition probe_passed(const std::string& origin);
  bool probed_down(const std::string& origin) const { return probe_down_.contains(origin); }

  OriginHealthStats& stats() { return stats_; }
  const OriginHealthStats& stats() const { return stats_; }
  const OriginHealthPolicy& policy() const { return policy_; }

 private:
  struct State {
    unsigned fails = 0;             // consecutive, capped at max_fails
    Clock::time_point down_until{};  // in the past: up
  };
  OriginHealthPolicy policy_;
  std::unordered_map<std::string, State> states_;
  // Origins the last probe found failing -> probes passed since (< rise).
  std::unordered_map<std::string, unsigned> probe_down_;
  OriginHealthStats stats_;
};

}  // namespace relais::upstream
