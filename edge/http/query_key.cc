#include "edge/http/query_key.h"

#include <cstring>

#include "origin-sync/assert.h"

namespace relais::http {

namespace {

std::string_view pair_key(std::string_view pair) { return pair.substr(0, pair.find('=')); }

}  // namespace

std::size_t append_allowed_query(std::string_view query, std::span<const std::string> allowed,
                                 std::span<char> out) {
  RELAIS_ASSERT(out.size() >= query.size() + 1);
  std::size_t written = 0;
  for (const std::string& key : allowed) {
    std::string_view rest = query;
    while (!rest.empty()) {
      const std::size_t amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
      if (pair.empty() || pair_key(pair) != key) continue;
      // Each kept pair came from the query with its own separator, so the
      // output outgrows query.size() + 1 only if a key is listed twice
      // (the options refuse that); the check keeps even that in bounds.
      if (written + 1 + pair.size() > out.size()) return written;
      out[written] = written == 0 ? '?' : '&';
      ++written;
      std::memcpy(out.data() + written, pair.data(), pair.size());
      written += pair.size();
    }
  }
  return written;
}

}  // namespace relais::http
