// Fuzzes the pull-through caching semantics with origin-controlled bytes:
// the input is a response head and a request head ("Name: value" lines, a
// blank line between them). Every parser of edge/cache/freshness/ runs on it,
// and the arithmetic keeps its invariants (no negative lifetime, an age
// within [0, 2^31], a bounded Vary key, a Cache-Status that fits). The same
// bytes, line by line, feed the origin client's head collector.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/freshness/cache_status.h"
#include "edge/cache/freshness/invalidation.h"
#include "edge/cache/freshness/reuse.h"
#include "edge/cache/freshness/secondary_key.h"
#include "edge/cache/freshness/storability.h"
#include "edge/cache/freshness/structured_dictionary.h"
#include "edge/cache/freshness/validation.h"
#include "edge/http/ascii_case.h"
#include "edge/upstream/origin_head.h"
#include "edge/upstream/origin_request.h"
#include "tests/fuzz/fuzz_check.h"

using namespace relais::freshness;
namespace http = relais::http;

namespace {

std::vector<FieldView> lines(std::string_view block) {
  std::vector<FieldView> out;
  while (!block.empty()) {
    const std::size_t nl = block.find('\n');
    const std::string_view line = block.substr(0, nl);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) out.push_back({line.substr(0, colon), line.substr(colon + 1)});
    if (nl == std::string_view::npos) break;
    block.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t split = in.find("\n\n");
  const std::vector<FieldView> response = lines(in.substr(0, split));
  const std::vector<FieldView> request = lines(split == std::string_view::npos ? "" : in.substr(split + 2));
  constexpr std::int64_t now = 1750000000;
  const int status = size > 0 ? 100 + data[0] % 500 : 200;

  const ResponseFacts facts = read_response_facts(status, response, now);
  RequestFacts req{"GET", size % 2 == 0, {}};
  for (const FieldView& f : request) {
    if (f.name == "Cache-Control") parse_cache_control(f.value, req.directives);
  }
  (void)decide_storage(req, facts, response);
  const StoredResponse stored{facts, {now - 5, now}};
  const std::int64_t lifetime = freshness_lifetime(facts, stored.times);
  FUZZ_CHECK(lifetime >= 0);
  for (std::int64_t later : {std::int64_t{0}, std::int64_t{86400}, std::int64_t{1} << 40}) {
    const std::int64_t age = current_age(facts, stored.times, now + later);
    FUZZ_CHECK(age >= 0 && age <= kDeltaSecondsCap);
    (void)decide_reuse(stored, req.directives, now + later);
    (void)may_serve_stale_on_error(stored, req.directives, now + later);
  }
  const std::optional<std::string> key = secondary_key(facts.vary, request);
  FUZZ_CHECK(!key || key->size() <= kMaxSecondaryKeyBytes + 64);
  const ResponseFacts* one[] = {&facts};
  (void)conditional_fields(one);
  http::Request client;
  client.method = http::Method::get;
  for (const FieldView& f : request) {
    if (http::equals_ignore_case(f.name, "if-none-match")) client.if_none_match = f.value;
    if (http::equals_ignore_case(f.name, "if-modified-since")) client.if_modified_since = f.value;
    if (http::equals_ignore_case(f.name, "if-match")) client.if_match = f.value;
    if (http::equals_ignore_case(f.name, "if-unmodified-since")) client.if_unmodified_since = f.value;
  }
  (void)client_preconditions(client, status, facts, now);
  (void)select_for_update(facts, one);
  std::vector<StoredField> fields = {{"Content-Length", "1"}, {"ETag", "\"a\""}};
  merge_not_modified(fields, response);
  FUZZ_CHECK(fields[0].name == "Content-Length" && fields[0].value == "1");
  (void)invalidated_paths("POST", 200, {"https", "cdn.example", "/a/b"}, in.substr(0, size / 2), in.substr(size / 2));
  (void)parse_sf_dictionary(in);
  CacheStatus cs;
  cs.fwd = Forward::stale;
  cs.fwd_status = status;
  cs.ttl = lifetime - current_age(facts, stored.times, now);
  cs.stored = cs.collapsed = true;
  cs.detail = "stale-if-error";
  char buf[kMaxCacheStatusBytes];
  FUZZ_CHECK(format_cache_status(cs, buf) <= kMaxCacheStatusBytes);
  relais::upstream::HeadCollector head(4096);
  std::string_view rest = in;
  while (!rest.empty() && head.add_line(rest.substr(0, rest.find('\n') + 1)) == relais::upstream::HeadCollector::State::reading) {
    const std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  FUZZ_CHECK(head.head().fields.size() <= relais::upstream::kMaxOriginFields);
  for (const auto& f : head.head().fields) FUZZ_CHECK(relais::upstream::is_safe_field_value(f.value));
  if (head.state() == relais::upstream::HeadCollector::State::complete) {
    // RFC 9112 §6.3: one framing passed on, never a Content-Length beside Transfer-Encoding or another.
    int lengths = 0, codings = 0;
    for (const auto& f : head.head().fields) {
      lengths += relais::http::equals_ignore_case(f.name, "content-length") ? 1 : 0;
      codings += relais::http::equals_ignore_case(f.name, "transfer-encoding") ? 1 : 0;
    }
    FUZZ_CHECK(lengths <= 1 && (lengths == 0 || codings == 0));
  }
  return 0;
}
