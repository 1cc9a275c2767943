#include "edge/upstream/origin_health.h"

#include <algorithm>

#include "origin-sync/assert.h"

namespace relais::upstream {

OriginHealth::OriginHealth(OriginHealthPolicy policy) : policy_(policy) { RELAIS_ASSERT(policy_.max_fails >= 1); }

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
  auto it = states_.find(origin);
  return it != states_.end() && now < it->second.down_until;
}

std::size_t OriginHealth::down_count(Clock::time_point now) const {
  return static_cast<std::size_t>(
      std::count_if(states_.begin(), states_.end(), [now](const auto& entry) { return now < entry.second.down_until; }));
}

}  // namespace relais::upstream
