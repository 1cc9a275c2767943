// May a stored response answer this request, and how (RFC 9111 §4, §4.2.4,
// §5.2.1, RFC 5861)? The decision a hit, a stale hit and a revalidation start from.
//
// Request directives are advisory (§5.2.1). As a shared edge in front of an
// origin that must survive a spike we honour those that can only make us
// serve less from the origin: max-stale and only-if-cached. Those that send
// traffic to the origin (no-cache, max-age, min-fresh) are honoured only when
// ReusePolicy::honour_client_revalidation is set (off by default: a client
// sending "no-cache" in a loop would otherwise bypass the cache).
#pragma once

#include <cstdint>

#include "edge/cache/freshness/freshness.h"

namespace relais::freshness {

struct ReusePolicy {
  bool honour_client_revalidation = false;
  // Seconds past expiry an operator lets us serve stale when the origin fails,
  // on top of the origin's stale-if-error (the "grace").
  std::int64_t error_grace = 0;
  FreshnessPolicy freshness;
};

// What the cache knows of one stored response.
struct StoredResponse {
  ResponseFacts facts;
  ExchangeTimes times;
};

enum class Reuse : unsigned char {
  fresh,                    // serve it
  stale_allowed,            // serve it stale: the request's max-stale allows it (§4.2.4)
  stale_while_revalidate,   // serve it stale and refresh once in the background (RFC 5861 §3)
  revalidate,               // ask the origin (conditional) before serving
  gateway_timeout,          // only-if-cached and nothing usable: 504 (§5.2.1.7)
};

struct ReuseDecision {
  Reuse action = Reuse::revalidate;
  std::int64_t age = 0;       // current age (§4.2.3), for Age
  std::int64_t ttl = 0;       // lifetime - age: negative when stale (RFC 9211 ttl)
};

ReuseDecision decide_reuse(const StoredResponse& stored, const CacheDirectives& request, std::int64_t now,
                           const ReusePolicy& policy = {});

// §4.2.4 / RFC 5861 §4: may this stale response be served because the origin
// failed (no answer, or 500/502/503/504)? Within the response's
// stale-if-error, the request's, or the operator's grace. must-revalidate,
// proxy-revalidate, s-maxage and no-cache forbid it unless the origin itself
// sent stale-if-error (its explicit permission for exactly this case).
bool may_serve_stale_on_error(const StoredResponse& stored, const CacheDirectives& request, std::int64_t now,
                              const ReusePolicy& policy = {});

// §4.2.4: directives that forbid serving this response stale.
bool stale_forbidden(const CacheDirectives& response);

}  // namespace relais::freshness
