// OriginProber: active health checks of a worker's origins (issue 19,
// docs/PULL_THROUGH.md "Several origins"), so that no client request pays
// for finding an origin down.
//
// Like Varnish's backend probe, nginx's health_check and HAProxy's `check`:
// every `interval`, a GET of the origin's base URL + `path`, through an
// OriginClient on the worker's event loop (no thread; the PullService gives
// probes a client of their own, so that they never queue behind client
// fetches in a full pool), cut at `timeout`.
// A 2xx or 3xx head passes; no connection, no head in time, a malformed head
// or any other status fails. The verdict goes to OriginHealth: one failure
// marks the origin down at once, `rise` passes in a row bring it back
// (origin_health.h). Each change of state is one log line saying why.
//
// Owns one Probe per origin (its timer and its fetch in flight). A probe is
// never coalesced with client fetches (it is no Coalescer entry) and its
// body is never stored: at most kMaxProbeBodyBytes are read and dropped (so
// a small health page leaves its keep-alive connection reusable), beyond
// that the fetch is cancelled; the verdict is the head's.
//
// Per worker: each worker probes on its own loop (N workers, N probes per
// interval per origin). The first probe of each origin comes after a random
// part of the interval, so the workers do not probe in lockstep. Lifecycle:
// probes start at construction; stop() (a drain) and the destructor cancel
// the fetches in flight and free the timers, with no callback after them.
// Must be destroyed before the OriginClient and the OriginHealth it uses.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edge/upstream/origin_client.h"
#include "edge/upstream/origin_health.h"

namespace relais::upstream {

struct ProbeSettings {
  std::string path;                          // origin-form, "/healthz"; empty: no probes
  std::chrono::milliseconds interval{5'000};  // from one probe's start to the next
  std::chrono::milliseconds timeout{2'000};   // < interval: a probe never overlaps the next
  bool enabled() const { return !path.empty(); }
};

struct ProbeStats {
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
};

inline constexpr std::size_t kMaxProbeBodyBytes = 64 * 1024;

class OriginProber {
 public:
  using Log = std::function<void(std::string_view line)>;
  // seed: the first probes' jitter (each worker its own).
  OriginProber(OriginClient& client, OriginHealth& health, ProbeSettings settings, std::vector<OriginTarget> origins,
               Log log, std::uint64_t seed);
  ~OriginProber();
  OriginProber(const OriginProber&) = delete;
  OriginProber& operator=(const OriginProber&) = delete;

  // No more probes (a drain): the ones in flight are cancelled, no verdict.
  void stop();

  const ProbeStats& stats() const { return stats_; }
  const std::vector<OriginTarget>& origins() const { return origins_; }

  struct Probe;  // one origin's timer and fetch, defined in the .cc

 private:
  friend struct Probe;
  OriginClient& client_;
  OriginHealth& health_;
  ProbeSettings settings_;
  std::vector<OriginTarget> origins_;
  Log log_;
  ProbeStats stats_;
  std::vector<std::unique_ptr<Probe>> probes_;
};

}  // namespace relais::upstream
