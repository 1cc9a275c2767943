// Response: one response as the responder decided it, before any protocol
// frames it.
//
// A status, header fields in order, and a body described by reference:
// static text, the whole or a range of a BodySource (a memory-tier object or
// an open blob file), or several ranges as multipart/byteranges. Nothing here
// is HTTP/1 bytes: the HTTP/1 writer (edge/proto/h1/response_writer.h)
// serialises it into a ResponseBuffer; an HTTP/2 writer turns the fields into
// name/value pairs (FieldName::h2 is already lower case) and serves the body
// from data source callbacks, without copying memory bodies.
//
// Server and Date open every response; a full (200) response then carries the
// representation's fields (full_representation_fields(), representation.h),
// which a writer may replace by a block it pre-built for that representation
// (HTTP/1's HeadCache). Connection management (Connection, keep-alive) is the
// protocol's business: `close` only says the exchange must end the connection.
//
// Lifetime: built on the responder's stack and handed to a ResponseSink
// before respond() returns. Its views point into itself, the request, the
// responder's settings, the catalog or static text, and are valid only during
// ResponseSink::send(); a sink that answers later keeps the BodySource
// (reference counted) and copies what else it needs.
//
// Bounds: kMaxFields fields and kValueBytes of values formatted here
// (numbers, dates, range spans); the responder's largest response needs 11
// fields and under 160 bytes. Exceeding them is a programmer error (asserted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "edge/cache/body_source.h"
#include "edge/http/range_set.h"
#include "edge/http/request.h"

namespace relais::http {

struct Representation;

// A field name in both spellings: HTTP/1 as we always sent it, HTTP/2 lower
// case (RFC 9113 §8.2.1), so no writer folds case per response.
struct FieldName {
  std::string_view h1;
  std::string_view h2;
};

namespace field {
inline constexpr FieldName content_type{"Content-Type", "content-type"};
inline constexpr FieldName content_length{"Content-Length", "content-length"};
inline constexpr FieldName content_encoding{"Content-Encoding", "content-encoding"};
inline constexpr FieldName content_range{"Content-Range", "content-range"};
inline constexpr FieldName last_modified{"Last-Modified", "last-modified"};
inline constexpr FieldName etag{"ETag", "etag"};
inline constexpr FieldName cache_control{"Cache-Control", "cache-control"};
inline constexpr FieldName vary{"Vary", "vary"};
inline constexpr FieldName accept_ranges{"Accept-Ranges", "accept-ranges"};
inline constexpr FieldName nosniff{"X-Content-Type-Options", "x-content-type-options"};
inline constexpr FieldName allow{"Allow", "allow"};
inline constexpr FieldName location{"Location", "location"};
inline constexpr FieldName retry_after{"Retry-After", "retry-after"};
inline constexpr FieldName use_as_dictionary{"Use-As-Dictionary", "use-as-dictionary"};
inline constexpr FieldName age{"Age", "age"};                             // pulled responses (RFC 9111 §5.1)
inline constexpr FieldName cache_status{"Cache-Status", "cache-status"};  // RFC 9211
}  // namespace field

// Trivially constructible (no initialisers): a Response's array of them
// costs nothing to construct per request.
struct Field {
  const FieldName* name;
  const char* data;
  std::size_t size;
  std::string_view value() const { return {data, size}; }
};

struct ResponseBody {
  // stream: the body follows the head in pieces (a pull-through miss,
  // http/pull_gateway.h), size bytes when length_known, else until the end.
  enum class Kind : std::uint8_t { none, text, source, stream };
  Kind kind = Kind::none;
  std::string_view text;               // text: static bytes (an error page)
  const BodySource* source = nullptr;  // source: the variant's bytes, [0, size)
  // source: empty = all of it; one = that range alone; more = each as a part
  // of multipart/byteranges (RFC 9110 §14.6, multipart.h frames them).
  std::span<const ByteRange> ranges;
  std::uint64_t size = 0;        // the representation's length (each part's Content-Range)
  std::string_view part_type;    // multipart: each part's Content-Type
  std::string_view boundary;     // multipart
  bool length_known = true;      // stream: size is the body's length (else chunked, or close-delimited)
  bool multipart() const { return ranges.size() > 1; }
};

class Response {
 public:
  static constexpr std::size_t kMaxFields = 12;
  static constexpr std::size_t kValueBytes = 192;

  Response(std::uint16_t status_code, std::string_view server_name, std::string_view now, bool close_after = false)
      : status(status_code), server(server_name), date(now), close(close_after) {}
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;

  // value must outlive the response (static text, settings, catalog, request).
  void add(const FieldName& name, std::string_view value);
  // Formatted into the response's own bytes.
  void add(const FieldName& name, std::uint64_t value);
  void add_date(const FieldName& name, std::int64_t unix_seconds);
  // "bytes first-last/size", or "bytes */size" without a range (416).
  void add_content_range(const ByteRange* range, std::uint64_t size);
  std::span<const Field> fields() const { return {fields_, count_}; }

  std::uint16_t status;
  std::string_view server;
  std::string_view date;  // IMF-fixdate of now
  bool close;  // the connection ends after this response
  // Set on a full (200) response: its representation's fields come first.
  const Representation* representation = nullptr;
  ResponseBody body;
  // An error page (Responder::respond_error): HTTP/1.0 is not told keep-alive
  // on it, exactly as before the protocol split (a pinned behaviour, not a choice).
  bool error_page = false;
  // Field lines passed on as they are (a pulled response's stored fields),
  // written after fields(); the gateway left out hop-by-hop and framing fields.
  std::span<const HeaderField> forwarded;
  // Room for a value too long for kValueBytes (a redirect's Location): only
  // the rare response that needs it allocates.
  std::string long_value;

 private:
  // Adds the value just formatted at values_ + used_ (length bytes).
  void add_formatted(const FieldName& name, std::size_t length);

  Field fields_[kMaxFields];
  std::size_t count_ = 0;
  char values_[kValueBytes];
  std::size_t used_ = 0;
};

// Where the responder hands a response: one call per response (a virtual call
// per response, none per byte). Implemented by each protocol's writer.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual void send(const Response& response) = 0;
};

}  // namespace relais::http
