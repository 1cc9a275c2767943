// Making PulledObjects from what an origin answered (RFC 9111 §3, §3.2,
// §4.3.4): the decision to store a response and its stored form, and the
// freshened copy of a stored response after a 304. Pure functions of the
// head, the request that caused the fetch and the clock passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "edge/cache/freshness/storability.h"
#include "edge/pull/pulled_table.h"
#include "edge/upstream/origin_head.h"

namespace relais::pull {

// What a fetched head means for the store.
struct StorePlan {
  freshness::StoreVerdict verdict = freshness::StoreVerdict::store;
  bool storable = false;                       // verdict store, a Vary key we can keep, and not too large
  PulledObject object;                         // without its body; fields as stored
};

// request_fields: the fields of the request that caused the fetch (its
// Vary key). object_max: a response announcing a larger body is not stored.
StorePlan plan_store(const upstream::OriginHead& head, freshness::Fields request_fields,
                     const freshness::ExchangeTimes& times, std::int64_t now, std::uint64_t object_max,
                     const freshness::StorePolicy& policy);

// §4.3.4: the stored response updated by a 304's fields and the times of
// the revalidation; its body is shared. nullptr when the 304 does not select
// it (select_for_update: a strong entity-tag or a Last-Modified other than
// the stored one describes another representation; merging it would serve
// the old body under the new validators, and splice resumed downloads),
// and when the merged response may not be shared (a 304 adding private,
// no-store or Set-Cookie): the caller drops the stored copy and fetches.
PulledRef freshen(const PulledObject& stored, const upstream::OriginHead& not_modified,
                  const freshness::ExchangeTimes& times, std::int64_t now);

// Owned copies of a request's fields, for a fetch that outlives the request.
struct OwnedFields {
  std::vector<freshness::StoredField> lines;
  std::vector<freshness::FieldView> views() const;
};

}  // namespace relais::pull
