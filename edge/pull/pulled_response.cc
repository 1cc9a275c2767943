#include "edge/pull/pulled_response.h"

#include <algorithm>

#include "edge/cache/freshness/field_list.h"
#include "edge/cache/freshness/storability.h"
#include "edge/http/ascii_case.h"
#include "edge/pull/pulled_range.h"
#include "edge/pull/pull_compression.h"

namespace relais::pull {
namespace {

// Written by the protocol or by us, never passed on as received.
bool ours(std::string_view name) {
  for (std::string_view n : {"content-length", "transfer-encoding", "server", "date", "age", "cache-status"}) {
    if (http::equals_ignore_case(name, n)) return true;
  }
  return false;
}

template <class Lines>
void pass_on(const Lines& lines, std::vector<http::HeaderField>& out) {
  std::vector<freshness::FieldView> views;
  views.reserve(lines.size());
  for (const auto& f : lines) views.push_back({f.name, f.value});
  std::vector<std::string> hop;
  freshness::hop_by_hop_fields(views, hop);
  out.clear();
  for (const auto& f : lines) {
    if (ours(f.name)) continue;
    const std::string lower = freshness::ascii_lowercase(f.name);
    if (std::find(hop.begin(), hop.end(), lower) != hop.end()) continue;
    out.push_back(http::HeaderField{f.name, f.value});
  }
}

}  // namespace

std::string_view stored_date(const std::vector<freshness::StoredField>& fields) {
  for (const freshness::StoredField& f : fields) {
    if (http::equals_ignore_case(f.name, "date")) return f.value;
  }
  return {};
}

bool kept_on_304(std::string_view name) {
  for (std::string_view n : {"cache-control", "content-location", "etag", "expires", "vary", "last-modified"}) {
    if (http::equals_ignore_case(name, n)) return true;
  }
  return false;
}

void add_cache_fields(http::Response& r, const ServeOptions& options,
                      char (&cache_status)[freshness::kMaxCacheStatusBytes]) {
  r.add(http::field::age, static_cast<std::uint64_t>(std::max<std::int64_t>(options.age, 0)));
  r.add(http::field::cache_status,
        std::string_view(cache_status, freshness::format_cache_status(options.status, cache_status)));
}

void forwarded_fields(const std::vector<freshness::StoredField>& fields, std::vector<http::HeaderField>& out) {
  pass_on(fields, out);
}

void forwarded_fields(const upstream::OriginHead& head, std::vector<http::HeaderField>& out) {
  pass_on(head.fields, out);
}

std::vector<freshness::FieldView> field_views(const upstream::OriginHead& head) {
  std::vector<freshness::FieldView> views;
  views.reserve(head.fields.size());
  for (const upstream::OriginField& f : head.fields) views.push_back({f.name, f.value});
  return views;
}

std::vector<freshness::FieldView> field_views(const std::vector<freshness::StoredField>& fields) {
  std::vector<freshness::FieldView> views;
  views.reserve(fields.size());
  for (const freshness::StoredField& f : fields) views.push_back({f.name, f.value});
  return views;
}

BodySource body_source_of(const PulledObject& object, const CodedBody* coded) {
  BodySource source;
  if (coded != nullptr) {
    source.memory = coded->body;
  } else if (object.file != nullptr) {
    source.file = object.file->body;  // a file range: sendfile(), no RAM
    source.read_from_disk = true;
  } else {
    source.memory = object.body;
  }
  source.size = coded != nullptr ? coded->body->bytes.size() : object.body_size();
  return source;
}

http::ResponseSummary send_stored(const PulledObject& object, const ServeOptions& options, bool not_modified,
                                  http::ResponseSink& sink) {
  // RFC 9110 §13.2.2: a client's conditional is answered before its Range.
  if (!not_modified && options.ranges != nullptr) {
    if (std::optional<http::ResponseSummary> partial = send_stored_ranges(object, options, sink)) return *partial;
  }
  const std::string_view date = stored_date(object.fields);
  const auto status = static_cast<std::uint16_t>(not_modified ? 304 : object.status);
  http::Response r(status, options.server, date.empty() ? options.now_date : date, options.close);
  std::vector<http::HeaderField> fields;
  forwarded_fields(object.fields, fields);
  CodedFieldValues coded_values;
  apply_coding(fields, object, options.coded, coded_values);
  if (not_modified) std::erase_if(fields, [](const http::HeaderField& f) { return !kept_on_304(f.name); });
  r.forwarded = fields;
  char cache_status[freshness::kMaxCacheStatusBytes];
  add_cache_fields(r, options, cache_status);
  const BodySource source = body_source_of(object, options.coded);
  const std::uint64_t size = source.size;
  if (!not_modified) r.add(http::field::content_length, size);
  const bool with_body = !not_modified && !options.head_only && size > 0;
  if (with_body) {
    r.body.kind = http::ResponseBody::Kind::source;
    r.body.source = &source;
    r.body.size = size;
  }
  sink.send(r);
  // Not a memory-tier hit of a published blob (the metric of those): the pull layer's outcome says what it was.
  return http::ResponseSummary{status, with_body ? size : 0, options.close, false, false, false};
}

http::ResponseSummary send_not_modified(std::vector<http::HeaderField> fields, std::string_view date,
                                        const ServeOptions& options, http::ResponseSink& sink) {
  std::erase_if(fields, [](const http::HeaderField& f) { return !kept_on_304(f.name); });
  http::Response r(304, options.server, date.empty() ? options.now_date : date, options.close);
  r.forwarded = fields;
  char cache_status[freshness::kMaxCacheStatusBytes];
  add_cache_fields(r, options, cache_status);
  sink.send(r);
  return http::ResponseSummary{304, 0, options.close, false, false, false};
}

http::ResponseSummary send_pull_error(std::uint16_t status, const ServeOptions& options, http::ResponseSink& sink) {
  static constexpr std::string_view kUnavailable =
      "<!doctype html><title>Origin unavailable</title><h1>Origin unavailable</h1>\n";
  static constexpr std::string_view kNotAcceptable =
      "<!doctype html><title>406 Not Acceptable</title><h1>406 Not Acceptable</h1>\n";
  static constexpr std::string_view kPreconditionFailed =
      "<!doctype html><title>412 Precondition Failed</title><h1>412 Precondition Failed</h1>\n";
  const std::string_view page = status == 406 ? kNotAcceptable : status == 412 ? kPreconditionFailed : kUnavailable;
  http::Response r(status, options.server, options.now_date, options.close);
  r.add(http::field::content_type, "text/html; charset=utf-8");
  r.add(http::field::content_length, std::uint64_t{page.size()});
  r.add(http::field::cache_control, "no-store");
  if (status == 503) r.add(http::field::retry_after, "5");
  char cache_status[freshness::kMaxCacheStatusBytes];
  r.add(http::field::cache_status,
        std::string_view(cache_status, freshness::format_cache_status(options.status, cache_status)));
  if (!options.head_only) {
    r.body.kind = http::ResponseBody::Kind::text;
    r.body.text = page;
  }
  sink.send(r);
  return http::ResponseSummary{status, options.head_only ? 0 : page.size(), options.close, false, false, false};
}

}  // namespace relais::pull
