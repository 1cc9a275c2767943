// May a shared cache store this response (RFC 9111 §3)? And which of its
// fields must it leave out (§3.1, and the qualified private= / no-cache=)?
//
// Our choices, where the RFC leaves one:
//  - only GET responses are stored; a HEAD response only freshens (§4.3.5);
//  - 206 is not stored (no partial-content storage yet), 304 is not a response to store;
//  - a response with Set-Cookie is not stored (nginx and Varnish do the same: a
//    session cookie handed to every pupil is the classic shared-cache leak),
//    unless private="set-cookie" or no-cache="set-cookie" names it, in which case
//    the response is stored without it (§5.2.2.7 allows exactly that);
//  - Vary: * is not stored (§4.1: it can never be reused);
//  - request no-store is obeyed only when the policy says so: request
//    directives are advisory (§5.2.1), and a flood of no-store requests must not
//    turn a cached URL into one origin fetch per request.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/freshness/response_facts.h"

namespace relais::freshness {

struct StorePolicy {
  bool honour_request_no_store = false;
};

struct RequestFacts {
  std::string_view method;       // as sent (case-sensitive, RFC 9110 §9.1)
  bool authorization = false;    // an Authorization field was present
  CacheDirectives directives;    // the request's Cache-Control
};

enum class StoreVerdict : unsigned char {
  store,
  method,              // not GET
  status,              // 1xx, 206, 304
  no_store,            // response (or honoured request) no-store
  private_,            // unqualified private: a shared cache MUST NOT store (§5.2.2.7)
  authorization,       // §3.5 without public / must-revalidate / s-maxage
  set_cookie,          // our choice, see above
  vary_star,           // §4.1
  not_understood,      // must-understand on a status we do not implement (§5.2.2.3)
  not_cacheable,       // no explicit freshness and a status not cacheable by default (§3 last bullet)
};

struct StoreDecision {
  StoreVerdict verdict = StoreVerdict::store;
  std::vector<std::string> strip;  // lower-case names of fields not to store
  bool storable() const { return verdict == StoreVerdict::store; }
};

// RFC 9110 §15.1: the statuses that are heuristically cacheable, i.e. "cacheable by default".
bool cacheable_by_default(int status);

StoreDecision decide_storage(const RequestFacts& request, const ResponseFacts& response, Fields response_fields,
                             const StorePolicy& policy = {});

// §3.1 / RFC 9110 §7.6.1: fields never stored (hop-by-hop, and those that
// Connection names), lower-case, appended to out.
void hop_by_hop_fields(Fields fields, std::vector<std::string>& out);

}  // namespace relais::freshness
