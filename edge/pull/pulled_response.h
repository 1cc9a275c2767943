// Responses made of pulled objects and origin heads: the field lines passed
// on to the client, Age (RFC 9111 §5.1) and Cache-Status (RFC 9211), for a
// hit, a 304 answered from the cache (§4.3.2), and a forwarded origin head.
//
// What is passed on: every stored or received field but the hop-by-hop ones
// (RFC 9110 §7.6.1, and those Connection names), the framing the protocol
// writes itself (Content-Length, Transfer-Encoding), Server and Date (the
// response's own: Date is the stored one, RFC 9110 §6.6.1), Age (ours) and
// an origin's Cache-Status (ours replaces it).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/freshness/cache_status.h"
#include "edge/http/pull_gateway.h"
#include "edge/http/responder.h"
#include "edge/pull/pulled_table.h"
#include "edge/upstream/origin_head.h"

namespace relais::pull {

// The HTTP/1 names as they arrived; the views point into `fields`.
void forwarded_fields(const std::vector<freshness::StoredField>& fields, std::vector<http::HeaderField>& out);
void forwarded_fields(const upstream::OriginHead& head, std::vector<http::HeaderField>& out);
// The origin head's fields as FieldViews (freshness' input).
std::vector<freshness::FieldView> field_views(const upstream::OriginHead& head);
std::vector<freshness::FieldView> field_views(const std::vector<freshness::StoredField>& fields);

struct RangeAsk;

// What a response from the pull layer needs besides its object.
struct ServeOptions {
  std::string_view server;
  std::string_view now_date;  // our Date, when the object has none
  bool head_only = false;
  bool close = false;
  std::int64_t age = 0;
  freshness::CacheStatus status;
  // The client's Range (pulled_range.h); nullptr or empty: the whole body.
  const RangeAsk* ranges = nullptr;
  const CodedBody* coded = nullptr;  // of the object sent: that body instead of the identity (pull_compression.h)
};

// The stored Date (RFC 9110 §6.6.1: the response's own), empty if none.
std::string_view stored_date(const std::vector<freshness::StoredField>& fields);
// RFC 9110 §15.4.5: the fields a 304 carries (those of a 200 that help caches).
bool kept_on_304(std::string_view name);
// Age and Cache-Status of options on r; cache_status holds the latter's value until r is sent.
void add_cache_fields(http::Response& r, const ServeOptions& options,
                      char (&cache_status)[freshness::kMaxCacheStatusBytes]);

// What a response sends of object: the coded body, the body left in its
// file (a large disk hit: PulledFile), or the body in RAM.
BodySource body_source_of(const PulledObject& object, const CodedBody* coded = nullptr);

// A stored response as a full response (its status, fields and body), or as
// a 304 for a client's conditional request (RFC 9110 §15.4.5 fields only),
// or as a 206 / 416 when options.ranges asks for ranges (pulled_range.h).
http::ResponseSummary send_stored(const PulledObject& object, const ServeOptions& options, bool not_modified,
                                  http::ResponseSink& sink);

// A complete response handed to a stream sink's head() (an answer that came
// later but needs no body streamed: a 416, a 304, a stored object).
class WholeResponse final : public http::ResponseSink {
 public:
  explicit WholeResponse(http::StreamSink& sink) : sink_(sink) {}
  void send(const http::Response& r) override { sink_.head(r); }

 private:
  http::StreamSink& sink_;
};

// A 304 for a client's conditional request answered from a response whose
// head just came (a cold key, RFC 9110 §13.2.2): of fields (as passed on),
// the §15.4.5 ones only, with Age and Cache-Status.
http::ResponseSummary send_not_modified(std::vector<http::HeaderField> fields, std::string_view date,
                                        const ServeOptions& options, http::ResponseSink& sink);

// An error page of ours (406, 412, 502, 503, 504) with a Cache-Status saying why.
http::ResponseSummary send_pull_error(std::uint16_t status, const ServeOptions& options, http::ResponseSink& sink);

}  // namespace relais::pull
