#include "edge/http/pull_key.h"

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

void append_encoded_path(std::string& out, std::string_view path) { append_percent_encoded(out, path, "/-._~"); }

std::string whole_query_suffix(std::string_view raw_query) {
  std::string out;
  if (raw_query.empty()) return out;
  out.push_back('?');
  // The bytes RFC 3986 §3.4 does not allow in a query (space, '"', '<', '>',
  // '\\', '^', '`', '{', '|', '}', '#', controls, non-ASCII) percent-encoded:
  // some clients send them raw, an origin request may not carry them
  // (origin_request.h). '%' stays: the query is still encoded.
  append_percent_encoded(out, raw_query, "-._~!$&'()*+,;=:@/?%");
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
