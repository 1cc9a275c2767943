// Fuzzes normalize_target and is_valid_host, and the query allow-list as the
// responder uses it: written into the scratch bytes the path left free.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/http/query_key.h"
#include "edge/http/target_normalizer.h"
#include "tests/fuzz/fuzz_check.h"

using namespace relais::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)is_valid_host(in);
  // Exactly as large as the contract demands, on the heap: ASan sees overruns.
  std::vector<char> out(size);
  std::string_view authority;
  const NormalizedTarget t = normalize_target(in, out, &authority);
  if (t.status != 0) {
    FUZZ_CHECK(t.status == 400 && !t.reason.empty());
    return 0;
  }
  if (t.asterisk) {
    FUZZ_CHECK(in == "*");
    return 0;
  }
  const std::string_view p = t.path;
  FUZZ_CHECK(!p.empty() && p.front() == '/');
  FUZZ_CHECK(p.data() >= out.data() && p.data() + p.size() <= out.data() + out.size());
  FUZZ_CHECK(p.find("//") == std::string_view::npos);
  FUZZ_CHECK(p.find("/./") == std::string_view::npos && p.find("/../") == std::string_view::npos);
  FUZZ_CHECK(!(p.size() >= 2 && p.substr(p.size() - 2) == "/."));
  FUZZ_CHECK(!(p.size() >= 3 && p.substr(p.size() - 3) == "/.."));
  FUZZ_CHECK(t.trailing_slash == (p.back() == '/'));
  for (char c : p) {
    const auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u >= 0x20 && u != 0x7F && c != '\\');
  }
  FUZZ_CHECK(authority.empty() || is_valid_host(authority));
  // The responder's contract: with a query, path + "?" + query fits in the scratch.
  if (!t.query.empty()) {
    const std::span<char> tail = std::span<char>(out).subspan(static_cast<std::size_t>(p.data() - out.data()) + p.size());
    FUZZ_CHECK(tail.size() >= t.query.size() + 1);
    static const std::vector<std::string> kAllowed = {"lang", "a", "v"};
    const std::size_t kept = append_allowed_query(t.query, kAllowed, tail);
    FUZZ_CHECK(kept == 0 || (tail[0] == '?' && kept <= t.query.size() + 1));
  }
  // Idempotent on what it produced, when that is still a valid target.
  if (p.find_first_of("%?#") == std::string_view::npos) {
    std::vector<char> out2(p.size());
    const NormalizedTarget t2 = normalize_target(p, out2, nullptr);
    FUZZ_CHECK(t2.status == 0 && t2.path == p && t2.trailing_slash == t.trailing_slash);
  }
  return 0;
}
