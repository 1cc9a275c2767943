#include "edge/pull/pull_slices.h"

#include <algorithm>
#include <charconv>

#include "edge/http/ascii_case.h"
#include "edge/http/preconditions.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {
namespace {

// Digits only, no sign, no overflow; advances s past them.
std::optional<std::uint64_t> take_number(std::string_view& s) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return v;
}

std::string_view field_of(const upstream::OriginHead& head, std::string_view name) {
  for (const upstream::OriginField& f : head.fields)
    if (http::equals_ignore_case(f.name, name)) return f.value;
  return {};
}

bool strong(std::string_view etag) { return etag.size() >= 2 && etag.front() == '"'; }

// The whole representation's head, as a 200 of `length` bytes would have
// said it (§15.3.7: a 206 carries the 200's fields).
upstream::OriginHead as_whole(const upstream::OriginHead& answer, std::uint64_t length) {
  upstream::OriginHead whole;
  whole.status = 200;
  for (const upstream::OriginField& f : answer.fields) {
    if (!http::equals_ignore_case(f.name, "content-range") && !http::equals_ignore_case(f.name, "content-length"))
      whole.fields.push_back(f);
  }
  whole.fields.push_back({"Content-Length", std::to_string(length)});
  return whole;
}

// RFC 9111 §3 as the 200 of the whole would be, of the identity we asked
// for and without Vary: what the first slice must be for the object to be
// sliced, and every later slice to be stored.
std::optional<StorePlan> identity_plan(const upstream::OriginHead& answer, std::uint64_t length,
                                       const freshness::StorePolicy& store, const freshness::ExchangeTimes& times,
                                       std::int64_t now) {
  if (!field_of(answer, "vary").empty() || !field_of(answer, "content-encoding").empty()) return std::nullopt;
  StorePlan plan = plan_store(as_whole(answer, length), {}, times, now, UINT64_MAX, store);
  if (!plan.storable) return std::nullopt;
  return plan;
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
  // §14.4: complete-length is required here: a slice of an object of
  // unknown length ("/*") cannot be placed.
  if (!value.starts_with("bytes ")) return std::nullopt;
  value.remove_prefix(6);
  ContentRange r;
  const auto first = take_number(value);
  if (!first || !value.starts_with('-')) return std::nullopt;
  value.remove_prefix(1);
  const auto last = take_number(value);
  if (!last || !value.starts_with('/')) return std::nullopt;
  value.remove_prefix(1);
  const auto length = take_number(value);
  if (!length || !value.empty() || *first > *last || *last >= *length) return std::nullopt;
  return ContentRange{*first, *last, *length};
}

SliceSpan slices_of(const http::ByteRange& range, std::uint64_t slice_size) {
  return {range.first / slice_size, range.last / slice_size};
}

http::ByteRange slice_bounds(std::uint64_t index, std::uint64_t slice_size, std::uint64_t length) {
  const std::uint64_t first = index * slice_size;
  return {first, std::min(first + slice_size, length) - 1};
}

http::ByteRange cut_in_slice(const http::ByteRange& range, std::uint64_t index, std::uint64_t slice_size,
                             std::uint64_t length) {
  const http::ByteRange slice = slice_bounds(index, slice_size, length);
  return {std::max(range.first, slice.first) - slice.first, std::min(range.last, slice.last) - slice.first};
}

std::string slice_range_value(std::uint64_t index, std::uint64_t slice_size) {
  const std::uint64_t first = index * slice_size;
  return "bytes=" + std::to_string(first) + "-" + std::to_string(first + slice_size - 1);
}

std::uint64_t first_byte_asked(std::string_view range) {
  if (!range.starts_with("bytes=")) return 0;
  range.remove_prefix(6);
  while (!range.empty() && (range.front() == ' ' || range.front() == '\t')) range.remove_prefix(1);
  const auto first = take_number(range);
  return first && range.starts_with('-') ? *first : 0;
}

std::string slice_key(const std::string& primary, std::string_view etag, std::uint64_t slice_size,
                      std::uint64_t index) {
  // §8.8.3: an entity-tag has no space; the fields cannot run into each other.
  std::string key = primary;
  key += "\n#slice ";
  key.append(etag);
  key += ' ';
  key += std::to_string(slice_size);
  key += ' ';
  key += std::to_string(index);
  return key;
}

bool is_slice_of(const upstream::OriginHead& answer, const PulledObject& head, std::uint64_t index) {
  if (answer.status != 206 || head.slice_size == 0) return false;
  const std::optional<ContentRange> got = parse_content_range(field_of(answer, "content-range"));
  if (!got || got->length != head.length) return false;
  const http::ByteRange want = slice_bounds(index, head.slice_size, head.length);
  if (got->first != want.first || got->last != want.last) return false;
  // §8.8.3.2: strong comparison; a weak or missing tag proves nothing.
  return http::etag_strong_match(field_of(answer, "etag"), head.stored.facts.etag);
}

SliceFate judge_slice(const upstream::OriginHead& answer, const PulledObject& head, std::uint64_t index,
                      const freshness::StorePolicy& store, const freshness::ExchangeTimes& times, std::int64_t now) {
  if (is_slice_of(answer, head, index)) {
    // Coded bytes are not the identity's the head describes: never served as them.
    if (!field_of(answer, "content-encoding").empty()) return SliceFate::foreign;
    return identity_plan(answer, head.length, store, times, now) ? SliceFate::store : SliceFate::pass;
  }
  // A 416 or 404/410 says the length or the object is gone: a head kept
  // would answer every request with its fields, then a cut, and cost an
  // origin request each time for the head's lifetime.
  switch (answer.status) {
    case 200: case 206: case 404: case 410: case 416: return SliceFate::foreign;
    default: return SliceFate::failed;
  }
}

std::optional<upstream::OriginHead> whole_of(const upstream::OriginHead& answer) {
  if (answer.status != 206) return std::nullopt;
  const std::optional<ContentRange> got = parse_content_range(field_of(answer, "content-range"));
  if (!got || got->first != 0 || got->last + 1 != got->length) return std::nullopt;
  return as_whole(answer, got->length);
}

std::optional<PulledObject> make_slice_head(const upstream::OriginHead& answer, const SliceRules& rules,
                                            const freshness::ExchangeTimes& times, std::int64_t now) {
  if (answer.status != 206 || rules.size == 0) return std::nullopt;
  const std::optional<ContentRange> got = parse_content_range(field_of(answer, "content-range"));
  if (!got || got->length < rules.min || got->length > rules.max || got->first % rules.size != 0) return std::nullopt;
  if (got->last != std::min(got->first + rules.size, got->length) - 1) return std::nullopt;
  if (!strong(field_of(answer, "etag"))) return std::nullopt;
  std::optional<StorePlan> plan = identity_plan(answer, got->length, rules.store, times, now);
  if (!plan) return std::nullopt;
  plan->object.slice_size = rules.size;
  plan->object.length = got->length;
  plan->object.body = std::make_shared<const MemoryObject>();
  return std::move(plan->object);
}

}  // namespace relais::pull
