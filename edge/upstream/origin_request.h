// The request we send to an origin, rebuilt by us from an allow-list: never
// the client's bytes (no request smuggling through the edge, no cache
// poisoning by an unkeyed header reaching the origin).
//
// What may be in it: the method (GET or HEAD; for a pass, POST, PUT, PATCH,
// DELETE or OPTIONS), the path and query in origin-form, our Host for the configured
// origin, the Accept-Encoding we choose, the validators we choose
// (If-None-Match, If-Modified-Since), one Range we choose and its If-Range,
// and our User-Agent. A pass (an unsafe method, never stored) also carries
// its body, read whole by us (so its Content-Length is ours, never a
// Transfer-Encoding), its Content-Type, and the client's Cookie and
// Authorization: a response to it is never stored, so a credential cannot
// put one user's answer in the cache for another; on GET and HEAD, whose
// answers are stored, they never reach the origin. An OPTIONS pass also
// carries the client's CORS preflight fields. Every value is checked for bytes that
// could end a field or a line (CR, LF, NUL, other controls) so that nothing a
// client put in a path can add a field. Bounded: a path of at most
// kMaxOriginPathBytes, each value at most kMaxOriginValueBytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "origin-sync/result.h"

namespace relais::upstream {

inline constexpr std::size_t kMaxOriginPathBytes = 8192;
inline constexpr std::size_t kMaxOriginValueBytes = 4096;
inline constexpr std::size_t kMaxMethodBytes = 32;

// One configured origin: where we connect and what we call it.
struct OriginTarget {
  std::string base_url;  // "http://10.0.0.5:8080" or "https://origin.example": scheme and authority, no path
  std::string host;      // the Host field we send ("www.example.org")
};

inline constexpr std::size_t kMaxOriginCookieBytes = 8192;  // browsers send up to about this

// extension: a method of no other name (RFC 9110 §9.1: a registered one like
// M-SEARCH or PROPFIND, or the application's own), sent as method_token.
enum class OriginMethod : unsigned char { get, head, post, put, patch, del, options, extension };

std::string_view origin_method_name(OriginMethod method);
// Not GET or HEAD: a pass, never retried once its body may have been sent.
inline bool is_pass_method(OriginMethod method) { return method != OriginMethod::get && method != OriginMethod::head; }

struct OriginRequest {
  OriginMethod method = OriginMethod::get;
  std::string method_token;        // extension only: a token of at most kMaxMethodBytes
  std::string path = "/";          // origin-form: "/a/b?x=1"
  std::string accept_encoding;     // e.g. "br, zstd, gzip"; empty: none sent (identity)
  // The client's Accept and Accept-Language, as sent (one line each): an
  // origin that negotiates on them (Vary) must see them, or what it answers
  // is stored under a secondary key it was not chosen for (RFC 9111 §4.1).
  // Empty: not sent.
  std::string accept;
  std::string accept_language;
  // A revalidation of a response whose Vary names other request fields: the
  // client's values of those (is_forwardable_vary_field), so the origin
  // judges the variant the client asked for (RFC 9111 §4.1, §4.3.1).
  std::vector<std::pair<std::string, std::string>> vary_fields;
  std::string if_none_match;       // empty: not sent
  std::string if_modified_since;   // empty: not sent
  std::string range;               // e.g. "bytes=0-1048575"; empty: not sent
  std::string if_range;            // the entity-tag a Range holds for (RFC 9110 §13.1.5); empty: not sent
  // A GET passed because the client sent Authorization (never stored): it
  // may carry the credentials below, never a body.
  bool credentialed = false;
  // A pass only (is_pass_method, or credentialed for the credentials).
  std::string body;                // sent with its Content-Length (POST always, others when not empty)
  std::string content_type;        // empty: not sent
  std::string cookie;              // the client's, its lines joined with "; "; empty: not sent
  std::string authorization;       // the client's; empty: not sent
  // OPTIONS only (a CORS preflight, Fetch standard): the client's Origin,
  // Access-Control-Request-Method and -Headers, without which the origin
  // cannot answer it; empty: not sent.
  std::string origin;
  std::string access_control_request_method;
  std::string access_control_request_headers;
};

// What curl is told: the URL and the complete list of field lines. The list
// also blanks the fields curl would add by itself (Accept), so the origin
// sees exactly these. Error (source client) if a value or the path is unfit.
struct OriginRequestLines {
  std::string url;
  std::vector<std::string> fields;  // "Name: value", and "Accept:" to suppress curl's default
  std::string_view method;          // "GET", "POST", ...
  bool send_body = false;           // the body goes with its Content-Length
};
Result<OriginRequestLines> build_origin_request(const OriginTarget& target, const OriginRequest& request);

// A field a stored Vary may make us forward: a token name that is none of
// the fields we set ourselves, framing, hop-by-hop, conditionals, ranges or
// credentials (a stored response never depends on a credential we sent).
bool is_forwardable_vary_field(std::string_view name);

// The checks build_origin_request applies, exposed for the tests.
bool is_safe_origin_path(std::string_view path);
bool is_safe_field_value(std::string_view value);
// RFC 9110 §5.5 field-vchar, SP and HTAB only (no CR, LF, NUL, DEL), any length.
bool is_field_text(std::string_view value);

}  // namespace relais::upstream
