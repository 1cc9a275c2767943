// Responder: turns one parsed request into a protocol-neutral Response.
//
// The data flow of docs/ARCHITECTURE.md as plain code: normalise the target, look the
// path up in the catalog, negotiate the variant, evaluate preconditions and
// ranges, ask the tiers for a body source, and hand the Response (response.h)
// to the protocol's ResponseSink, which frames it (HTTP/1 today). No socket,
// no bytes on the wire, no clock of its own (the Date text is passed in); the
// catalog and the tiers are interfaces (CatalogLookup, BodySources), so every
// branch is testable with fakes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/body_source.h"
#include "edge/cache/catalog_lookup.h"
#include "edge/http/dictionary_negotiation.h"
#include "edge/http/pull_gateway.h"
#include "edge/http/request.h"
#include "edge/http/response.h"

namespace relais::http {

struct CacheControlPolicy {
  std::string html;
  std::string fallback;
  std::vector<std::pair<std::string, std::string>> rules;  // prefix -> value, first match wins

  std::string_view for_entry(std::string_view request_path, std::string_view content_type) const;
};

struct ResponderSettings {
  std::string server_name = "relais";
  std::size_t max_ranges = 16;
  CacheControlPolicy cache_control;
  std::vector<std::string> query_keys;  // query parameters kept in the lookup key (query_key.h); none by default
  std::string multipart_boundary;  // random per process, so content cannot forge it
  DictionaryPolicy dictionaries;   // RFC 9842 (dictionary_negotiation.h)
  PullRouting pull;                // pull-through (pull_gateway.h); manifest only by default
};

// What the connection must know after a response was queued.
struct ResponseSummary {
  ResponseSummary() = default;
  // The fields every answer sets; the rest are filled in where known.
  ResponseSummary(std::uint16_t status_code, std::uint64_t body, bool close_after, bool memory, bool disk, bool bad_blob)
      : status(status_code), body_bytes(body), close(close_after), from_memory(memory), from_disk(disk), blob_error(bad_blob) {}
  std::uint16_t status = 0;
  std::uint64_t body_bytes = 0;
  bool close = false;          // send Connection: close and close after writing
  bool from_memory = false;    // for metrics: served from the memory tier
  bool from_disk = false;
  bool blob_error = false;     // the cache could not produce a verified body
  // Pull-through: the answer comes later through RequestContext::stream; the
  // protocol logs the summary StreamSink::end() gives.
  bool deferred = false;
  // Pull-through: the outcome for the access log's tier ("pull-hit",
  // "pull-miss", "pull-coalesced", "pull-revalidated", "pull-stale",
  // "pull-error"); static text. Empty for everything else.
  std::string_view pull;
  // For the access log: the Content-Encoding sent with a body (static text), empty for none.
  std::string_view content_encoding;
  // The site that answered (RequestContext::site): an index into the
  // server's site names for the access log and the metrics' `site` label;
  // kNoSiteIndex when none did (an error before the site was known, an
  // unknown host).
  std::uint16_t site = 0xffff;
  std::string_view site_name{};  // with [site.*] sections; valid while the worker's LiveSettings are (the whole request)
};

inline constexpr std::uint16_t kNoSiteIndex = 0xffff;
class Responder;

// Per-request inputs the protocol session supplies.
struct RequestContext {
  const CatalogLookup* catalog = nullptr;  // nullptr until a catalog is loaded: 503
  BodySources* cache = nullptr;            // the tiers (TieredCache)
  std::string_view date;                   // preformatted IMF-fixdate of now
  bool must_close = false;                 // the connection closes after this response anyway
  // A body at least this large is served from its blob file even when the
  // memory tier holds it (TieredCache::body); set where sendfile() costs no
  // copy, left at "never" for userspace TLS, which copies either way.
  std::uint64_t file_body_min = BodySources::kNever;
  bool tls = false;  // the connection is TLS: a secure context for dictionaries
  // The request's site, resolved once by the session's host from Host (or
  // :authority) and SNI (edge/site/site_table.h). Its responder carries the
  // site's rules: a protocol answers with it, never with one of its own.
  const Responder* responder = nullptr;
  std::uint16_t site = kNoSiteIndex;
  // The client's address, hashed (0: unknown): what pull-through counts the
  // origin fetches of one client by (pull-address-fetches).
  std::uint64_t client = 0;
  std::string_view site_name{};
  // Non-zero: no site may answer (404 on plain HTTP, 421 on HTTPS for an
  // unknown host or an SNI of another site); respond() sends this status.
  std::uint16_t refuse_status = 0;
  // Pull-through (pull_gateway.h): the worker's gateway (nullptr: pull paths
  // answer 503), the protocol's sink for an answer that comes later and
  // where the gateway leaves its handle (both nullptr: misses answer 503).
  PullGateway* pull = nullptr;
  StreamSink* stream = nullptr;
  std::unique_ptr<PendingResponse>* pending = nullptr;
};

class Responder {
 public:
  explicit Responder(ResponderSettings settings);

  // Hands the response to sink (once, before returning). `scratch` is at
  // least request.target.size() bytes.
  ResponseSummary respond(const Request& request, const RequestContext& context, std::span<char> scratch,
                          ResponseSink& sink) const;

  // A response that needs no catalog (errors found before or during parsing).
  // retry_after_seconds: sent as Retry-After when non-zero (429, 503).
  ResponseSummary respond_error(std::uint16_t status, std::string_view date, bool head_only, bool close,
                                ResponseSink& sink, std::uint32_t retry_after_seconds = 0) const;

  const ResponderSettings& settings() const { return settings_; }

 private:
  ResponderSettings settings_;
  std::string multipart_type_;  // "multipart/byteranges; boundary=...", built once
};

// Reason phrase for the statuses we send ("OK", "Not Found", ...).
std::string_view reason_phrase(std::uint16_t status);

}  // namespace relais::http
