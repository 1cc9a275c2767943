// Freshness lifetime (RFC 9111 §4.2.1, §4.2.2) and current age (§4.2.3) of a
// stored response, for a shared cache. Pure arithmetic on ResponseFacts and
// the times the caller recorded; every time is seconds since the epoch.
#pragma once

#include <cstdint>
#include <string>

#include "edge/cache/freshness/response_facts.h"

namespace relais::freshness {

struct FreshnessPolicy {
  // §4.2.2: "a typical setting of this fraction might be 10%".
  int heuristic_percent = 10;
  // Cap on a heuristic lifetime: a page not touched for ten years is not
  // trusted for a year without asking. One day, as Squid's refresh_pattern max.
  std::int64_t heuristic_cap = 86400;
  // Negative caching: a 404 or 410 without explicit freshness is fresh this
  // long (a heuristic §4.2.2 allows: both are cacheable by default), so a
  // flood of requests for a missing URL reaches the origin once per period.
  // 0: the ordinary heuristic applies.
  std::int64_t negative_lifetime = 10;
};

// When the request that produced the response was sent and when its head
// arrived (§4.2.3 request_time, response_time), by the edge's clock.
struct ExchangeTimes {
  std::int64_t request_time = 0;
  std::int64_t response_time = 0;
};

// §4.2.1 in the shared-cache order: s-maxage, max-age, Expires - Date, then a
// heuristic (§4.2.2) only when no explicit expiration exists and the status is
// cacheable by default or the response is public. An invalid or duplicated
// freshness directive, or an invalid Expires, gives 0 (stale). Never negative.
// heuristic is set when the result came from the heuristic.
std::int64_t freshness_lifetime(const ResponseFacts& response, const ExchangeTimes& times,
                                const FreshnessPolicy& policy = {}, bool* heuristic = nullptr);

// §4.2.3, the whole algorithm: apparent_age, response_delay, corrected age,
// resident time. A missing Date is the response time (RFC 9110 §6.6.1).
// Capped at kDeltaSecondsCap (§1.2.2).
std::int64_t current_age(const ResponseFacts& response, const ExchangeTimes& times, std::int64_t now);

// The Age field value (§5.1): delta-seconds, capped at 2^31.
std::string format_age(std::int64_t age);

}  // namespace relais::freshness
