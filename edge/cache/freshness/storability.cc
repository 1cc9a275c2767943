#include "edge/cache/freshness/storability.h"

#include <algorithm>

#include "edge/cache/freshness/field_list.h"
#include "edge/http/ascii_case.h"

namespace relais::freshness {
namespace {

// The statuses whose semantics we implement, for must-understand (§5.2.2.3).
bool understood(int status) {
  return cacheable_by_default(status) || status == 302 || status == 303 || status == 307;
}

bool contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

bool cacheable_by_default(int status) {
  switch (status) {
    case 200: case 203: case 204: case 206: case 300: case 301: case 308:
    case 404: case 405: case 410: case 414: case 501:
      return true;
    default:
      return false;
  }
}

void hop_by_hop_fields(Fields fields, std::vector<std::string>& out) {
  for (std::string_view name : {"connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade"}) {
    out.emplace_back(name);
  }
  for (const FieldView& f : fields) {
    if (!http::equals_ignore_case(f.name, "connection")) continue;
    for_each_list_element(f.value, [&](std::string_view name) {
      if (is_token(name)) out.push_back(ascii_lowercase(name));
    });
  }
}

StoreDecision decide_storage(const RequestFacts& request, const ResponseFacts& response, Fields response_fields,
                             const StorePolicy& policy) {
  StoreDecision d;
  const CacheDirectives& cc = response.directives;
  auto refuse = [&](StoreVerdict v) {
    d.verdict = v;
    d.strip.clear();
    return d;
  };
  if (request.method != "GET") return refuse(StoreVerdict::method);
  if (response.status < 200 || response.status == 206 || response.status == 304 || response.status > 599) {
    return refuse(StoreVerdict::status);
  }
  // §5.2.2.3: must-understand overrides no-store for a status we understand,
  // and forbids storage of one we do not.
  if (cc.must_understand && !understood(response.status)) return refuse(StoreVerdict::not_understood);
  if (cc.no_store && !cc.must_understand) return refuse(StoreVerdict::no_store);
  if (policy.honour_request_no_store && request.directives.no_store) return refuse(StoreVerdict::no_store);
  if (cc.private_) return refuse(StoreVerdict::private_);
  // §3.5: a shared cache stores a response to an authenticated request only
  // when the origin said it may be shared.
  if (request.authorization && !(cc.public_ || cc.must_revalidate || cc.s_maxage)) {
    return refuse(StoreVerdict::authorization);
  }
  bool star = false;
  for_each_list_element(response.vary, [&](std::string_view name) { star = star || name == "*"; });
  if (star) return refuse(StoreVerdict::vary_star);
  // §3 last bullet: something must say the response may be reused.
  const bool explicit_freshness = cc.max_age || cc.s_maxage || cc.max_age_invalid || cc.s_maxage_invalid ||
                                  response.expires_present;
  if (!(cc.public_ || explicit_freshness || cacheable_by_default(response.status))) {
    return refuse(StoreVerdict::not_cacheable);
  }
  d.strip = cc.private_fields;
  d.strip.insert(d.strip.end(), cc.no_cache_fields.begin(), cc.no_cache_fields.end());
  if (response.set_cookie && !contains(d.strip, "set-cookie")) return refuse(StoreVerdict::set_cookie);
  hop_by_hop_fields(response_fields, d.strip);
  return d;
}

}  // namespace relais::freshness
