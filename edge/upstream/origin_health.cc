#include "edge/upstream/origin_health.h"

#include <algorithm>

#include "origin-sync/assert.h"

namespace relais::upstream {

OriginHealth::OriginHealth(OriginHealthPolicy policy) : policy_(policy) {
  RELAIS_ASSERT(policy_.max_fails >= 1 && policy_.rise >= 1);
}

std::optional<std::size_t> OriginHealth::next(std::span<const std::string> origins, TriedSet tried,
                                              Clock::time_point now) const {
  RELAIS_ASSERT(!origins.empty() && origins.size() <= kMaxOrigins);
  for (std::size_t i = 0; i < origins.size(); ++i) {
    if ((tried & (TriedSet{1} << i)) == 0 && !down(origins[i], now)) return i;
  }
  // Every origin down: a request still gets its chance at the first one,
  // so a health state gone wrong can slow answers, never refuse them.
  if (tried == 0) return 0;
  return std::nullopt;
}

bool OriginHealth::failed(const std::string& origin, Clock::time_point now) {
  State& s = states_[origin];
  const bool was_down = now < s.down_until;
  s.fails = std::min(s.fails + 1, policy_.max_fails);
  if (s.fails < policy_.max_fails) return false;
  // Fetches started before it went down still end in failures: they extend
  // the down time but are not a new event.
  s.down_until = now + policy_.down_time;
  if (was_down) return false;
  ++stats_.marked_down;
  return true;
}

void OriginHealth::succeeded(const std::string& origin) { states_.erase(origin); }

bool OriginHealth::down(const std::string& origin, Clock::time_point now) const {
  if (probed_down(origin)) return true;
  auto it = states_.find(origin);
  return it != states_.end() && now < it->second.down_until;
}

std::size_t OriginHealth::down_count(Clock::time_point now) const {
  std::size_t n = probe_down_.size();
  for (const auto& [origin, state] : states_) n += now < state.down_until && !probed_down(origin) ? 1 : 0;
  return n;
}

ProbeTransition OriginHealth::probe_failed(const std::string& origin) {
  // One failure is enough: the probe exists so that no client pays for
  // finding it out, and a false alarm costs only `rise` intervals of failover.
  const bool was_down = probed_down(origin);
  probe_down_[origin] = 0;
  if (was_down) return ProbeTransition::none;
  ++stats_.marked_down;
  return ProbeTransition::went_down;
}

ProbeTransition OriginHealth::probe_passed(const std::string& origin) {
  auto it = probe_down_.find(origin);
  if (it == probe_down_.end()) return ProbeTransition::none;
  if (++it->second < policy_.rise) return ProbeTransition::none;
  probe_down_.erase(it);
  return ProbeTransition::came_up;
}

}  // namespace relais::upstream
