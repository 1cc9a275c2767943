#include "edge/upstream/origin_request.h"

#include "edge/cache/freshness/cache_control.h"
#include "edge/http/ascii_case.h"

namespace relais::upstream {
namespace {

bool is_http_url(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("http://")) rest = url.substr(7);
  else if (url.starts_with("https://")) rest = url.substr(8);
  else return false;
  // An authority only: a path, query, userinfo or fragment in the base would
  // change what every request means.
  return !rest.empty() && rest.find_first_of("/?#@ ") == std::string_view::npos;
}

}  // namespace

bool is_forwardable_vary_field(std::string_view name) {
  if (name.size() > 64 || !freshness::is_token(name)) return false;
  static constexpr std::string_view kOurs[] = {
      "host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive", "te", "trailer",
      "upgrade", "expect", "range", "if-range", "if-match", "if-none-match", "if-modified-since",
      "if-unmodified-since", "authorization", "proxy-authorization", "cookie", "accept", "accept-encoding",
      "accept-language", "user-agent", "forwarded", "via", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"};
  for (std::string_view ours : kOurs) {
    if (http::equals_ignore_case(name, ours)) return false;
  }
  return !(name.size() >= 6 && http::equals_ignore_case(name.substr(0, 6), "proxy-"));
}

std::string_view origin_method_name(OriginMethod method) {
  switch (method) {
    case OriginMethod::get: return "GET";
    case OriginMethod::head: return "HEAD";
    case OriginMethod::post: return "POST";
    case OriginMethod::put: return "PUT";
    case OriginMethod::patch: return "PATCH";
    case OriginMethod::del: return "DELETE";
    case OriginMethod::options: return "OPTIONS";
    case OriginMethod::extension: return "";  // method_token
  }
  return "GET";
}

bool is_safe_field_value(std::string_view value) {
  return value.size() <= kMaxOriginValueBytes && is_field_text(value);
}

bool is_field_text(std::string_view value) {
  for (unsigned char c : value) {
    // RFC 9110 §5.5: field-vchar, SP and HTAB; never CR, LF, NUL or DEL.
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

bool is_safe_origin_path(std::string_view path) {
  if (path.empty() || path.front() != '/' || path.size() > kMaxOriginPathBytes) return false;
  if (path.starts_with("//")) return false;  // would read as an authority to some parsers
  for (unsigned char c : path) {
    // RFC 3986 characters only: no SP, no controls, no '#', nothing above 0x7e
    // (the normaliser percent-encodes anything else before we get here).
    if (c <= 0x20 || c >= 0x7f || c == '#' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
        c == '`' || c == '{' || c == '|' || c == '}') {
      return false;
    }
  }
  return true;
}

Result<OriginRequestLines> build_origin_request(const OriginTarget& target, const OriginRequest& request) {
  if (!is_http_url(target.base_url)) return Error::config("origin URL is not http(s)://authority: " + target.base_url);
  if (target.host.empty() || !is_safe_field_value(target.host) || target.host.find(' ') != std::string::npos) {
    return Error::config("origin Host is not a valid field value");
  }
  if (!is_safe_origin_path(request.path)) return Error::client("path not fit for an origin request");
  OriginRequestLines out;
  out.url = target.base_url + request.path;
  out.fields.push_back("Host: " + target.host);
  if (request.accept.empty()) out.fields.emplace_back("Accept:");  // curl's "Accept: */*" is not ours to send
  out.fields.emplace_back("User-Agent: relais-edge/" RELAIS_VERSION);
  auto add = [&](std::string_view name, const std::string& value) -> bool {
    if (value.empty()) return true;
    if (!is_safe_field_value(value)) return false;
    out.fields.push_back(std::string(name) + ": " + value);
    return true;
  };
  for (const auto& [name, value] : request.vary_fields) {
    if (!is_forwardable_vary_field(name) || !add(name, value))
      return Error::client("a field a Vary nominates is not fit for an origin request");
  }
  if (!add("Accept", request.accept) || !add("Accept-Language", request.accept_language) ||
      !add("Accept-Encoding", request.accept_encoding) || !add("If-None-Match", request.if_none_match) ||
      !add("If-Modified-Since", request.if_modified_since) || !add("Range", request.range) ||
      !add("If-Range", request.if_range)) {
    return Error::client("a conditional or negotiation value is not a valid field value");
  }
  out.method = origin_method_name(request.method);
  if (request.method == OriginMethod::extension) {
    // A token (RFC 9110 §9.1), never one with a name of ours (which would
    // bypass what that name's rules are) nor CONNECT or TRACE.
    const std::string_view m = request.method_token;
    const bool named = m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" ||
                       m == "OPTIONS" || m == "CONNECT" || m == "TRACE";
    if (m.empty() || m.size() > kMaxMethodBytes || named || !freshness::is_token(m))
      return Error::client("the method is not a token fit for an origin request");
    out.method = m;
  }
  const bool pass = is_pass_method(request.method) ||
                    (request.credentialed && request.method == OriginMethod::get && request.body.empty());
  if (!pass) {
    // A stored response must not depend on what only one client sent.
    if (!request.body.empty() || !request.content_type.empty() || !request.cookie.empty() ||
        !request.authorization.empty())
      return Error::internal("a body or credentials on a request whose response may be stored");
    return out;
  }
  // curl adds these to a request with a body: none is ours to send (the body
  // is whole, its length known; the origin gets no Expect wait).
  out.fields.emplace_back("Expect:");
  out.fields.emplace_back("Transfer-Encoding:");
  if (request.content_type.empty()) out.fields.emplace_back("Content-Type:");
  if (!add("Content-Type", request.content_type) || !add("Authorization", request.authorization))
    return Error::client("a Content-Type or Authorization value is not a valid field value");
  const bool preflight_fields = !request.origin.empty() || !request.access_control_request_method.empty() ||
                                !request.access_control_request_headers.empty();
  if (preflight_fields && request.method != OriginMethod::options)
    return Error::internal("CORS preflight fields on a request that is no OPTIONS");
  if (!add("Origin", request.origin) || !add("Access-Control-Request-Method", request.access_control_request_method) ||
      !add("Access-Control-Request-Headers", request.access_control_request_headers))
    return Error::client("a CORS preflight value is not a valid field value");
  if (!request.cookie.empty()) {
    if (request.cookie.size() > kMaxOriginCookieBytes || !is_field_text(request.cookie))
      return Error::client("a Cookie value is not a valid field value");
    out.fields.push_back("Cookie: " + request.cookie);
  }
  out.send_body = request.method == OriginMethod::post || !request.body.empty();
  return out;
}

}  // namespace relais::upstream
