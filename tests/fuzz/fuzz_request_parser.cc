// Fuzzes parse_request_head under default and tight limits, and the
// normaliser on every target it accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "edge/proto/h1/request_parser.h"
#include "edge/http/target_normalizer.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace relais::http;

bool inside(std::string_view part, std::string_view whole) {
  return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void check(std::string_view in, const ParserLimits& limits) {
  std::vector<HeaderField> storage(limits.max_headers);
  Request r;
  const ParseOutcome o = parse_request_head(in, limits, storage.data(), r);
  if (o.state == ParseState::error) {
    const auto s = o.status;
    FUZZ_CHECK(s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505);
    FUZZ_CHECK(!o.reason.empty());
    return;
  }
  if (o.state == ParseState::incomplete) {
    FUZZ_CHECK(in.size() <= limits.max_head_bytes);  // else it must have been refused
    return;
  }
  FUZZ_CHECK(o.head_bytes >= 4 && o.head_bytes <= in.size() && o.head_bytes <= limits.max_head_bytes);
  const std::string_view head = in.substr(0, o.head_bytes);
  FUZZ_CHECK(head.substr(head.size() - 4) == "\r\n\r\n");
  FUZZ_CHECK(r.header_count <= limits.max_headers);
  FUZZ_CHECK(r.version_minor <= 1);
  FUZZ_CHECK(!r.method_token.empty() && inside(r.method_token, head));
  FUZZ_CHECK(!r.target.empty() && r.target.size() <= limits.max_target_bytes && inside(r.target, head));
  FUZZ_CHECK(r.version_minor == 0 || !r.host.empty());
  FUZZ_CHECK(is_valid_host(r.host) || r.host.empty());
  FUZZ_CHECK(!(r.chunked && r.content_length != 0));
  FUZZ_CHECK(!r.chunked || r.version_minor == 1);
  FUZZ_CHECK(r.content_length <= limits.max_body_bytes);
  for (std::size_t i = 0; i < r.header_count; ++i) {
    FUZZ_CHECK(!r.headers[i].name.empty() && inside(r.headers[i].name, head) && inside(r.headers[i].value, head));
    for (char c : r.headers[i].value) FUZZ_CHECK(c != '\r' && c != '\n' && c != '\0');
  }
  // The head alone parses the same; any shorter prefix is incomplete.
  Request again;
  const ParseOutcome o2 = parse_request_head(head, limits, storage.data(), again);
  FUZZ_CHECK(o2.state == ParseState::complete && o2.head_bytes == o.head_bytes);
  const ParseOutcome o3 = parse_request_head(head.substr(0, head.size() - 1), limits, storage.data(), again);
  FUZZ_CHECK(o3.state == ParseState::incomplete);

  std::vector<char> out(r.target.size());
  std::string_view authority;
  const NormalizedTarget t = normalize_target(r.target, out, &authority);
  if (t.status == 0 && !t.asterisk) {
    FUZZ_CHECK(!t.path.empty() && t.path.front() == '/');
    FUZZ_CHECK(t.path.find("/../") == std::string_view::npos && t.path.find("//") == std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check(in, ParserLimits{});
  ParserLimits tight;
  tight.max_head_bytes = 200;
  tight.max_target_bytes = 40;
  tight.max_headers = 4;
  tight.max_body_bytes = 100;
  check(in, tight);
  return 0;
}
