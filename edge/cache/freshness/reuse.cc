#include "edge/cache/freshness/reuse.h"

#include <algorithm>

namespace relais::freshness {

bool stale_forbidden(const CacheDirectives& cc) {
  // §5.2.2.2, §5.2.2.8, §5.2.2.10 (s-maxage implies proxy-revalidate), §5.2.2.4.
  return cc.must_revalidate || cc.proxy_revalidate || cc.s_maxage || cc.s_maxage_invalid || cc.no_cache;
}

ReuseDecision decide_reuse(const StoredResponse& stored, const CacheDirectives& request, std::int64_t now,
                           const ReusePolicy& policy) {
  ReuseDecision d;
  const CacheDirectives& cc = stored.facts.directives;
  const std::int64_t lifetime = freshness_lifetime(stored.facts, stored.times, policy.freshness);
  d.age = current_age(stored.facts, stored.times, now);
  d.ttl = lifetime - d.age;
  auto decide = [&]() {
    // §5.2.2.4: no-cache -> never reused without a successful validation.
    if (cc.no_cache) return Reuse::revalidate;
    bool fresh = lifetime > d.age;  // §4.2: fresh if lifetime exceeds age
    if (policy.honour_client_revalidation) {
      if (request.no_cache) return Reuse::revalidate;                       // §5.2.1.4
      if (request.max_age && d.age > *request.max_age) fresh = false;       // §5.2.1.1
      if (request.min_fresh && d.ttl < *request.min_fresh) fresh = false;   // §5.2.1.3
    }
    if (fresh) return Reuse::fresh;
    const std::int64_t staleness = std::max<std::int64_t>(0, -d.ttl);
    if (!stale_forbidden(cc)) {
      // §5.2.1.2: the client accepts this much staleness.
      if (request.max_stale_any || (request.max_stale && staleness <= *request.max_stale)) return Reuse::stale_allowed;
      if (cc.stale_while_revalidate && staleness <= *cc.stale_while_revalidate) return Reuse::stale_while_revalidate;
    }
    return Reuse::revalidate;
  };
  d.action = decide();
  // §5.2.1.7: only-if-cached never reaches the origin.
  if (d.action == Reuse::revalidate && request.only_if_cached) d.action = Reuse::gateway_timeout;
  return d;
}

bool may_serve_stale_on_error(const StoredResponse& stored, const CacheDirectives& request, std::int64_t now,
                              const ReusePolicy& policy) {
  const CacheDirectives& cc = stored.facts.directives;
  const std::int64_t lifetime = freshness_lifetime(stored.facts, stored.times, policy.freshness);
  const std::int64_t staleness = current_age(stored.facts, stored.times, now) - lifetime;
  if (cc.stale_if_error && staleness <= *cc.stale_if_error) return true;  // RFC 5861 §4
  // §5.2.2.4: a no-cache response is never used without validation, fresh or not.
  if (cc.no_cache) return false;
  // §4.2: fresh only while lifetime > age; at staleness 0 it is already stale.
  if (staleness < 0) return true;
  if (stale_forbidden(cc)) return false;
  const std::int64_t allowed = std::max(request.stale_if_error.value_or(0), policy.error_grace);
  // No grace and no request stale-if-error is no permission, even within the
  // second a response expired in (whole-second ages make staleness 0 common).
  return allowed > 0 && staleness <= allowed;
}

}  // namespace relais::freshness
