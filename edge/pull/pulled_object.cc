#include "edge/pull/pulled_object.h"

#include <limits>

#include "edge/cache/freshness/secondary_key.h"
#include "edge/cache/freshness/validation.h"
#include "edge/pull/pull_compression.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {

StorePlan plan_store(const upstream::OriginHead& head, freshness::Fields request_fields,
                     const freshness::ExchangeTimes& times, std::int64_t now, std::uint64_t object_max,
                     const freshness::StorePolicy& policy) {
  StorePlan plan;
  const std::vector<freshness::FieldView> views = field_views(head);
  freshness::ResponseFacts facts = freshness::read_response_facts(head.status, views, now);
  // The origin saw only the fields we rebuilt (origin_request.h): a GET, no
  // Authorization, no Cache-Control of the client's.
  const freshness::RequestFacts request{"GET", false, {}};
  const freshness::StoreDecision decision = freshness::decide_storage(request, facts, views, policy);
  plan.verdict = decision.verdict;
  if (!decision.storable()) return plan;
  const std::optional<std::string> secondary = freshness::secondary_key(facts.vary, request_fields);
  if (!secondary) return plan;
  if (facts.content_length && static_cast<std::uint64_t>(*facts.content_length) > object_max) return plan;
  plan.object.status = head.status;
  plan.object.fields = freshness::fields_to_store(views, decision.strip);
  plan.object.secondary = *secondary;
  // Facts of what is stored (a field left out is not a fact of it).
  plan.object.stored.facts = freshness::read_response_facts(head.status, field_views(plan.object.fields), now);
  plan.object.stored.times = times;
  plan.storable = true;
  return plan;
}

PulledRef freshen(const PulledObject& stored, const upstream::OriginHead& not_modified,
                  const freshness::ExchangeTimes& times, std::int64_t now) {
  const std::vector<freshness::FieldView> views = field_views(not_modified);
  const freshness::ResponseFacts facts = freshness::read_response_facts(not_modified.status, views, now);
  const freshness::ResponseFacts* candidates[] = {&stored.stored.facts};
  // A 304 without any validator answers the conditional request we made with
  // this one response's validators, so it can only be about this response:
  // its origin left out the ETag RFC 9110 §15.4.5 asks for (as many do).
  // §4.3.4's bullets pick among several stored responses; refusing it would
  // cost a full fetch per revalidation against such origins (the cache-tests
  // suite's bare 304s; nginx and Varnish freshen on them too). A 304 that
  // names other validators still selects nothing.
  const bool bare = facts.etag.empty() && !facts.last_modified;
  if (!bare && freshness::select_for_update(facts, candidates).empty()) return nullptr;
  auto object = std::make_shared<PulledObject>(stored);
  freshness::merge_not_modified(object->fields, views);
  // The merged response is what would be shared: §3 and §5.2.2.7 judge it
  // as they judge a new one. A 304 adding private, no-store or Set-Cookie (a
  // session cookie sent on every response, 304s included) makes a response
  // for this client alone: nullptr, so the stored copy is dropped and the
  // client's answer fetched whole (outside attack: a 304's Set-Cookie and
  // `private` went out with every later hit). Fields it names are left out.
  const std::vector<freshness::FieldView> merged = field_views(object->fields);
  const freshness::ResponseFacts merged_facts = freshness::read_response_facts(object->status, merged, now);
  const freshness::StoreDecision decision = freshness::decide_storage({"GET", false, {}}, merged_facts, merged);
  if (!decision.storable()) return nullptr;
  object->fields = freshness::fields_to_store(merged, decision.strip);
  object->stored.facts = freshness::read_response_facts(object->status, field_views(object->fields), now);
  object->stored.times = times;
  // A 304 may add no-transform or a Vary on Accept-Encoding: the variants
  // made of the body go then (pull_compression.h); the size was checked.
  if (object->coded != nullptr &&
      compression_verdict(*object, std::numeric_limits<std::uint64_t>::max()) != CompressVerdict::compress)
    object->coded.reset();
  return object;
}

std::vector<freshness::FieldView> OwnedFields::views() const { return field_views(lines); }

}  // namespace relais::pull
