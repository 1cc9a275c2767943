#include "edge/pull/pull_service.h"

#include <algorithm>

#include "edge/cache/freshness/secondary_key.h"
#include "edge/cache/freshness/validation.h"
#include "edge/http/ascii_case.h"
#include "edge/pull/pull_exchange.h"
#include "edge/pull/pull_fill.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {
namespace {

OwnedFields copy_fields(const http::Request& request) {
  OwnedFields out;
  out.lines.reserve(request.header_count);
  for (std::size_t i = 0; i < request.header_count; ++i)
    out.lines.push_back({std::string(request.headers[i].name), std::string(request.headers[i].value)});
  return out;
}

freshness::CacheDirectives request_directives(const http::Request& request) {
  freshness::CacheDirectives d;
  for (std::size_t i = 0; i < request.header_count; ++i) {
    if (http::equals_ignore_case(request.headers[i].name, "cache-control"))
      freshness::parse_cache_control(request.headers[i].value, d);
  }
  return d;
}

}  // namespace

std::string origin_authority(std::string_view base_url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (base_url.starts_with(scheme)) {
      std::string_view rest = base_url.substr(scheme.size());
      return std::string(rest.substr(0, rest.find('/')));
    }
  }
  return {};
}

PullService::PullService(event_base* base, PullSettings settings, Clock now, DateText date)
    : settings_(settings), now_(std::move(now)), date_(std::move(date)), client_(base, settings.origin),
      coalescer_(client_, settings.coalescer), table_(settings.memory_bytes) {}

PullService::~PullService() {
  // Fills leave the coalescer before it goes (it cancels what is left).
  fills_.clear();
}

void PullService::add_fill(std::unique_ptr<PullFill> fill) { fills_.push_back(std::move(fill)); }

void PullService::sweep_fills() {
  std::erase_if(fills_, [this](const std::unique_ptr<PullFill>& f) {
    if (!f->finished()) return false;
    if (!f->refresh_key().empty()) refreshing_.erase(f->refresh_key());
    return true;
  });
}

http::ResponseSummary PullService::serve(const http::PullQuery& query, const http::RequestContext& context,
                                         http::ResponseSink& now_sink) {
  sweep_fills();
  const std::int64_t now = now_();
  const std::string_view server =
      context.responder != nullptr ? std::string_view(context.responder->settings().server_name) : "relais";
  ServeOptions options{server, context.date, query.head_only, query.close, 0, {}};
  auto refuse = [&](std::uint16_t status, freshness::Forward fwd, std::string_view detail) {
    options.status.fwd = fwd;
    options.status.detail = detail;
    ++stats_.errors;
    http::ResponseSummary s = send_pull_error(status, options, now_sink);
    s.site = context.site;
    s.pull = "pull-error";
    return s;
  };
  // A protocol that cannot answer later (both HTTP/1 and HTTP/2 can): a
  // clear 503 rather than a response that blocks its connection.
  if (context.stream == nullptr || context.pending == nullptr)
    return refuse(503, freshness::Forward::bypass, "pull-needs-a-stream");

  std::string primary = std::to_string(context.site);
  primary.push_back(' ');
  primary.append(query.key);
  OwnedFields request_fields = copy_fields(query.request);
  const std::vector<freshness::FieldView> views = request_fields.views();
  const freshness::CacheDirectives directives = request_directives(query.request);
  bool any_variant = false;
  PulledRef stored = table_.find(primary, views, &any_variant);
  // To the origin: the site's own, in order of preference, with a request we
  // build (origin_request.h). Each URL is its own Host (its authority).
  std::vector<upstream::OriginTarget> targets;
  targets.reserve(query.routing.origin_urls.size());
  for (const std::string& url : query.routing.origin_urls) targets.push_back({url, origin_authority(url)});
  upstream::OriginRequest request;
  request.path = std::string(query.origin_target);
  // The only client field that reaches the origin, reduced to the codings we
  // store, so that its spellings share one fetch and one variant.
  std::string coding = freshness::normalised_accept_encoding(views);
  std::replace(coding.begin(), coding.end(), ',', ' ');
  request.accept_encoding = coding;
  if (stored != nullptr) {
    const freshness::ResponseFacts* facts[] = {&stored->stored.facts};
    const freshness::ConditionalFields conditional = freshness::conditional_fields(facts);
    request.if_none_match = conditional.if_none_match;
    request.if_modified_since = conditional.if_modified_since;
  }
  std::string key = primary + '\n' + coding + '\n' + request.if_none_match + '\n' + request.if_modified_since;
  if (stored != nullptr) {
    const freshness::ReuseDecision reuse = freshness::decide_reuse(stored->stored, directives, now, settings_.reuse);
    switch (reuse.action) {
      case freshness::Reuse::fresh:
      case freshness::Reuse::stale_allowed:
      case freshness::Reuse::stale_while_revalidate: {
        // RFC 5861 §3: served stale, and refreshed once in the background (a
        // fill alone on the revalidation; one per key at a time).
        if (reuse.action == freshness::Reuse::stale_while_revalidate && !refreshing_.contains(key)) {
          auto fill = std::make_unique<PullFill>(*this, primary, request_fields, stored, now);
          const upstream::JoinResult filled = coalescer_.join(key, targets, request, *fill);
          if (filled.id != 0) {
            fill->set_refresh_key(key);
            refreshing_.insert(key);
            add_fill(std::move(fill));
          }
        }
        ++stats_.hit;
        options.age = reuse.age;
        options.status.ttl = reuse.ttl;
        const bool not_modified = stored->status == 200 &&
                                  freshness::client_not_modified(views, stored->stored.facts,
                                                                 stored->stored.times.response_time, now);
        http::ResponseSummary s = send_stored(*stored, options, not_modified, now_sink);
        s.site = context.site;
        s.pull = "pull-hit";
        return s;
      }
      case freshness::Reuse::gateway_timeout: return refuse(504, freshness::Forward::none, "only-if-cached");
      case freshness::Reuse::revalidate: break;
    }
  } else if (directives.only_if_cached) {
    return refuse(504, freshness::Forward::uri_miss, "only-if-cached");  // RFC 9111 §5.2.1.7
  }


  ExchangeRequest exchange_request{std::string(server), query.head_only, query.close, context.site, directives, now,
                                   stored != nullptr ? freshness::Forward::stale
                                   : any_variant     ? freshness::Forward::vary_miss
                                                     : freshness::Forward::uri_miss};
  auto exchange = std::make_unique<PullExchange>(*this, *context.stream, std::move(exchange_request), stored);
  upstream::JoinResult join = coalescer_.join(key, targets, request, *exchange);
  if (join.refusal == upstream::JoinRefusal::late) {
    // The fetch in flight already dropped its body's start: one of its own.
    key += '\n' + std::to_string(++solo_fetches_);
    join = coalescer_.join(key, targets, request, *exchange);
  }
  switch (join.refusal) {
    case upstream::JoinRefusal::none: break;
    case upstream::JoinRefusal::bad_request: return refuse(502, freshness::Forward::miss, "bad-origin-request");
    default: return refuse(503, freshness::Forward::miss, "too-many-fetches");
  }
  if (!join.collapsed) {
    auto fill = std::make_unique<PullFill>(*this, primary, std::move(request_fields), stored, now);
    const upstream::JoinResult filled = coalescer_.join(key, targets, request, *fill);
    if (filled.id != 0) add_fill(std::move(fill));
  }
  *context.pending = std::move(exchange);
  http::ResponseSummary deferred;
  deferred.deferred = true;
  deferred.site = context.site;
  deferred.site_name = context.site_name;
  return deferred;
}

}  // namespace relais::pull
