#include "edge/cache/freshness/secondary_key.h"

#include <algorithm>
#include <vector>

#include "edge/cache/freshness/cache_control.h"
#include "edge/cache/freshness/field_list.h"
#include "edge/http/accept_encoding.h"
#include "edge/http/ascii_case.h"

namespace relais::freshness {
std::string normalised_accept_encoding(Fields request_fields) {
  bool present = false;
  const std::string value = combined_field(request_fields, "accept-encoding", &present);
  const http::AcceptEncoding accept = http::parse_accept_encoding(value, present);
  std::string out;
  for (Encoding e : {Encoding::br, Encoding::zstd, Encoding::gzip}) {
    if (accept.q[static_cast<int>(e)] == 0) continue;
    if (!out.empty()) out += ',';
    out += encoding_name(e);
  }
  return out;
}

std::optional<std::string> secondary_key(std::string_view vary, Fields request_fields) {
  std::vector<std::string> names;
  bool star = false;
  bool bad = false;
  for_each_list_element(vary, [&](std::string_view name) {
    if (name == "*") star = true;
    else if (is_token(name)) names.push_back(ascii_lowercase(name));
    else bad = true;  // not a field name: nothing could be matched against it
  });
  if (star || bad) return std::nullopt;
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() > kMaxVaryFields) return std::nullopt;
  std::string key;
  for (const std::string& name : names) {
    key += name;
    if (name == "accept-encoding") {
      key += ':';
      key += normalised_accept_encoding(request_fields);
    } else {
      bool present = false;
      const std::string combined = combined_field(request_fields, name, &present);
      if (!present) {
        key += '!';  // absent, which no value can spell
      } else {
        key += ':';
        const bool fold = name == "accept-language" || name == "accept";
        bool first = true;
        for_each_list_element(combined, [&](std::string_view element) {
          if (!first) key += ',';
          key += fold ? ascii_lowercase(element) : std::string(element);
          first = false;
        });
      }
    }
    key += '\n';
    if (key.size() > kMaxSecondaryKeyBytes) return std::nullopt;
  }
  return key;
}

}  // namespace relais::freshness
