#include "edge/pull/pull_service.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "edge/cache/freshness/field_list.h"
#include "edge/cache/freshness/secondary_key.h"
#include "edge/cache/freshness/validation.h"
#include "edge/http/ascii_case.h"
#include "edge/pull/pull_compression.h"
#include "edge/pull/pull_exchange.h"
#include "edge/pull/pull_fill.h"
#include "edge/pull/pull_pass.h"
#include "edge/pull/pulled_range.h"
#include "edge/pull/pulled_disk.h"
#include "edge/pull/pulled_response.h"
#include "edge/pull/slice_stream.h"
#include "origin-sync/assert.h"

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

http::ResponseSummary deferred_summary(const http::RequestContext& context) {
  http::ResponseSummary deferred;
  deferred.deferred = true;
  deferred.site = context.site;
  deferred.site_name = context.site_name;
  return deferred;
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

PullService::PullService(event_base* base, PullSettings settings, Clock now, DateText date,
                         std::function<void()> compressed)
    : settings_(settings), now_(std::move(now)), date_(std::move(date)), client_(base, settings.origin),
      coalescer_(client_, settings.coalescer), table_(settings.memory_bytes), compressed_(std::move(compressed)) {
  if (!settings_.probe.enabled() || settings_.probe_origins.empty()) return;
  std::vector<upstream::OriginTarget> targets;
  for (const std::string& url : settings_.probe_origins) targets.push_back({url, origin_authority(url)});
  upstream::OriginSettings probe_origin = settings_.origin;
  probe_origin.max_connections_per_host = 1;
  probe_origin.max_idle_connections = static_cast<long>(targets.size());
  probe_client_ = std::make_unique<upstream::OriginClient>(base, probe_origin);
  std::random_device random;
  const std::uint64_t seed = (static_cast<std::uint64_t>(random()) << 32) ^ random();
  prober_ = std::make_unique<upstream::OriginProber>(
      *probe_client_, coalescer_.health(), settings_.probe, std::move(targets),
      [worker = settings_.worker](std::string_view line) {
        std::fprintf(stderr, "relais-edge: pull-through (worker %u): %.*s\n", worker, static_cast<int>(line.size()),
                     line.data());
      },
      seed);
}

void PullService::stop_probes() {
  if (prober_ != nullptr) prober_->stop();
}

PullService::~PullService() {
  compressor_.reset();  // its thread first: it finishes at most the job it runs
  // Fills leave the coalescer before it goes (it cancels what is left).
  fills_.clear();
}

bool PullService::keep(const std::string& primary, PulledRef object) {
  const bool in_table = table_.put(primary, object);  // (never a body left in its file)
  if (settings_.disk != nullptr) settings_.disk->store(disk_primary(primary), std::move(object));
  return in_table;
}

std::string miss_key(const std::string& primary, const upstream::OriginRequest& request) {
  // Clients whose negotiation fields differ never share a fetch: each may get another variant.
  std::string key = primary + '\n' + request.accept_encoding + '\n' + request.accept + '\n' + request.accept_language +
                    '\n' + request.if_none_match + '\n' + request.if_modified_since;
  for (const auto& [name, value] : request.vary_fields) key.append("\n").append(name).append(": ").append(value);
  return key;
}

void PullService::drop(const std::string& primary, const PulledObject& object) {
  table_.erase(primary, &object);
  if (settings_.disk != nullptr) settings_.disk->drop(disk_primary(primary), object.secondary);
}

std::string PullService::disk_primary(const std::string& primary) const {
  const std::size_t space = primary.find(' ');
  const std::size_t site = static_cast<std::size_t>(std::strtoul(primary.c_str(), nullptr, 10));
  RELAIS_ASSERT(space != std::string::npos && site < site_labels_.size());  // keys are made by serve()
  return site_labels_[site] + primary.substr(space);
}

void PullService::drop_sliced(const std::string& primary, const PulledObject& head) {
  const PulledRef stored = table_.peek(primary, head.secondary);
  if (stored != nullptr && stored->sliced() && stored->stored.facts.etag == head.stored.facts.etag)
    table_.erase(primary, stored.get());
  if (settings_.disk != nullptr) settings_.disk->drop(disk_primary(primary), head.secondary);
}

PulledRef PullService::find_slice(const std::string& key) {
  PulledRef slice = table_.find(key, {});
  if (slice != nullptr || settings_.disk == nullptr) return slice;
  // A slice larger than memory-object-max, or than this table could keep, is
  // left in its file: its readers take it a chunk at a time (slice_stream.h).
  const std::uint64_t file_min = std::min(settings_.file_min, settings_.memory_bytes);
  // Stored a moment ago and still on its way to the disk: the queue's copy,
  // for this turn of its reader only (slice_stream.h holds none across turns).
  if (PulledRef queued = settings_.disk->pending(disk_primary(key), "")) return queued;
  slice = settings_.disk->load(disk_primary(key), {}, file_min);
  if (slice != nullptr) {
    ++stats_.disk_hits;
    table_.put(key, slice);
  }
  return slice;
}

bool PullService::slice_stored(const std::string& key) {
  if (table_.peek(key, "") != nullptr) return true;
  return settings_.disk != nullptr && settings_.disk->contains(disk_primary(key), "");
}

void PullService::add_fill(std::unique_ptr<PullFill> fill) { fills_.push_back(std::move(fill)); }

void PullService::offer_compression(const std::string& primary, const PulledRef& object) {
  if (!compressed_ || object->coded != nullptr || object->file != nullptr) return;
  if (compression_verdict(*object, settings_.compress_max) != CompressVerdict::compress) return;
  if (compressor_ == nullptr) compressor_ = std::make_unique<VariantCompressor>(kCompressQueueMax, compressed_);
  if (!compressor_->submit({primary, object->secondary, object->body})) ++stats_.compress_skipped;
}

void PullService::collect_compressed() {
  if (compressor_ == nullptr) return;
  for (VariantCompressor::Done& done : compressor_->take()) {
    if (done.coded == nullptr) continue;
    // The same body still stored under its key (a 304 may have freshened the
    // object meanwhile: same body, new fields); else the variants are of a
    // response we no longer hold.
    const PulledRef current = table_.peek(done.primary, done.secondary);
    if (current == nullptr || current->body != done.body || current->coded != nullptr) continue;
    auto object = std::make_shared<PulledObject>(*current);
    object->coded = std::move(done.coded);
    // Its file is written again with the variants (pulled_record.h): a restart
    // or another worker's disk hit serves them without compressing again.
    if (!table_.put(done.primary, object)) continue;
    ++stats_.compressed;
    if (settings_.disk != nullptr) settings_.disk->store(disk_primary(done.primary), std::move(object));
  }
}

void PullService::sweep_fills() {
  std::erase_if(fills_, [this](const std::unique_ptr<PullFill>& f) {
    if (!f->finished()) return false;
    if (!f->refresh_key().empty()) refreshing_.erase(f->refresh_key());
    if (auto it = fetches_by_client_.find(f->client()); it != fetches_by_client_.end() && --it->second == 0)
      fetches_by_client_.erase(it);
    return true;
  });
}

http::ResponseSummary PullService::serve(const http::PullQuery& query, const http::RequestContext& context,
                                         http::ResponseSink& now_sink) {
  sweep_fills();
  const std::int64_t now = now_();
  const std::string_view server =
      context.responder != nullptr ? std::string_view(context.responder->settings().server_name) : "relais";
  const RangeAsk ranges =
      range_ask(query.request, context.responder != nullptr ? &context.responder->settings() : nullptr);
  ServeOptions options{server, context.date, query.head_only, query.close, 0, {}, &ranges};
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

  if (context.site >= site_labels_.size()) site_labels_.resize(context.site + 1);
  if (site_labels_[context.site].empty()) site_labels_[context.site] = disk_site_label(context.site_name);
  if (query.routing.passes(query.request.method) || query.credentialed) {
    return serve_pass(query, context,
                      [&](std::uint16_t status, std::string_view detail) { return refuse(status, freshness::Forward::method, detail); });
  }
  std::string primary = std::to_string(context.site);
  primary.push_back(' ');
  primary.append(query.key);
  OwnedFields request_fields = copy_fields(query.request);
  const std::vector<freshness::FieldView> views = request_fields.views();
  const freshness::CacheDirectives directives = request_directives(query.request);
  bool any_variant = false;
  PulledRef stored = table_.find(primary, views, &any_variant);
  // Whether `stored` may answer, decided once per copy: the checks below each
  // need it, and `stored` changes only when a disk copy replaces it.
  const PulledObject* decided_for = nullptr;
  freshness::ReuseDecision decided;
  auto reuse_of_stored = [&]() -> const freshness::ReuseDecision& {
    if (decided_for != stored.get()) {
      decided = freshness::decide_reuse(stored->stored, directives, now, settings_.reuse);
      decided_for = stored.get();
    }
    return decided;
  };
  // Each worker has a table of its own: a copy gone stale here may have been
  // revalidated by another worker, whose refresh went to the shared disk
  // tier. Then that one answers, not a conditional request of our own.
  if (stored != nullptr && settings_.disk != nullptr &&
      reuse_of_stored().action != freshness::Reuse::fresh &&
      settings_.disk->newer(disk_primary(primary), stored->secondary, stored->stored.times.response_time)) {
    stored = nullptr;
  }
  if (stored == nullptr && settings_.disk != nullptr) {
    // The disk tier (shared, survives a restart): what it holds is promoted
    // to this worker's table and then treated as if it had been there.
    stored = settings_.disk->load(disk_primary(primary), views, settings_.file_min);
    decided_for = nullptr;  // a new copy may reuse the old one's address
    if (stored != nullptr) {
      ++stats_.disk_hits;
      // Its coded variants come with it when they were written; else made
      // now. A large body stays in its file: not promoted, sent from the fd.
      if (table_.put(primary, stored)) offer_compression(primary, stored);
    }
  }
  // To the origin: the site's own, in order of preference, with a request we
  // build (origin_request.h). Each URL is its own Host (its authority).
  std::vector<upstream::OriginTarget> targets;
  targets.reserve(query.routing.origin_urls.size());
  for (const std::string& url : query.routing.origin_urls) targets.push_back({url, origin_authority(url)});
  // Every origin of the site is down (failed pull-origin-fails times, or
  // its probe): a stale copy the rules allow on error (RFC 9111 §4.2.4:
  // stale-if-error, pull-stale-grace) is served now, without a connection
  // attempt each that can only fail. Else the cache of a dead origin runs
  // at the pace of its refused connections (bench/pull, "killed"). The
  // origin is asked again once its down time passed or its probes pass.
  auto stale_for_down_origins = [&] {
    return reuse_of_stored().action == freshness::Reuse::revalidate && all_origins_down(targets) &&
           freshness::may_serve_stale_on_error(stored->stored, directives, now, settings_.reuse);
  };
  // The stored copy answers: counted, its Age, ttl and Cache-Status set; the
  // access log's tier returned.
  auto answer_from_stored = [&](const freshness::ReuseDecision& reuse, bool origin_down_stale) -> std::string_view {
    ++(origin_down_stale ? stats_.stale : stats_.hit);
    options.age = reuse.age;
    options.status.ttl = reuse.ttl;
    if (!origin_down_stale) return "pull-hit";
    options.status.fwd = freshness::Forward::stale;
    options.status.detail = "origin-down";
    return "pull-stale";
  };
  bool stale_head = false;  // a sliced head, not fresh: asked again as a cold key (fwd=stale)
  if (stored != nullptr && stored->sliced()) {
    // Freshness is the head's (pull_slices.h). A fresh one answers from its
    // slices; else the key is cold again: its first slice request carries
    // no validator and, the ETag unchanged, finds the slices stored.
    const freshness::ReuseDecision& reuse = reuse_of_stored();
    if (reuse.action == freshness::Reuse::gateway_timeout) return refuse(504, freshness::Forward::none, "only-if-cached");
    const bool origin_down_stale = stale_for_down_origins();  // its slices stored are served, no others
    if (reuse.action == freshness::Reuse::fresh || reuse.action == freshness::Reuse::stale_allowed || origin_down_stale) {
      const std::string_view tier = answer_from_stored(reuse, origin_down_stale);
      // RFC 9110 §13.2.2, as the published path evaluates it (412 or 304).
      const http::Precondition precondition = freshness::client_preconditions(
          query.request, stored->status, stored->stored.facts, stored->stored.times.response_time);
      if (precondition != http::Precondition::proceed) {
        http::ResponseSummary s = precondition == http::Precondition::failed ? send_pull_error(412, options, now_sink)
                                                                             : send_stored(*stored, options, true, now_sink);
        s.site = context.site;
        s.pull = tier;
        return s;
      }
      SliceJob job{stored, primary, std::move(targets), std::string(query.origin_target), ranges, std::string(server),
                   query.close, query.head_only, context.site, reuse.age, options.status, tier, {}, UINT64_MAX};
      auto stream = std::make_unique<SliceStream>(*this, *context.stream, std::move(job));
      stream->start();
      *context.pending = std::move(stream);
      return deferred_summary(context);
    }
    stored = nullptr;
    stale_head = true;
  }
  upstream::OriginRequest request;
  request.path = std::string(query.origin_target);
  // The only client field that reaches the origin, reduced to the codings we
  // store, so that its spellings share one fetch and one variant.
  std::string coding = freshness::normalised_accept_encoding(views);
  std::replace(coding.begin(), coding.end(), ',', ' ');
  request.accept_encoding = coding;
  for (std::size_t i = 0; i < query.request.header_count; ++i) {
    // One line each, and only a value fit for an origin request (else none:
    // the origin's default answer, never an error for the client).
    const http::HeaderField& f = query.request.headers[i];
    std::string* slot = http::equals_ignore_case(f.name, "accept")            ? &request.accept
                        : http::equals_ignore_case(f.name, "accept-language") ? &request.accept_language
                                                                              : nullptr;
    if (slot != nullptr && slot->empty() && upstream::is_safe_field_value(f.value)) *slot = std::string(f.value);
  }
  if (stored != nullptr) {
    // The other fields its Vary names, as this client sent them (one line).
    freshness::for_each_list_element(stored->stored.facts.vary, [&](std::string_view name) {
      if (!upstream::is_forwardable_vary_field(name) || request.vary_fields.size() >= 8) return;
      for (std::size_t i = 0; i < query.request.header_count; ++i) {
        const http::HeaderField& f = query.request.headers[i];
        if (!http::equals_ignore_case(f.name, name) || !upstream::is_safe_field_value(f.value)) continue;
        request.vary_fields.emplace_back(std::string(name), std::string(f.value));
        break;
      }
    });
    const freshness::ResponseFacts* facts[] = {&stored->stored.facts};
    const freshness::ConditionalFields conditional = freshness::conditional_fields(facts);
    request.if_none_match = conditional.if_none_match;
    request.if_modified_since = conditional.if_modified_since;
  }
  std::string key = miss_key(primary, request);
  if (stored != nullptr) {
    const freshness::ReuseDecision& reuse = reuse_of_stored();
    const bool origin_down_stale = stale_for_down_origins();
    switch (origin_down_stale ? freshness::Reuse::stale_allowed : reuse.action) {
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
        const std::string_view tier = answer_from_stored(reuse, origin_down_stale);
        const CodingChoice choice = choose_coding(*stored, query.request);
        if (!choice.acceptable) {
          // RFC 9110 §12.5.3: identity refused and no coding we hold accepted.
          http::ResponseSummary s = send_pull_error(406, options, now_sink);
          s.site = context.site;
          s.pull = tier;
          return s;
        }
        // A coded body is its own representation, with its own entity-tag.
        freshness::ResponseFacts coded_facts;
        const freshness::ResponseFacts* facts = &stored->stored.facts;
        if (choice.coded != nullptr) {
          coded_facts = *facts;
          coded_facts.etag = coded_etag(facts->etag, choice.coded->encoding);
          facts = &coded_facts;
          stats_.compress_saved_bytes += stored->body->bytes.size() - choice.coded->body->bytes.size();
        }
        options.coded = choice.coded;
        // RFC 9110 §13.2.2, as the published path evaluates it (412 or 304).
        const http::Precondition precondition = freshness::client_preconditions(
            query.request, stored->status, *facts, stored->stored.times.response_time);
        http::ResponseSummary s = precondition == http::Precondition::failed
                                      ? send_pull_error(412, options, now_sink)
                                      : send_stored(*stored, options, precondition == http::Precondition::not_modified,
                                                    now_sink);
        s.site = context.site;
        s.pull = tier;
        return s;
      }
      case freshness::Reuse::gateway_timeout: return refuse(504, freshness::Forward::none, "only-if-cached");
      case freshness::Reuse::revalidate: break;
    }
  } else if (directives.only_if_cached) {
    return refuse(504, freshness::Forward::uri_miss, "only-if-cached");  // RFC 9111 §5.2.1.7
  }


  ExchangeRequest exchange_request{std::string(server), query.head_only, query.close, context.site, directives, now,
                                   stored != nullptr || stale_head ? freshness::Forward::stale
                                   : any_variant     ? freshness::Forward::vary_miss
                                                     : freshness::Forward::uri_miss,
                                   ranges, nullptr, nullptr, ClientConditions(query.request)};
  MissFetch miss{primary, std::move(request_fields), std::move(targets), std::move(request), std::move(key), now, 0, {},
                 context.client};
  if (settings_.slice_size != 0 && ranges.wanted() && stored == nullptr) {
    // A Range on a cold key: the aligned slice holding its first byte, as
    // the identity (ranges of a coding are another representation's). The
    // answer says whether the object is sliced (pull_slices.h); the whole
    // miss is kept to ask again when it is not.
    auto first = std::make_unique<MissFetch>(miss);
    first->slice_index = first_byte_asked(ranges.range) / settings_.slice_size;
    first->slice_rules = {settings_.slice_size, settings_.slice_min, settings_.store, settings_.origin.max_body_bytes};
    first->request.accept_encoding.clear();
    first->request.range = slice_range_value(first->slice_index, settings_.slice_size);
    first->key = slice_key(primary, "", settings_.slice_size, first->slice_index);
    exchange_request.whole = std::make_unique<MissFetch>(std::move(miss));
    exchange_request.first_slice = std::move(first);
  }
  // The fetches one client started are bounded (pull-address-fetches); a
  // join to one in flight is free (pupils behind one NAT share cold keys).
  // Else slow URLs of one client's choosing fill the origin pool that every
  // other client's misses wait for (outside attack: 15 s for each).
  const std::string& join_key = exchange_request.first_slice != nullptr ? exchange_request.first_slice->key : miss.key;
  if (settings_.address_fetches != 0 && context.client != 0 && !coalescer_.in_flight(join_key)) {
    const auto started = fetches_by_client_.find(context.client);
    if (started != fetches_by_client_.end() && started->second >= settings_.address_fetches)
      return refuse(429, exchange_request.forward, "address-fetches");
  }
  auto exchange = std::make_unique<PullExchange>(*this, *context.stream, std::move(exchange_request), stored);
  // A revalidation may have to fetch again, without validators (§4.3.4).
  if (stored != nullptr) exchange->keep_plan(miss);
  MissFetch* first = exchange->first_slice();
  switch (join_miss(first != nullptr ? *first : miss, stored, *exchange)) {
    case upstream::JoinRefusal::none: break;
    case upstream::JoinRefusal::bad_request: return refuse(502, freshness::Forward::miss, "bad-origin-request");
    default: return refuse(503, freshness::Forward::miss, "too-many-fetches");
  }
  *context.pending = std::move(exchange);
  return deferred_summary(context);
}

bool PullService::all_origins_down(const std::vector<upstream::OriginTarget>& targets) const {
  const auto now = upstream::OriginHealth::Clock::now();
  return !targets.empty() && std::all_of(targets.begin(), targets.end(), [&](const upstream::OriginTarget& t) {
           return coalescer_.health().down(t.base_url, now);
         });
}

http::ResponseSummary PullService::serve_pass(const http::PullQuery& query, const http::RequestContext& context,
                                              const Refusal& refuse) {
  const http::ResponderSettings* rules = context.responder != nullptr ? &context.responder->settings() : nullptr;
  const std::string_view server = rules != nullptr ? std::string_view(rules->server_name) : "relais";
  // Passes in flight are bounded as fetches are (pull-max-keys): a flood of
  // POSTs costs the origin no more at once than a flood of cold URLs.
  if (passes_in_flight_ >= settings_.coalescer.max_keys) return refuse(503, "too-many-fetches");
  upstream::OriginRequest request;
  request.path = std::string(query.pass_target.empty() ? query.origin_target : query.pass_target);
  switch (query.request.method) {
    case http::Method::put: request.method = upstream::OriginMethod::put; break;
    case http::Method::patch: request.method = upstream::OriginMethod::patch; break;
    case http::Method::del: request.method = upstream::OriginMethod::del; break;
    case http::Method::options: request.method = upstream::OriginMethod::options; break;
    case http::Method::get:
      request.method = upstream::OriginMethod::get;
      request.credentialed = true;
      break;
    case http::Method::other:
      request.method = upstream::OriginMethod::extension;
      request.method_token = std::string(query.request.method_token);
      break;
    default: request.method = upstream::OriginMethod::post; break;
  }
  request.body = std::string(query.request.body);
  for (std::size_t i = 0; i < query.request.header_count; ++i) {
    const http::HeaderField& f = query.request.headers[i];
    if (http::equals_ignore_case(f.name, "content-type") && request.content_type.empty()) {
      request.content_type = std::string(f.value);
    } else if (http::equals_ignore_case(f.name, "authorization") && request.authorization.empty()) {
      request.authorization = std::string(f.value);
    } else if (request.method == upstream::OriginMethod::options && request.origin.empty() &&
               http::equals_ignore_case(f.name, "origin")) {
      request.origin = std::string(f.value);
    } else if (request.method == upstream::OriginMethod::options && request.access_control_request_method.empty() &&
               http::equals_ignore_case(f.name, "access-control-request-method")) {
      request.access_control_request_method = std::string(f.value);
    } else if (request.method == upstream::OriginMethod::options && request.access_control_request_headers.empty() &&
               http::equals_ignore_case(f.name, "access-control-request-headers")) {
      request.access_control_request_headers = std::string(f.value);
    } else if (http::equals_ignore_case(f.name, "cookie") && !f.value.empty()) {
      // RFC 9113 §8.2.3 crumbs, or several lines: one field for the origin
      // (an empty crumb adds no "; " of its own).
      if (!request.cookie.empty()) request.cookie.append("; ");
      request.cookie.append(f.value);
    }
  }
  std::vector<upstream::OriginTarget> targets;
  for (const std::string& url : query.routing.origin_urls) targets.push_back({url, origin_authority(url)});
  PassRequest pass{std::string(server), query.close, context.site, std::string(query.request.method_token),
                   std::string(query.key), std::string(query.request.host), context.tls,
                   rules != nullptr ? rules->query_keys : std::vector<std::string>{}, query.routing.whole_query,
                   query.credentialed ? freshness::Forward::bypass : freshness::Forward::method};
  auto exchange = std::make_unique<PullPass>(*this, *context.stream, std::move(pass), std::move(targets),
                                             std::move(request));
  if (const Status started = exchange->start(); !started.ok()) {
    // A value of the client's no origin request may carry (a 5 KB
    // Authorization): the client's fault, a 400, never a 5xx that alerts.
    if (started.error().source == ErrorSource::client) return refuse(400, "unfit-for-the-origin");
    return refuse(502, "bad-origin-request");
  }
  *context.pending = std::move(exchange);
  return deferred_summary(context);
}

void PullService::invalidate(std::uint16_t site, const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    const std::string primary = std::to_string(site) + ' ' + key;
    stats_.invalidated += table_.invalidate(primary);
    if (settings_.disk != nullptr) settings_.disk->invalidate(disk_primary(primary));
    if (settings_.invalidate_elsewhere) settings_.invalidate_elsewhere(site, key);
  }
}

upstream::JoinRefusal PullService::join_miss(MissFetch& fetch, const PulledRef& stale, upstream::FetchWaiter& waiter) {
  upstream::JoinResult join = coalescer_.join(fetch.key, fetch.targets, fetch.request, waiter);
  if (join.refusal == upstream::JoinRefusal::late) {
    // The fetch in flight already dropped its body's start: one of its own.
    fetch.key += '\n' + std::to_string(++solo_fetches_);
    join = coalescer_.join(fetch.key, fetch.targets, fetch.request, waiter);
  }
  if (join.refusal != upstream::JoinRefusal::none || join.collapsed) return join.refusal;
  auto fill = std::make_unique<PullFill>(*this, fetch.primary, fetch.request_fields, stale, fetch.now);
  fill->set_slice({fetch.slice_index, fetch.slice_rules, nullptr});
  const upstream::JoinResult filled = coalescer_.join(fetch.key, fetch.targets, fetch.request, *fill);
  if (filled.id != 0) {
    if (fetch.client != 0) {
      fill->set_client(fetch.client);
      ++fetches_by_client_[fetch.client];
    }
    add_fill(std::move(fill));
  }
  return upstream::JoinRefusal::none;
}

}  // namespace relais::pull
