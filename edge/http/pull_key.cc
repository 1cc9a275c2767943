#include "edge/http/pull_key.h"

#include "edge/http/hex_digit.h"
#include "edge/http/query_key.h"

namespace relais::http {
namespace {

// Percent-encodes every byte but letters, digits and those in `plain`.
void append_percent_encoded(std::string& out, std::string_view text, std::string_view plain) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        plain.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

}  // namespace

// RFC 3986 §3.3 pchar, '/' and no '%': the path is decoded, so a '%' in it
// was %25. The sub-delims, ':' and '@' stay as they are: encoded, they are
// another URI to the origin (§2.2; outside attack: `;jsessionid=` and
// `/@user` reached it as %3B and %40).
void append_encoded_path(std::string& out, std::string_view path) {
  append_percent_encoded(out, path, "/-._~!$&'()*+,;=:@");
}

std::string whole_query_suffix(std::string_view raw_query) {
  std::string out;
  if (raw_query.empty()) return out;
  out.push_back('?');
  // The bytes RFC 3986 §3.4 does not allow in a query (space, '"', '<', '>',
  // '\\', '^', '`', '{', '|', '}', '#', controls, non-ASCII) percent-encoded:
  // some clients send them raw, an origin request may not carry them
  // (origin_request.h). '%' stays when it begins an escape (the query is
  // still encoded); a '%' that does not is %25, so the origin request holds
  // RFC 3986 characters only.
  for (std::size_t i = 0; i < raw_query.size(); ++i) {
    const bool escape = raw_query[i] == '%' && i + 2 < raw_query.size() && hex_value(raw_query[i + 1]) >= 0 &&
                        hex_value(raw_query[i + 2]) >= 0;
    if (raw_query[i] == '%' && !escape) {
      out.append("%25");
      continue;
    }
    append_percent_encoded(out, raw_query.substr(i, 1), "-._~!$&'()*+,;=:@/?%");
  }
  return out;
}

PullKey pull_key(std::string_view path, std::string_view raw_query, bool whole_query,
                 std::span<const std::string> query_keys) {
  std::string query;
  if (whole_query) {
    query = whole_query_suffix(raw_query);
  } else if (!query_keys.empty() && !raw_query.empty()) {
    std::string tail(raw_query.size() + 1, '\0');
    tail.resize(append_allowed_query(raw_query, query_keys, tail));
    query = std::move(tail);
  }
  PullKey out;
  out.key.reserve(path.size() + query.size());
  out.key.append(path).append(query);
  append_encoded_path(out.origin_target, path);
  out.origin_target.append(query);
  return out;
}

}  // namespace relais::http
