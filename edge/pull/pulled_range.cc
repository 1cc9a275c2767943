#include "edge/pull/pulled_range.h"

#include <algorithm>
#include <limits>

#include "edge/cache/freshness/validation.h"
#include "edge/http/ascii_case.h"
#include "edge/http/multipart.h"
#include "edge/http/preconditions.h"
#include "edge/pull/pull_compression.h"

namespace relais::pull {

RangeAsk range_ask(const http::Request& request, const http::ResponderSettings* settings) {
  RangeAsk ask;
  if (request.method != http::Method::get || request.range.empty()) return ask;
  const http::ResponderSettings defaults;
  const http::ResponderSettings& s = settings != nullptr ? *settings : defaults;
  ask.range.assign(request.range);
  ask.if_range.assign(request.if_range);
  ask.max_ranges = s.max_ranges;
  ask.boundary = s.multipart_boundary;
  return ask;
}

http::RangeSet select_ranges(const RangeAsk& ask, int status, const freshness::ResponseFacts& facts,
                             std::uint64_t length) {
  // §14.2: a server MAY ignore Range; ours serve ranges of a whole 200 only
  // (a 404's or a redirect's body is no representation worth a part of).
  if (!ask.wanted() || status != 200) return {};
  // Without a Last-Modified no date can be "an exact match" (§13.1.5 step 2):
  // kNoDate, a value no parsed HTTP-date takes (validators_of).
  if (!http::if_range_allows(ask.if_range, freshness::validators_of(facts, 0))) return {};
  return http::parse_range(ask.range, length, ask.max_ranges);
}

ColdRange cold_range(const RangeAsk& ask, int status, const freshness::ResponseFacts& facts) {
  // Without a length a 206 cannot say `bytes a-b/len` nor a 416 `*/len`
  // (a chunked origin): §14.2 lets us ignore the Range.
  if (!ask.wanted() || !facts.content_length || *facts.content_length < 0) return {};
  const auto length = static_cast<std::uint64_t>(*facts.content_length);
  const http::RangeSet set = select_ranges(ask, status, facts, length);
  switch (set.kind) {
    case http::RangeSet::Kind::ignore: return {};
    case http::RangeSet::Kind::unsatisfiable: return {ColdRange::Kind::unsatisfiable, {}};
    case http::RangeSet::Kind::satisfiable: break;
  }
  // Several ranges of a body still arriving: the whole (a multipart body cut
  // on the fly is left for later); a hit on the stored object has them.
  if (set.count > 1) return {};
  return {ColdRange::Kind::one, set.ranges[0]};
}

void keep_for_unsatisfiable(std::vector<http::HeaderField>& fields) {
  std::erase_if(fields, [](const http::HeaderField& f) { return !kept_on_304(f.name); });
}

http::ResponseSummary send_unsatisfiable(std::span<const http::HeaderField> fields, std::string_view date,
                                         std::uint64_t length, const ServeOptions& options, http::ResponseSink& sink) {
  http::Response r(416, options.server, date.empty() ? options.now_date : date, options.close);
  r.forwarded = fields;
  char cache_status[freshness::kMaxCacheStatusBytes];
  add_cache_fields(r, options, cache_status);
  // §15.5.17: the current length, so the client can ask again within it.
  r.add_content_range(nullptr, length);
  r.add(http::field::content_length, std::uint64_t{0});
  sink.send(r);
  return http::ResponseSummary{416, 0, options.close, false, false, false};
}

std::optional<http::ResponseSummary> send_stored_ranges(const PulledObject& object, const ServeOptions& options,
                                                        http::ResponseSink& sink) {
  const std::uint64_t size = object.body_size();
  const http::RangeSet set = select_ranges(*options.ranges, object.status, object.stored.facts, size);
  if (set.kind == http::RangeSet::Kind::ignore) return std::nullopt;
  std::vector<http::HeaderField> fields;
  forwarded_fields(object.fields, fields);
  // The identity's fields; an object with coded variants says so (Vary) on its
  // ranges and its 416s too (RFC 9110 §12.5.5).
  CodedFieldValues coded_values;
  apply_coding(fields, object, nullptr, coded_values);
  const std::string_view date = stored_date(object.fields);
  if (set.kind == http::RangeSet::Kind::unsatisfiable) {
    keep_for_unsatisfiable(fields);
    return send_unsatisfiable(fields, date, size, options, sink);
  }
  // §15.3.7: a 206 carries the 200's fields (Cache-Control, ETag, Expires,
  // Vary...); with several parts their Content-Type moves into each part.
  const bool multipart = set.count > 1;
  std::string_view part_type = "application/octet-stream";
  std::erase_if(fields, [&](const http::HeaderField& f) {
    if (http::equals_ignore_case(f.name, "content-range")) return true;
    if (!multipart || !http::equals_ignore_case(f.name, "content-type")) return false;
    part_type = f.value;
    return true;
  });
  http::Response r(206, options.server, date.empty() ? options.now_date : date, options.close);
  r.forwarded = fields;
  char cache_status[freshness::kMaxCacheStatusBytes];
  add_cache_fields(r, options, cache_status);
  const BodySource source = body_source_of(object);
  http::ResponseBody& b = r.body;
  b.kind = http::ResponseBody::Kind::source;
  b.source = &source;
  b.ranges = std::span<const http::ByteRange>(set.ranges, set.count);
  b.size = size;
  std::uint64_t total = set.ranges[0].length();
  std::string multipart_type;  // outlives the send below; a multi-range answer is rare
  if (multipart) {
    b.part_type = part_type;
    b.boundary = options.ranges->boundary;
    total = http::multipart_length(b);
    multipart_type = "multipart/byteranges; boundary=" + options.ranges->boundary;
    r.add(http::field::content_type, multipart_type);
  } else {
    r.add_content_range(&set.ranges[0], size);
  }
  r.add(http::field::content_length, total);
  sink.send(r);
  return http::ResponseSummary{206, total, options.close, false, false, false};
}

std::size_t RangeCut::before(std::string_view chunk) const {
  if (position_ >= first_) return 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), first_ - position_));
}

std::string_view RangeCut::inside(std::string_view chunk) const {
  if (complete()) return {};
  return chunk.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), end_ - position_)));
}

std::size_t RangeCut::feed(std::string_view chunk, http::StreamSink& sink, std::uint64_t& sent) {
  const std::size_t passed = before(chunk);
  advance(passed);
  const std::string_view mine = inside(chunk.substr(passed));
  const std::size_t taken = mine.empty() ? 0 : sink.body(mine);
  advance(taken);
  sent += taken;
  return passed + taken;
}

}  // namespace relais::pull
