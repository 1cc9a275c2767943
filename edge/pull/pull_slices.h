// Slices of large pulled objects (docs/PULL_THROUGH.md "Slices", RFC 9110
// §14, like nginx's slice module): the arithmetic and the checks, pure
// functions.
//
// A sliced object is a small head stored under the primary key (status 200,
// the origin's fields with Content-Length: LEN, a strong ETag, the slice
// size, an empty body) and slices of slice_size bytes (the last one shorter),
// each stored under its own key: the primary, a LF (never in a request
// target, so no client path reaches it), the ETag, the slice size and the
// index. Keyed by the ETag, a slice of another version of the object is never
// served with this head: when the head goes (eviction, a changed ETag) its
// slices are unreachable by a new head of another version and age out of the
// memory table and the disk tier; a purge of the path takes them at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "edge/http/range_set.h"
#include "edge/pull/pulled_object.h"
#include "edge/upstream/origin_head.h"

namespace relais::pull {

// A Content-Range of a 206 (§14.4): bytes first-last/length, nothing else.
struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t length = 0;
};
std::optional<ContentRange> parse_content_range(std::string_view value);

// Slice indexes first..last (inclusive) that hold range.
struct SliceSpan {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};
SliceSpan slices_of(const http::ByteRange& range, std::uint64_t slice_size);

// The bytes of slice `index` of an object of `length` bytes (the last one is shorter).
http::ByteRange slice_bounds(std::uint64_t index, std::uint64_t slice_size, std::uint64_t length);

// Of slice `index`, the part inside `range` (which must meet it), as offsets
// within the slice.
http::ByteRange cut_in_slice(const http::ByteRange& range, std::uint64_t index, std::uint64_t slice_size,
                             std::uint64_t length);

// The Range we ask the origin for slice `index`: aligned, slice_size bytes
// (the origin clips the last one).
std::string slice_range_value(std::uint64_t index, std::uint64_t slice_size);

// The first byte a client's Range value names when it says so ("bytes=N-..."):
// the slice to ask first. A suffix range or anything else: 0.
std::uint64_t first_byte_asked(std::string_view range);

// Where slice `index` of the object with entity-tag etag, cut in slices of
// slice_size, is stored, under primary. The size is in the key: slice N of
// another size (pull-slice-size changed across a restart, the disk keeping
// the old slices) is other bytes, sometimes of the same length (a last slice).
std::string slice_key(const std::string& primary, std::string_view etag, std::uint64_t slice_size,
                      std::uint64_t index);

// A 206 is slice `index` of the sliced head `head` when its Content-Range is
// exactly that slice of head's length and its ETag matches head's strongly.
bool is_slice_of(const upstream::OriginHead& answer, const PulledObject& head, std::uint64_t index);

// What an answer to slice `index` of a sliced head is, for its clients and
// the store. Every slice is held to the first slice's rules (RFC 9111 §3 as a
// 200 would be; the identity, no Vary), not only the first.
enum class SliceFate : unsigned char {
  store,    // that slice of that version, storable
  pass,     // that slice, but not to keep (no-store, private, Set-Cookie, a Vary): its clients get it
  foreign,  // not of the head's representation (another ETag or length, a 200 to If-Range, a
            // Content-Encoding) or gone (404, 410, 416): the head is dropped, its clients cut
  failed,   // anything else (5xx...): its clients cut, the head kept
};
SliceFate judge_slice(const upstream::OriginHead& answer, const PulledObject& head, std::uint64_t index,
                      const freshness::StorePolicy& store, const freshness::ExchangeTimes& times, std::int64_t now);

// A 206 whose Content-Range is the whole representation (bytes 0-(LEN-1)/LEN,
// an object no larger than the slice asked): the 200 it stands for (its
// fields without Content-Range, Content-Length: LEN), which is stored whole;
// nullopt for any other answer.
std::optional<upstream::OriginHead> whole_of(const upstream::OriginHead& answer);

// The head to store (and serve from) for a 206 answer to the first slice
// request of a cold key, or nullopt when the object is not to be sliced: a
// Content-Range that is not bytes a-b/LEN with a aligned on slice_size, LEN
// under slice_min or over max (pull-max-body: the body a whole fetch may
// have; a hostile LEN of 2^64-1 is no object we serve), no strong ETag, a
// Vary (the slices are of the identity we asked for), or a response RFC 9111
// does not let us store.
struct SliceRules {
  std::uint64_t size = 0;
  std::uint64_t min = 0;
  freshness::StorePolicy store;
  std::uint64_t max = UINT64_MAX;
};
std::optional<PulledObject> make_slice_head(const upstream::OriginHead& answer, const SliceRules& rules,
                                            const freshness::ExchangeTimes& times, std::int64_t now);

}  // namespace relais::pull
