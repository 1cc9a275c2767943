#include "edge/cache/freshness/freshness.h"

#include <algorithm>

#include "edge/cache/freshness/storability.h"

namespace relais::freshness {

std::int64_t freshness_lifetime(const ResponseFacts& response, const ExchangeTimes& times,
                                const FreshnessPolicy& policy, bool* heuristic) {
  if (heuristic) *heuristic = false;
  const CacheDirectives& cc = response.directives;
  // §4.2.1: a shared cache prefers s-maxage; an invalid one still counts as
  // explicit information, and it says "stale".
  if (cc.s_maxage_invalid) return 0;
  if (cc.s_maxage) return *cc.s_maxage;
  if (cc.max_age_invalid) return 0;
  if (cc.max_age) return *cc.max_age;
  const std::int64_t date = response.date.value_or(times.response_time);
  if (response.expires_present) return std::max<std::int64_t>(0, response.expires - date);
  // §4.2.2: heuristics only for statuses cacheable by default, or public.
  if (!(cacheable_by_default(response.status) || cc.public_)) return 0;
  if ((response.status == 404 || response.status == 410) && policy.negative_lifetime > 0) {
    if (heuristic) *heuristic = true;
    return policy.negative_lifetime;
  }
  if (!response.last_modified || *response.last_modified > date) return 0;
  if (heuristic) *heuristic = true;
  const std::int64_t since_modified = date - *response.last_modified;
  return std::min(policy.heuristic_cap, since_modified / 100 * policy.heuristic_percent +
                                            since_modified % 100 * policy.heuristic_percent / 100);
}

std::int64_t current_age(const ResponseFacts& response, const ExchangeTimes& times, std::int64_t now) {
  const std::int64_t date_value = response.date.value_or(times.response_time);
  const std::int64_t apparent_age = std::max<std::int64_t>(0, times.response_time - date_value);
  const std::int64_t response_delay = std::max<std::int64_t>(0, times.response_time - times.request_time);
  const std::int64_t corrected_age_value = response.age + response_delay;
  const std::int64_t corrected_initial_age = std::max(apparent_age, corrected_age_value);
  const std::int64_t resident_time = std::max<std::int64_t>(0, now - times.response_time);
  return std::min(kDeltaSecondsCap, corrected_initial_age + resident_time);
}

std::string format_age(std::int64_t age) {
  return std::to_string(std::clamp<std::int64_t>(age, 0, kDeltaSecondsCap));
}

}  // namespace relais::freshness
