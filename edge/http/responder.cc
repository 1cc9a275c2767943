#include "edge/http/responder.h"

#include <cstdio>

#include "edge/http/accept_encoding.h"
#include "edge/http/head_writer.h"
#include "edge/http/http_date.h"
#include "edge/http/preconditions.h"
#include "edge/http/query_key.h"
#include "edge/http/range_set.h"
#include "edge/http/request_parser.h"
#include "edge/http/target_normalizer.h"

namespace relais::http {
namespace {

constexpr std::string_view kAllow = "GET, HEAD, OPTIONS";

// Everything about the chosen representation a response head needs.
// The ETag is formatted once per request into the representation itself
// (the catalog stores none: catalog.h), on the stack, no allocation.
struct Representation {
  Representation(const CatalogEntry* e, std::string_view cc) : entry(e), cache_control(cc) { select(0); }
  void select(std::size_t v) {
    variant = v;
    tag = entity_tag(*entry, v);
  }
  const CatalogEntry* entry = nullptr;
  std::size_t variant = 0;
  std::string_view cache_control;
  EntityTag tag;
  // A dcz delta (dictionary_negotiation.h) replaces the chosen variant.
  void select_delta(const DeltaVariant& d) {
    delta = &d;
    delta_body = Variant{Encoding::identity, d.hash, d.size};
    tag = EntityTag{};
    tag.text[0] = '"';
    d.hash.write_hex(tag.text + 1);
    tag.text[ContentHash::kHexLength + 1] = '"';
    tag.size = ContentHash::kHexLength + 2;
  }
  const DeltaVariant* delta = nullptr;
  Variant delta_body;  // the delta's blob, for the cache
  bool has_variants() const { return entry->variants().size() > 1 || delta != nullptr; }
  const Variant& chosen() const { return delta != nullptr ? delta_body : entry->variants()[variant]; }
  std::string_view etag() const { return tag.view(); }
};

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
    case 429: return "<!doctype html><title>429 Too Many Requests</title><h1>429 Too Many Requests</h1>\n";
    case 431: return "<!doctype html><title>431 Request Header Fields Too Large</title><h1>431 Request Header Fields Too Large</h1>\n";
    case 501: return "<!doctype html><title>501 Not Implemented</title><h1>501 Not Implemented</h1>\n";
    case 503: return "<!doctype html><title>503 Service Unavailable</title><h1>503 Service Unavailable</h1>\n";
    case 505: return "<!doctype html><title>505 HTTP Version Not Supported</title><h1>505 HTTP Version Not Supported</h1>\n";
    default: return "";
  }
}

void common_fields(HeadWriter& w, const ResponderSettings& s, std::string_view date) {
  w.field("Server", s.server_name);
  w.field("Date", date);
}

void connection_field(HeadWriter& w, const Request& request, bool close) {
  if (close) {
    w.field("Connection", "close");
  } else if (request.version_minor == 0) {
    w.field("Connection", "keep-alive");  // HTTP/1.0 persists only when told so
  }
}

void vary_field(HeadWriter& w, const Representation& rep) {
  if (rep.delta != nullptr) {
    w.field("Vary", "accept-encoding, available-dictionary");  // RFC 9842 §6.2
  } else if (rep.has_variants()) {
    w.field("Vary", "Accept-Encoding");
  }
}

void representation_fields(HeadWriter& w, const Representation& rep) {
  char date[kHttpDateLength];
  format_http_date(rep.entry->last_modified(), date);
  w.field("Last-Modified", std::string_view(date, kHttpDateLength));
  w.field("ETag", rep.etag());
  w.field("Cache-Control", rep.cache_control);
  vary_field(w, rep);
}

// "first-last/size" of a Content-Range, into out (64 bytes hold three uint64).
std::string_view format_range_span(const ByteRange& r, std::uint64_t size, char (&out)[64]) {
  int n = std::snprintf(out, sizeof out, "%llu-%llu/%llu", static_cast<unsigned long long>(r.first),
                        static_cast<unsigned long long>(r.last), static_cast<unsigned long long>(size));
  return std::string_view(out, static_cast<std::size_t>(n));
}

// Percent-encodes a normalised path for a Location header.
void append_encoded_path(std::string& out, std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : path) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                 c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

std::string_view reason_phrase(std::uint16_t status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";   // admin: POST /purge without the token
    case 403: return "Forbidden";      // admin: purge disabled
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";       // admin: purge refused by the store
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
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

ResponseSummary Responder::respond_error(std::uint16_t status, std::string_view date, bool head_only, bool close,
                                         ResponseBuffer& out, std::uint32_t retry_after_seconds) const {
  std::string_view body = error_body(status);
  HeadWriter w(out);
  w.status_line(status, reason_phrase(status));
  common_fields(w, settings_, date);
  w.field("Content-Type", "text/html; charset=utf-8");
  w.field("Content-Length", body.size());
  w.field("X-Content-Type-Options", "nosniff");
  w.field("Cache-Control", "no-store");
  if (status == 405) w.field("Allow", kAllow);
  if (retry_after_seconds != 0) {
    w.field("Retry-After", retry_after_seconds);
  } else if (status == 503) {
    w.field("Retry-After", "5");
  }
  if (close) w.field("Connection", "close");
  w.raw("\r\n");
  if (!head_only) w.raw(body);
  w.flush();
  return ResponseSummary{status, head_only ? 0 : body.size(), close, false, false, false};
}

namespace {

class Exchange {
 public:
  Exchange(const ResponderSettings& s, const Request& r, const RequestContext& c, ResponseBuffer& o)
      : settings_(s), request_(r), context_(c), out_(o) {
    close_ = c.must_close || !r.keep_alive;
    head_only_ = r.method == Method::head;
  }

  ResponseSummary run(const Responder& responder, std::span<char> scratch);

 private:
  ResponseSummary error(const Responder& responder, std::uint16_t status, bool close = false) {
    return responder.respond_error(status, context_.date, head_only_, close_ || close, out_);
  }
  ResponseSummary options();
  ResponseSummary redirect_to_directory(std::string_view path, std::string_view query);
  ResponseSummary not_modified(const Representation& rep);
  ResponseSummary with_body(const Responder& responder, const Representation& rep, const RangeSet* ranges);
  ResponseSummary full(const Representation& rep, const BodySource& body);
  ResponseSummary partial(const Representation& rep, const BodySource& body, const RangeSet& ranges);
  ResponseSummary unsatisfiable(const Representation& rep);
  void full_representation_fields(HeadWriter& w, const Representation& rep);
  void start(HeadWriter& w, std::uint16_t status);
  void append_body(const BodySource& body, std::uint64_t offset, std::uint64_t length);

  const ResponderSettings& settings_;
  const Request& request_;
  const RequestContext& context_;
  ResponseBuffer& out_;
  bool close_ = false;
  bool head_only_ = false;
  DictionaryOffer dictionary_;
};

void Exchange::start(HeadWriter& w, std::uint16_t status) {
  if (status == 200 && context_.heads != nullptr) {
    w.raw(context_.heads->ok_prefix(settings_.server_name, context_.date));
    return;
  }
  w.status_line(status, reason_phrase(status));
  common_fields(w, settings_, context_.date);
}

ResponseSummary Exchange::options() {
  HeadWriter w(out_);
  start(w, 200);
  w.field("Allow", kAllow);
  w.field("Content-Length", std::uint64_t{0});
  connection_field(w, request_, close_);
  w.finish();
  return ResponseSummary{200, 0, close_, false, false, false};
}

ResponseSummary Exchange::redirect_to_directory(std::string_view path, std::string_view query) {
  HeadWriter w(out_);
  start(w, 301);
  std::string& text = out_.text();
  text.append("Location: /");
  append_encoded_path(text, path.substr(1));
  text.append("/");
  // The query as sent (the normaliser refused control bytes and spaces in
  // it), so a page's parameters survive the redirect, as nginx keeps them.
  if (!query.empty()) {
    text.append("?");
    text.append(query);
  }
  text.append("\r\n");
  w.field("Content-Length", std::uint64_t{0});
  // Cached like the directory's page it leads to: its rule ("/a/" for
  // "/a"), else the HTML default. Built only on this rare answer.
  const std::string directory = std::string(path) + "/";
  w.field("Cache-Control", settings_.cache_control.for_entry(directory, "text/html"));
  connection_field(w, request_, close_);
  w.finish();
  return ResponseSummary{301, 0, close_, false, false, false};
}

ResponseSummary Exchange::not_modified(const Representation& rep) {
  // RFC 9110 §15.4.5: the fields a 200 would carry that help caches, no more.
  HeadWriter w(out_);
  start(w, 304);
  w.field("ETag", rep.etag());
  w.field("Cache-Control", rep.cache_control);
  vary_field(w, rep);
  connection_field(w, request_, close_);
  w.finish();
  return ResponseSummary{304, 0, close_, false, false, false};
}

void Exchange::append_body(const BodySource& body, std::uint64_t offset, std::uint64_t length) {
  if (body.from_memory()) {
    out_.append_memory(body.memory, offset, length);
  } else if (body.file) {
    out_.append_file(body.file, offset, length);
  }
}

// Every field of a 200 that depends on the representation alone: pre-built
// once per hot representation (head_cache.h), formatted otherwise.
void Exchange::full_representation_fields(HeadWriter& w, const Representation& rep) {
  const HeadCache::Key key{rep.entry, context_.catalog->serial(), rep.cache_control.data(),
                           static_cast<std::uint32_t>(rep.variant)};
  // A delta's head is formatted each time: the cache keys variants only.
  HeadCache* heads = rep.delta == nullptr ? context_.heads : nullptr;
  if (heads != nullptr) {
    if (std::string_view block = heads->find(key); !block.empty()) {
      w.raw(block);
      return;
    }
  }
  const std::size_t from = out_.text().size();
  const Variant& v = rep.chosen();
  w.field("Content-Type", rep.entry->content_type());
  w.field("Content-Length", v.size);
  if (rep.delta != nullptr) {
    w.field("Content-Encoding", kDictionaryDeltaEncoding);
  } else if (v.encoding != Encoding::identity) {
    w.field("Content-Encoding", encoding_name(v.encoding));
  }
  representation_fields(w, rep);
  w.field("Accept-Ranges", "bytes");
  w.field("X-Content-Type-Options", "nosniff");
  if (heads != nullptr) heads->store(key, std::string_view(out_.text()).substr(from));
}

ResponseSummary Exchange::full(const Representation& rep, const BodySource& body) {
  const Variant& v = rep.chosen();
  HeadWriter w(out_);
  start(w, 200);
  full_representation_fields(w, rep);
  write_dictionary_fields(w, dictionary_, *rep.entry);
  connection_field(w, request_, close_);
  w.finish();
  if (!head_only_) append_body(body, 0, v.size);
  return ResponseSummary{200, head_only_ ? 0 : v.size, close_, body.memory_hit(), !head_only_ && !body.memory_hit(), false};
}

ResponseSummary Exchange::unsatisfiable(const Representation& rep) {
  HeadWriter w(out_);
  start(w, 416);
  std::string& text = out_.text();
  text.append("Content-Range: bytes */");
  w.number(rep.chosen().size);
  text.append("\r\n");
  w.field("Content-Length", std::uint64_t{0});
  representation_fields(w, rep);
  connection_field(w, request_, close_);
  w.finish();
  return ResponseSummary{416, 0, close_, false, false, false};
}

ResponseSummary Exchange::partial(const Representation& rep, const BodySource& body, const RangeSet& ranges) {
  const std::uint64_t size = rep.chosen().size;
  HeadWriter w(out_);
  start(w, 206);
  std::uint64_t total = 0;
  if (ranges.count == 1) {
    const ByteRange& r = ranges.ranges[0];
    w.field("Content-Type", rep.entry->content_type());
    char digits[64];
    w.raw("Content-Range: bytes ");
    w.raw(format_range_span(r, size, digits));
    w.raw("\r\n");
    total = r.length();
  } else {
    // RFC 9110 §14.6: multipart/byteranges; each part header is CRLF--boundary
    // CRLF, Content-Type, Content-Range, CRLF CRLF; the close delimiter ends it.
    const std::string& boundary = settings_.multipart_boundary;
    const std::string_view ct = rep.entry->content_type();
    for (std::size_t i = 0; i < ranges.count; ++i) {
      char digits[64];
      std::string_view span = format_range_span(ranges.ranges[i], size, digits);
      total += 4 + boundary.size() + 2 + 14 + ct.size() + 2 + 21 + span.size() + 4 + ranges.ranges[i].length();
    }
    total += 4 + boundary.size() + 4;
    w.raw("Content-Type: multipart/byteranges; boundary=");
    w.raw(boundary);
    w.raw("\r\n");
  }
  w.field("Content-Length", total);
  representation_fields(w, rep);
  w.field("Accept-Ranges", "bytes");
  w.field("X-Content-Type-Options", "nosniff");
  connection_field(w, request_, close_);
  w.finish();
  if (head_only_) return ResponseSummary{206, 0, close_, false, false, false};

  if (ranges.count == 1) {
    append_body(body, ranges.ranges[0].first, ranges.ranges[0].length());
  } else {
    for (std::size_t i = 0; i < ranges.count; ++i) {
      const ByteRange& r = ranges.ranges[i];
      HeadWriter part(out_);
      part.raw("\r\n--");
      part.raw(settings_.multipart_boundary);
      part.raw("\r\nContent-Type: ");
      part.raw(rep.entry->content_type());
      part.raw("\r\nContent-Range: bytes ");
      char digits[64];
      part.raw(format_range_span(r, size, digits));
      part.raw("\r\n\r\n");
      part.flush();
      append_body(body, r.first, r.length());
    }
    HeadWriter end(out_);
    end.raw("\r\n--");
    end.raw(settings_.multipart_boundary);
    end.raw("--\r\n");
    end.flush();
  }
  return ResponseSummary{206, total, close_, body.memory_hit(), !body.memory_hit(), false};
}

ResponseSummary Exchange::run(const Responder& responder, std::span<char> scratch) {
  switch (request_.method) {
    case Method::get:
    case Method::head:
    case Method::options: break;
    default: return error(responder, 405);
  }
  std::string_view authority;
  NormalizedTarget target = normalize_target(request_.target, scratch, &authority);
  if (target.status != 0) return error(responder, target.status, /*close=*/target.status == 400);
  // RFC 9112 §3.2.2: absolute-form wins over Host; a mismatch is someone
  // probing for a proxy or smuggling a request to another host.
  if (!authority.empty() && !equals_ignore_case(authority, request_.host)) return error(responder, 400, /*close=*/true);
  // OPTIONS on "*" or on a path: the methods are the same for every resource.
  if (request_.method == Method::options) return options();
  if (target.asterisk) return error(responder, 400, /*close=*/true);
  if (context_.catalog == nullptr) return error(responder, 503);

  // The allow-listed query goes right after the path in scratch, so the
  // path and its query are one contiguous key.
  std::string_view suffix;
  if (!settings_.query_keys.empty() && !target.query.empty()) {
    const std::span<char> tail = scratch.subspan(static_cast<std::size_t>(target.path.data() - scratch.data()) +
                                                 target.path.size());
    suffix = std::string_view(tail.data(), append_allowed_query(target.query, settings_.query_keys, tail));
  }
  std::string_view key = target.path.substr(1);
  const CatalogEntry* entry = nullptr;
  if (key.empty() || target.trailing_slash) {
    entry = context_.catalog->find_index(key, suffix);
  } else {
    entry = context_.catalog->find(std::string_view(key.data(), key.size() + suffix.size()));
    if (entry == nullptr && context_.catalog->is_directory(key)) return redirect_to_directory(target.path, target.query);
  }
  if (entry == nullptr) return error(responder, 404);

  Representation rep(entry, settings_.cache_control.for_entry(target.path, entry->content_type()));
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

  Validators validators{rep.etag(), entry->last_modified()};
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

ResponseSummary Exchange::with_body(const Responder& responder, const Representation& rep, const RangeSet* ranges) {
  BodySource body;
  if (!head_only_) {
    Result<BodySource> source = context_.cache->body(rep.chosen(), context_.file_body_min);
    if (!source.ok()) {
      ResponseSummary s = error(responder, 503);
      s.blob_error = true;
      return s;
    }
    body = std::move(source.value());
  }
  if (ranges != nullptr) return partial(rep, body, *ranges);
  return full(rep, body);
}

}  // namespace

ResponseSummary Responder::respond(const Request& request, const RequestContext& context, std::span<char> scratch,
                                   ResponseBuffer& out) const {
  Exchange exchange(settings_, request, context, out);
  return exchange.run(*this, scratch);
}

}  // namespace relais::http
