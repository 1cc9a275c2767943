#include "edge/http/responder.h"

#include <cstdio>

#include "edge/http/accept_encoding.h"
#include "edge/http/ascii_case.h"
#include "edge/http/multipart.h"
#include "edge/http/preconditions.h"
#include "edge/http/pull_key.h"
#include "edge/http/query_key.h"
#include "edge/http/range_set.h"
#include "edge/http/representation.h"
#include "edge/http/target_normalizer.h"

namespace relais::http {
namespace {

constexpr std::string_view kAllow = "GET, HEAD, OPTIONS";

// Error pages are static text: a 404 costs no lookup, no allocation.
std::string_view error_body(std::uint16_t status) {
  switch (status) {
    case 400: return "<!doctype html><title>400 Bad Request</title><h1>400 Bad Request</h1>\n";
    case 404: return "<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1><p>Cette page n'existe pas.</p>\n";
    case 405: return "<!doctype html><title>405 Method Not Allowed</title><h1>405 Method Not Allowed</h1>\n";
    case 406: return "<!doctype html><title>406 Not Acceptable</title><h1>406 Not Acceptable</h1>\n";
    case 408: return "<!doctype html><title>408 Request Timeout</title><h1>408 Request Timeout</h1>\n";
    case 413: return "<!doctype html><title>413 Content Too Large</title><h1>413 Content Too Large</h1>\n";
    case 414: return "<!doctype html><title>414 URI Too Long</title><h1>414 URI Too Long</h1>\n";
    case 417: return "<!doctype html><title>417 Expectation Failed</title><h1>417 Expectation Failed</h1>\n";
    case 421: return "<!doctype html><title>421 Misdirected Request</title><h1>421 Misdirected Request</h1>\n";
    case 429: return "<!doctype html><title>429 Too Many Requests</title><h1>429 Too Many Requests</h1>\n";
    case 431: return "<!doctype html><title>431 Request Header Fields Too Large</title><h1>431 Request Header Fields Too Large</h1>\n";
    case 501: return "<!doctype html><title>501 Not Implemented</title><h1>501 Not Implemented</h1>\n";
    case 502: return "<!doctype html><title>502 Bad Gateway</title><h1>502 Bad Gateway</h1>\n";
    case 503: return "<!doctype html><title>503 Service Unavailable</title><h1>503 Service Unavailable</h1>\n";
    case 504: return "<!doctype html><title>504 Gateway Timeout</title><h1>504 Gateway Timeout</h1>\n";
    case 505: return "<!doctype html><title>505 HTTP Version Not Supported</title><h1>505 HTTP Version Not Supported</h1>\n";
    default: return "";
  }
}

// Last-Modified, ETag, Cache-Control and Vary: what a 206 and a 416 say
// about the representation (a 200 says more: full_representation_fields()).
void validator_fields(Response& r, const Representation& rep) {
  r.add_date(field::last_modified, rep.entry->last_modified());
  r.add(field::etag, rep.etag());
  r.add(field::cache_control, rep.cache_control);
  if (rep.has_variants()) r.add(field::vary, rep.vary());
}

}  // namespace

std::string_view reason_phrase(std::uint16_t status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 203: return "Non-Authoritative Information";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";   // admin: POST /purge without the token
    case 403: return "Forbidden";      // admin: purge disabled
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";       // admin: purge refused by the store
    case 410: return "Gone";
    case 412: return "Precondition Failed";
    case 421: return "Misdirected Request";  // RFC 9110 §15.5.20: this connection does not serve that host
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string_view CacheControlPolicy::for_entry(std::string_view request_path, std::string_view content_type) const {
  for (const auto& [prefix, value] : rules) {
    if (request_path.starts_with(prefix)) return value;
  }
  return content_type.starts_with("text/html") ? std::string_view(html) : std::string_view(fallback);
}

Responder::Responder(ResponderSettings settings)
    : settings_(std::move(settings)),
      multipart_type_("multipart/byteranges; boundary=" + settings_.multipart_boundary) {}

ResponseSummary Responder::respond_error(std::uint16_t status, std::string_view date, bool head_only, bool close,
                                         ResponseSink& sink, std::uint32_t retry_after_seconds) const {
  std::string_view body = error_body(status);
  Response r(status, settings_.server_name, date, close);
  r.error_page = true;
  r.add(field::content_type, "text/html; charset=utf-8");
  r.add(field::content_length, std::uint64_t{body.size()});
  r.add(field::nosniff, "nosniff");
  r.add(field::cache_control, "no-store");
  if (status == 405) r.add(field::allow, kAllow);
  if (retry_after_seconds != 0) {
    r.add(field::retry_after, std::uint64_t{retry_after_seconds});
  } else if (status == 503) {
    r.add(field::retry_after, "5");
  }
  if (!head_only) {
    r.body.kind = ResponseBody::Kind::text;
    r.body.text = body;
  }
  sink.send(r);
  return ResponseSummary{status, head_only ? 0 : body.size(), close, false, false, false};
}

namespace {

class Exchange {
 public:
  Exchange(const ResponderSettings& s, std::string_view multipart_type, const Request& r, const RequestContext& c,
           ResponseSink& sink)
      : settings_(s), multipart_type_(multipart_type), request_(r), context_(c), sink_(sink) {
    close_ = c.must_close || !r.keep_alive;
    head_only_ = r.method == Method::head;
  }

  ResponseSummary run(const Responder& responder, std::span<char> scratch);

 private:
  ResponseSummary error(const Responder& responder, std::uint16_t status, bool close = false) {
    return responder.respond_error(status, context_.date, head_only_, close_ || close, sink_);
  }
  Response start(std::uint16_t status) const { return Response(status, settings_.server_name, context_.date, close_); }
  ResponseSummary options();
  ResponseSummary redirect_to_directory(std::string_view path, std::string_view query);
  ResponseSummary not_modified(const Representation& rep);
  ResponseSummary with_body(const Responder& responder, Representation& rep, const RangeSet* ranges);
  ResponseSummary full(const Representation& rep, const BodySource& body);
  ResponseSummary partial(const Representation& rep, const BodySource& body, const RangeSet& ranges);
  ResponseSummary unsatisfiable(const Representation& rep);
  ResponseSummary pull(const Responder& responder, const NormalizedTarget& target);

  const ResponderSettings& settings_;
  std::string_view multipart_type_;
  const Request& request_;
  const RequestContext& context_;
  ResponseSink& sink_;
  bool close_ = false;
  bool head_only_ = false;
  DictionaryOffer dictionary_;
};

ResponseSummary Exchange::options() {
  Response r = start(200);
  r.add(field::allow, kAllow);
  r.add(field::content_length, std::uint64_t{0});
  sink_.send(r);
  return ResponseSummary{200, 0, close_, false, false, false};
}

ResponseSummary Exchange::redirect_to_directory(std::string_view path, std::string_view query) {
  Response r = start(301);
  std::string& location = r.long_value;
  location.append("/");
  append_encoded_path(location, path.substr(1));
  location.append("/");
  // The query as sent (the normaliser refused control bytes and spaces in
  // it), so a page's parameters survive the redirect, as nginx keeps them.
  if (!query.empty()) {
    location.append("?");
    location.append(query);
  }
  r.add(field::location, location);
  r.add(field::content_length, std::uint64_t{0});
  // Cached like the directory's page it leads to: its rule ("/a/" for
  // "/a"), else the HTML default. Built only on this rare answer.
  const std::string directory = std::string(path) + "/";
  r.add(field::cache_control, settings_.cache_control.for_entry(directory, "text/html"));
  sink_.send(r);
  return ResponseSummary{301, 0, close_, false, false, false};
}

ResponseSummary Exchange::not_modified(const Representation& rep) {
  // RFC 9110 §15.4.5: the fields a 200 would carry that help caches, no more.
  Response r = start(304);
  r.add(field::etag, rep.etag());
  r.add(field::cache_control, rep.cache_control);
  if (rep.has_variants()) r.add(field::vary, rep.vary());
  // The same Vary as the 200 it validates (RFC 9110 §15.4.5).
  if (dictionary_.varies && dictionary_.delta == nullptr) r.add(field::vary, "available-dictionary");
  sink_.send(r);
  return ResponseSummary{304, 0, close_, false, false, false};
}

ResponseSummary Exchange::full(const Representation& rep, const BodySource& body) {
  // Every field but Server and Date depends on the representation alone: a
  // writer may send a block it pre-built for it (HTTP/1's HeadCache).
  const Variant& v = rep.chosen();
  Response r = start(200);
  r.representation = &rep;
  char dictionary_value[kUseAsDictionaryMax];  // outlives the send below
  add_dictionary_fields(r, dictionary_, *rep.entry, dictionary_value);
  if (!head_only_) {
    r.body.kind = ResponseBody::Kind::source;
    r.body.source = &body;
    r.body.size = v.size;
  }
  sink_.send(r);
  return ResponseSummary{200, head_only_ ? 0 : v.size, close_, body.memory_hit(), !head_only_ && !body.memory_hit(), false};
}

ResponseSummary Exchange::unsatisfiable(const Representation& rep) {
  Response r = start(416);
  r.add_content_range(nullptr, rep.chosen().size);
  r.add(field::content_length, std::uint64_t{0});
  validator_fields(r, rep);
  sink_.send(r);
  return ResponseSummary{416, 0, close_, false, false, false};
}

ResponseSummary Exchange::partial(const Representation& rep, const BodySource& body, const RangeSet& ranges) {
  Response r = start(206);
  ResponseBody& b = r.body;
  b.kind = ResponseBody::Kind::source;
  b.source = &body;
  b.ranges = std::span<const ByteRange>(ranges.ranges, ranges.count);
  b.size = rep.chosen().size;
  std::uint64_t total = 0;
  if (ranges.count == 1) {
    r.add(field::content_type, rep.entry->content_type());
    r.add_content_range(&ranges.ranges[0], b.size);
    total = ranges.ranges[0].length();
  } else {
    b.part_type = rep.entry->content_type();
    b.boundary = settings_.multipart_boundary;
    total = multipart_length(b);
    r.add(field::content_type, multipart_type_);
  }
  r.add(field::content_length, total);
  validator_fields(r, rep);
  r.add(field::accept_ranges, "bytes");
  r.add(field::nosniff, "nosniff");
  // A Range on HEAD is ignored before this (run()), so a 206 always has a body.
  if (head_only_) b.kind = ResponseBody::Kind::none;
  sink_.send(r);
  if (head_only_) return ResponseSummary{206, 0, close_, false, false, false};
  return ResponseSummary{206, total, close_, body.memory_hit(), !body.memory_hit(), false};
}

ResponseSummary Exchange::run(const Responder& responder, std::span<char> scratch) {
  // POST, PUT, PATCH, DELETE (and OPTIONS) reach the origin of a pulling
  // site (a pass, RFC 9111 §4.4), never published content: there the unsafe
  // ones get 405 and OPTIONS our own answer, as everywhere else.
  const bool pass = settings_.pull.passes(request_.method);
  auto not_passed = [&] { return request_.method == Method::options ? options() : error(responder, 405); };
  switch (request_.method) {
    case Method::get:
    case Method::head:
    case Method::options: break;
    default:
      if (!pass) return error(responder, 405);
  }
  std::string_view authority;
  NormalizedTarget target = normalize_target(request_.target, scratch, &authority);
  if (target.status != 0) return error(responder, target.status, /*close=*/target.status == 400);
  // RFC 9112 §3.2.2: absolute-form wins over Host. The HTTP/1 parser made
  // the authority the request's host (it chose the site); anything else
  // naming two hosts (an HTTP/2 :path in absolute-form) is refused.
  if (!authority.empty() && !equals_ignore_case(authority, request_.host)) return error(responder, 400, /*close=*/true);
  // OPTIONS on "*" or on a path: the methods are the same for every resource.
  if (request_.method == Method::options && (!pass || target.asterisk)) return options();
  if (target.asterisk) return error(responder, 400, /*close=*/true);
  const PullMode mode = settings_.pull.mode;
  if (context_.catalog == nullptr && mode == PullMode::manifest) return error(responder, 503);

  // The allow-listed query goes right after the path in scratch, so the
  // path and its query are one contiguous key.
  std::string_view suffix;
  if (!settings_.query_keys.empty() && !target.query.empty()) {
    const std::span<char> tail = scratch.subspan(static_cast<std::size_t>(target.path.data() - scratch.data()) +
                                                 target.path.size());
    suffix = std::string_view(tail.data(), append_allowed_query(target.query, settings_.query_keys, tail));
  }
  if (mode == PullMode::pull) return pull(responder, target);
  std::string_view key = target.path.substr(1);
  const CatalogEntry* entry = nullptr;
  if (context_.catalog == nullptr) {
    // A `both` site before its first manifest: its pull paths still answer.
    if (settings_.pull.pulls(target.path)) return pull(responder, target);
    return pass ? not_passed() : error(responder, 503);
  }
  if (key.empty() || target.trailing_slash) {
    entry = context_.catalog->find_index(key, suffix);
  } else {
    entry = context_.catalog->find(std::string_view(key.data(), key.size() + suffix.size()));
    if (entry == nullptr && !pass && context_.catalog->is_directory(key))
      return redirect_to_directory(target.path, target.query);
  }
  // RFC 9111 is for what the origin serves: a `both` site's manifest answers
  // first, and a path outside it reaches the origin only under a pull prefix
  // (a random-URL flood elsewhere costs a lookup, never an origin request).
  if (entry == nullptr && mode == PullMode::both && settings_.pull.pulls(target.path))
    return pull(responder, target);
  if (pass) return not_passed();  // published content, or a path that does not pull
  if (entry == nullptr) return error(responder, 404);

  Representation rep(entry, settings_.cache_control.for_entry(target.path, entry->content_type()),
                     context_.catalog->serial());
  AcceptEncoding accept = parse_accept_encoding(request_.accept_encoding, request_.has_accept_encoding);
  // RFC 9110 §14: ranges are served on the identity representation only, so
  // a range request selects it whenever the client accepts it.
  bool range_request = request_.method == Method::get && !request_.range.empty() &&
                       accept.q[static_cast<int>(Encoding::identity)] > 0;
  if (!range_request) {
    int chosen = choose_variant(accept, entry->variants());
    if (chosen < 0) return error(responder, 406);
    if (chosen != 0) rep.select(static_cast<std::size_t>(chosen));
    dictionary_ = negotiate_dictionary(settings_.dictionaries, request_, *entry, target.path,
                                       secure_context(context_.tls, request_.host));
    if (dictionary_.delta != nullptr) rep.select_delta(*dictionary_.delta);
  }

  Validators validators{rep.etag(), entry->last_modified(), entry->last_modified()};
  switch (evaluate_preconditions(request_, validators)) {
    case Precondition::not_modified: return not_modified(rep);
    case Precondition::failed: return error(responder, 412);
    case Precondition::proceed: break;
  }

  // The RangeSet (a 1 KiB array, zeroed when constructed) exists only for
  // a request with a Range: most have none.
  if (range_request && if_range_allows(request_.if_range, validators)) {
    const RangeSet ranges = parse_range(request_.range, rep.chosen().size, settings_.max_ranges);
    if (ranges.kind == RangeSet::Kind::unsatisfiable) return unsatisfiable(rep);
    if (ranges.kind == RangeSet::Kind::satisfiable) return with_body(responder, rep, &ranges);
  }
  return with_body(responder, rep, nullptr);
}

ResponseSummary Exchange::with_body(const Responder& responder, Representation& rep, const RangeSet* ranges) {
  BodySource body;
  if (!head_only_) {
    Result<BodySource> source = context_.cache->body(rep.chosen(), context_.file_body_min);
    if (!source.ok() && rep.delta != nullptr) {
      // A delta is an optimisation: a bad or missing delta blob must not
      // turn every returning pupil's request into a 503 while the variant
      // itself is fine (counted as a blob error all the same).
      rep.drop_delta();
      dictionary_.delta = nullptr;
      source = context_.cache->body(rep.chosen(), context_.file_body_min);
    }
    if (!source.ok()) {
      ResponseSummary s = error(responder, 503);
      s.blob_error = true;
      return s;
    }
    body = std::move(source.value());
  }
  ResponseSummary s = ranges != nullptr ? partial(rep, body, *ranges) : full(rep, body);
  if (rep.delta != nullptr) {
    s.content_encoding = kDictionaryDeltaEncoding;
  } else if (rep.chosen().encoding != Encoding::identity) {
    s.content_encoding = encoding_name(rep.chosen().encoding);
  }
  return s;
}

ResponseSummary Exchange::pull(const Responder& responder, const NormalizedTarget& target) {
  if (context_.pull == nullptr) return error(responder, 503);
  // The cache key is the normalised path and the kept query (the whole one
  // by default: PullRouting::whole_query); the origin gets the same, the path
  // percent-encoded again (never the client's bytes, origin_request.h).
  const PullKey made = pull_key(target.path, target.query, settings_.pull.whole_query, settings_.query_keys);
  bool credentialed = false;
  if (request_.method == Method::get) {
    for (std::size_t i = 0; i < request_.header_count && !credentialed; ++i)
      credentialed = equals_ignore_case(request_.headers[i].name, "authorization");
  }
  std::string pass_target;
  if (settings_.pull.passes(request_.method) || credentialed) {
    append_encoded_path(pass_target, target.path);
    pass_target.append(whole_query_suffix(target.query));
  }
  const PullQuery pull_query{request_,   settings_.pull, made.key, made.origin_target, pass_target,
                             head_only_, close_,         credentialed};
  return context_.pull->serve(pull_query, context_, sink_);
}

}  // namespace

std::uint64_t PullRouting::request_body_limit(Method method) const {
  if (mode == PullMode::manifest) return 0;
  switch (method) {
    case Method::post:
    case Method::put:
    case Method::patch:
    case Method::del:
    case Method::other: return max_request_body;  // unknown to us: unsafe (RFC 9110 §9.2.1), passed as such
    default: return 0;
  }
}

bool PullRouting::passes(Method method) const {
  return request_body_limit(method) > 0 || (method == Method::options && mode != PullMode::manifest && max_request_body > 0);
}

bool PullRouting::pulls(std::string_view path) const {
  if (mode == PullMode::manifest) return false;
  if (mode == PullMode::pull || prefixes.empty()) return true;
  for (const std::string& prefix : prefixes) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}

ResponseSummary Responder::respond(const Request& request, const RequestContext& context, std::span<char> scratch,
                                   ResponseSink& sink) const {
  if (context.refuse_status != 0) {
    // Nothing of any site: not even whether the path exists somewhere.
    return respond_error(context.refuse_status, context.date, request.method == Method::head, context.must_close, sink);
  }
  Exchange exchange(settings_, multipart_type_, request, context, sink);
  ResponseSummary summary = exchange.run(*this, scratch);
  summary.site = context.site;
  summary.site_name = context.site_name;
  return summary;
}

}  // namespace relais::http
