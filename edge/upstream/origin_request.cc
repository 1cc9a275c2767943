#include "edge/upstream/origin_request.h"

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

bool is_safe_field_value(std::string_view value) {
  if (value.size() > kMaxOriginValueBytes) return false;
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
  out.fields.emplace_back("Accept:");  // curl's "Accept: */*" is not ours to send
  out.fields.emplace_back("User-Agent: relais-edge/" RELAIS_VERSION);
  auto add = [&](std::string_view name, const std::string& value) -> bool {
    if (value.empty()) return true;
    if (!is_safe_field_value(value)) return false;
    out.fields.push_back(std::string(name) + ": " + value);
    return true;
  };
  if (!add("Accept-Encoding", request.accept_encoding) || !add("If-None-Match", request.if_none_match) ||
      !add("If-Modified-Since", request.if_modified_since) || !add("Range", request.range) ||
      !add("If-Range", request.if_range)) {
    return Error::client("a conditional or negotiation value is not a valid field value");
  }
  return out;
}

}  // namespace relais::upstream
