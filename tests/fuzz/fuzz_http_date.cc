// Fuzzes parse_http_date (formatting any result must round-trip) and the
// entity-tag and If-Range helpers.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "edge/http/ascii_case.h"
#include "edge/http/http_date.h"
#include "edge/http/preconditions.h"
#include "tests/fuzz/fuzz_check.h"

using namespace relais::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::int64_t now = 1750000000;
  const std::optional<std::int64_t> t = parse_http_date(in, now);
  if (t) {
    char buf[kHttpDateLength];
    format_http_date(*t, buf);
    FUZZ_CHECK(parse_http_date(std::string_view(buf, kHttpDateLength), now) == t);
    // An IMF-fixdate we accept is the one we would write (bar a leap second),
    // but for the day name (not checked against the date) and the case of
    // the month and of GMT (read in any case: http_date.h).
    if (in.size() == kHttpDateLength && in[3] == ',') {
      FUZZ_CHECK(equals_ignore_case(in.substr(5), std::string_view(buf + 5, kHttpDateLength - 5)) ||
                 in.substr(23, 2) == "60");
    }
  }
  const Validators v{"\"abc\"", 784111777, 784111777};
  (void)if_range_allows(in, v);
  FUZZ_CHECK(!etag_strong_match(in, in) || etag_weak_match(in, in));
  (void)etag_list_matches(in, "\"abc\"", true);
  return 0;
}
