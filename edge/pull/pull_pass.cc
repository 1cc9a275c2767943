#include "edge/pull/pull_pass.h"

#include <algorithm>

#include "edge/cache/freshness/invalidation.h"
#include "edge/http/pull_key.h"
#include "edge/http/ascii_case.h"
#include "edge/http/target_normalizer.h"
#include "edge/pull/pull_service.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {
namespace {

bool has_no_body(int status) { return status < 200 || status == 204 || status == 304; }

std::string_view field(const upstream::OriginHead& head, std::string_view name) {
  for (const upstream::OriginField& f : head.fields) {
    if (http::equals_ignore_case(f.name, name)) return f.value;
  }
  return {};
}

}  // namespace

std::string pass_table_key(std::string_view origin_path, bool whole_query, const std::vector<std::string>& query_keys) {
  // The responder's key: the decoded, normalised path, then the kept query.
  std::string scratch(origin_path.size() * 2 + 2, '\0');
  std::string_view authority;
  const http::NormalizedTarget target = http::normalize_target(origin_path, scratch, &authority);
  if (target.status != 0 || target.asterisk || !authority.empty()) return {};
  return http::pull_key(target.path, target.query, whole_query, query_keys).key;
}

PullPass::PullPass(PullService& service, http::StreamSink& sink, PassRequest pass,
                   std::vector<upstream::OriginTarget> targets, upstream::OriginRequest request)
    : service_(service), sink_(sink), pass_(std::move(pass)), targets_(targets), origin_path_(request.path),
      fetch_(service.origin_client(), service.coalescer().health(), std::move(targets), std::move(request), *this) {
  ++service_.passes_in_flight();
}

PullPass::~PullPass() {
  --service_.passes_in_flight();
  // FailoverFetch's destructor cancels a fetch still running.
}

Status PullPass::start() { return fetch_.start(); }

void PullPass::resume() {
  if (mode_ == Mode::streaming) fetch_.resume();
}

void PullPass::invalidate(const upstream::OriginHead& head) {
  // RFC 9111 §4.4: the target URI, and Location / Content-Location on the
  // same origin. "Same" is the origin as the client named it or as we asked
  // it (an application writes its Location from the Host it got: ours, the
  // origin's authority); any other host is never touched (§4.4: one host
  // must not purge another's objects).
  const std::string_view location = field(head, "location");
  const std::string_view content_location = field(head, "content-location");
  std::vector<std::string> paths;
  auto add = [&](std::string_view scheme, std::string_view authority) {
    const freshness::OriginOfRequest origin{scheme, authority, origin_path_};
    for (std::string& p : freshness::invalidated_paths(pass_.method, head.status, origin, location, content_location)) {
      if (std::find(paths.begin(), paths.end(), p) == paths.end()) paths.push_back(std::move(p));
    }
  };
  add(pass_.client_tls ? "https" : "http", pass_.client_authority);
  for (const upstream::OriginTarget& t : targets_) add(t.base_url.starts_with("https:") ? "https" : "http", t.host);
  std::vector<std::string> keys;
  for (const std::string& p : paths) {
    std::string key = p == origin_path_ ? pass_.key : pass_table_key(p, pass_.whole_query, pass_.query_keys);
    if (!key.empty() && std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  }
  if (!keys.empty()) service_.invalidate(pass_.site, keys);
}

void PullPass::on_head(upstream::OriginHead head) {
  invalidate(head);  // before the client can read the answer and ask again
  std::vector<http::HeaderField> fields;
  forwarded_fields(head, fields);
  std::string_view date = service_.date();
  for (const upstream::OriginField& f : head.fields) {
    if (http::equals_ignore_case(f.name, "date")) date = f.value;
  }
  ServeOptions options{pass_.server, service_.date(), false, pass_.close, 0, {}, nullptr};
  options.status.fwd = pass_.fwd;
  options.status.fwd_status = head.status;
  const auto status = static_cast<std::uint16_t>(head.status);
  http::Response r(status, pass_.server, date, pass_.close);
  r.forwarded = fields;
  char cache_status[freshness::kMaxCacheStatusBytes];
  add_cache_fields(r, options, cache_status);
  const bool body = !has_no_body(head.status);
  if (body) {
    const std::string_view length = field(head, "content-length");
    std::uint64_t size = 0;
    bool known = !length.empty() && field(head, "transfer-encoding").empty();
    for (const char c : length) {
      if (c < '0' || c > '9' || size > (UINT64_MAX - 9) / 10) {
        known = false;
        break;
      }
      size = size * 10 + static_cast<std::uint64_t>(c - '0');
    }
    r.body.kind = http::ResponseBody::Kind::stream;
    r.body.length_known = known;
    r.body.size = known ? size : 0;
  }
  ++service_.stats().pass;
  summary_ = http::ResponseSummary{status, 0, pass_.close, false, false, false};
  summary_.pull = "pull-pass";
  mode_ = body ? Mode::streaming : Mode::discarding;
  sink_.head(r);
}

std::size_t PullPass::on_body(std::string_view chunk) {
  if (mode_ != Mode::streaming) return chunk.size();
  const std::size_t took = sink_.body(chunk);
  summary_.body_bytes += took;
  return took;
}

void PullPass::on_done(const upstream::FetchOutcome& outcome) {
  const Mode before = mode_;
  if (before == Mode::waiting) {
    // No head: never stale for a pass (a stored GET answer is no answer to it).
    const bool timeout = outcome.failure == upstream::FetchFailure::connect_timeout ||
                         outcome.failure == upstream::FetchFailure::first_byte_timeout ||
                         outcome.failure == upstream::FetchFailure::between_bytes_timeout ||
                         outcome.failure == upstream::FetchFailure::too_slow;
    ServeOptions options{pass_.server, service_.date(), false, pass_.close, 0, {}, nullptr};
    options.status.fwd = pass_.fwd;
    options.status.detail = upstream::fetch_failure_name(outcome.failure);
    WholeResponse whole(sink_);
    ++service_.stats().errors;
    summary_ = send_pull_error(timeout ? 504 : 502, options, whole);
    summary_.pull = "pull-error";
  }
  mode_ = Mode::done;
  summary_.site = pass_.site;
  sink_.end(summary_, outcome.ok() || before != Mode::streaming);  // last: the sink may destroy us
}

}  // namespace relais::pull
