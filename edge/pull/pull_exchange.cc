#include "edge/pull/pull_exchange.h"

#include "edge/cache/freshness/freshness.h"
#include "edge/cache/freshness/validation.h"
#include "edge/http/ascii_case.h"
#include "edge/pull/pull_service.h"
#include "edge/pull/pull_slices.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {
namespace {

bool has_no_body(int status) { return status < 200 || status == 204 || status == 304; }

// RFC 9110 §15.3.7: a 206 answers a Range request, and we never send one
// (a client's range of a cold key is cut from the whole fetch): its part
// would pass as the whole representation, to the client and the store.
bool unsolicited_partial(int status) { return status == 206; }

}  // namespace

http::Request ClientConditions::request() const {
  http::Request r;
  r.method = method;
  r.if_match = if_match;
  r.if_none_match = if_none_match;
  r.if_modified_since = if_modified_since;
  r.if_unmodified_since = if_unmodified_since;
  return r;
}

PullExchange::~PullExchange() {
  // A no-op once on_done came or it left; an answer that ended early (its
  // range sent) inside join(), before it knew its id, leaves here.
  if (id_ != 0) service_.coalescer().leave(id_);
}

void PullExchange::resume() {
  if (slices_ != nullptr) slices_->resume();
  else if (mode_ != Mode::done) service_.coalescer().resume(id_);
}

bool PullExchange::may_serve_stale() const {
  return stale_ != nullptr &&
         freshness::may_serve_stale_on_error(stale_->stored, request_.directives, service_.now(), service_.settings().reuse);
}

http::ResponseSummary PullExchange::serve_stored(const PulledObject& object, const freshness::CacheStatus& status) {
  const freshness::ReuseDecision reuse =
      freshness::decide_reuse(object.stored, request_.directives, service_.now(), service_.settings().reuse);
  ServeOptions options{request_.server, service_.date(), request_.head_only, request_.close, reuse.age, status,
                       &request_.ranges};
  options.status.ttl = reuse.ttl;
  WholeResponse sink(sink_);
  mode_ = Mode::discarding;
  // RFC 9110 §13.2.2: the client's conditionals, against what is served.
  const http::Precondition pre = precondition(object.status, object.stored.facts, object.stored.times.response_time);
  if (pre == http::Precondition::failed) return send_pull_error(412, options, sink);
  return send_stored(object, options, pre == http::Precondition::not_modified, sink);
}

http::Precondition PullExchange::precondition(int status, const freshness::ResponseFacts& facts,
                                              std::int64_t response_time) const {
  return freshness::client_preconditions(request_.conditions.request(), status, facts, response_time);
}

void PullExchange::end_early() {
  mode_ = Mode::done;
  summary_.site = request_.site;
  sink_.end(summary_, true);
  if (id_ != 0) service_.coalescer().leave(id_);  // allowed inside a waiter callback (coalescer.h)
}

void PullExchange::fetch_again() {
  // Nothing of the stored response is served (the fill drops it): the
  // client gets what a fetch without validators answers, once (a 304 to
  // that one is unsolicited: 502).
  const upstream::WaiterId old = id_;
  id_ = 0;
  collapsed_ = false;
  stale_ = nullptr;
  plan_.request.if_none_match.clear();
  plan_.request.if_modified_since.clear();
  plan_.key = miss_key(plan_.primary, plan_.request);
  request_.request_time = service_.now();
  plan_.now = request_.request_time;
  service_.coalescer().leave(old);
  const upstream::JoinRefusal refusal = service_.join_miss(plan_, nullptr, *this);
  if (refusal == upstream::JoinRefusal::none) return;
  freshness::CacheStatus status;
  status.fwd = request_.forward;
  status.detail = refusal == upstream::JoinRefusal::bad_request ? "bad-origin-request" : "too-many-fetches";
  answer_error(refusal == upstream::JoinRefusal::bad_request ? 502 : 503, status);
  end_early();  // no fetch will end it
}

void PullExchange::on_head(const upstream::OriginHead& head) {
  if (request_.first_slice != nullptr) {
    if (const std::optional<upstream::OriginHead> whole = whole_of(head)) {
      // The slice asked was the whole object: answered (and stored) as its 200.
      request_.first_slice.reset();
      request_.whole.reset();
      origin_status_ = head.status;
      forward(*whole);
      return;
    }
  }
  if (request_.first_slice != nullptr && (head.status == 206 || head.status == 416)) {
    (void)slice_or_ask_whole(head);
    return;
  }
  if (stale_ != nullptr) {
    freshness::CacheStatus status;
    status.fwd = freshness::Forward::stale;
    status.fwd_status = head.status;
    status.collapsed = collapsed_;
    // RFC 9111 §4.3.3: a 304 freshens the stored response, which is served;
    // an origin error serves it stale where allowed; anything else is new.
    if (head.status == 304) {
      const std::int64_t now = service_.now();
      const PulledRef fresh = freshen(*stale_, head, {request_.request_time, now}, now);
      if (fresh == nullptr) {
        // §4.3.4: its validators name another representation: it MUST NOT
        // update ours (the old body under the new ETag would splice resumed
        // downloads through If-Range). Or the merged response may not be
        // shared (private, no-store, Set-Cookie): this client's own, whole.
        fetch_again();
        return;
      }
      ++service_.stats().revalidated;
      summary_ = serve_stored(*fresh, status);
      summary_.pull = "pull-revalidated";
      return;
    }
    const bool origin_error = unsolicited_partial(head.status) || freshness::classify_validation_response(head.status) ==
                                                                      freshness::ValidationResult::origin_error;
    if (origin_error && may_serve_stale()) {
      ++service_.stats().stale;
      status.detail = "stale-on-error";
      summary_ = serve_stored(*stale_, status);
      summary_.pull = "pull-stale";
      return;
    }
  }
  if (head.status == 304 || unsolicited_partial(head.status)) {
    // We sent no validator (the stored response is the only source of
    // them), so this 304 answers nothing asked (RFC 9110 §15.4.5); nor a
    // Range, so this 206 neither: an origin fault, never passed on (as an
    // empty answer, or a part as the whole).
    freshness::CacheStatus status;
    status.fwd = request_.forward;
    status.fwd_status = head.status;
    status.detail = head.status == 304 ? "unsolicited-304" : "unsolicited-206";
    answer_error(502, status);
    return;
  }
  forward(head);
}

bool PullExchange::slice_or_ask_whole(const upstream::OriginHead& head) {
  const std::unique_ptr<MissFetch> first = std::move(request_.first_slice);
  const std::unique_ptr<MissFetch> whole = std::move(request_.whole);
  const std::int64_t now = service_.now();
  const std::optional<PulledObject> made =
      make_slice_head(head, first->slice_rules, {request_.request_time, now}, now);
  if (made && is_slice_of(head, *made, first->slice_index)) {
    freshness::CacheStatus status;
    status.fwd = request_.forward;
    status.fwd_status = head.status;
    status.collapsed = collapsed_;
    ++(collapsed_ ? service_.stats().coalesced : service_.stats().miss);
    const std::string_view outcome = collapsed_ ? "pull-coalesced" : "pull-miss";
    // RFC 9111 §4.2.3: the origin's Age counts, as on a whole miss.
    const std::int64_t age = freshness::current_age(made->stored.facts, {request_.request_time, now}, now);
    // RFC 9110 §13.2.2: the client's conditionals against the head, before
    // any byte (a resumed download with If-Match of an old tag must never get
    // a part of the new version); the fetch goes on for the store.
    const http::Precondition pre = precondition(made->status, made->stored.facts, now);
    if (pre != http::Precondition::proceed) {
      ServeOptions options{request_.server, service_.date(), request_.head_only, request_.close, age, status, nullptr};
      WholeResponse sink(sink_);
      summary_ = pre == http::Precondition::failed ? send_pull_error(412, options, sink)
                                                   : send_stored(*made, options, true, sink);
      summary_.pull = outcome;
      end_early();
      return true;
    }
    const upstream::WaiterId mine = id_;
    id_ = 0;
    SliceJob job{std::make_shared<const PulledObject>(*made), whole->primary, whole->targets, whole->request.path,
                 request_.ranges, request_.server, request_.close, request_.head_only, request_.site, age, status,
                 outcome, first->key, first->slice_index};
    slices_ = std::make_unique<SliceStream>(service_, sink_, std::move(job));
    mode_ = Mode::done;
    slices_->start();  // joins this fetch for its slice before this exchange leaves it
    service_.coalescer().leave(mine);
    return true;
  }
  // Not an object to slice (small, no strong ETag, a 416 of a short one):
  // the whole of it, as a miss without slices would have asked.
  const upstream::WaiterId mine = id_;
  id_ = 0;
  service_.coalescer().leave(mine);
  if (service_.join_miss(*whole, stale_, *this) != upstream::JoinRefusal::none) {
    freshness::CacheStatus status;
    status.fwd = request_.forward;
    status.detail = "too-many-fetches";
    answer_error(503, status);
    mode_ = Mode::done;
    summary_.site = request_.site;
    sink_.end(summary_, true);
  }
  return false;
}

void PullExchange::answer_error(std::uint16_t code, const freshness::CacheStatus& status) {
  ServeOptions options{request_.server, service_.date(), request_.head_only, request_.close, 0, status, nullptr};
  WholeResponse sink(sink_);
  ++service_.stats().errors;
  summary_ = send_pull_error(code, options, sink);
  summary_.pull = "pull-error";
  mode_ = Mode::discarding;
}

void PullExchange::forward(const upstream::OriginHead& head) {
  const std::int64_t now = service_.now();
  const freshness::ExchangeTimes times{request_.request_time, now};
  const StorePlan plan = plan_store(head, {}, times, now, service_.settings().object_max, service_.settings().store);
  const freshness::ResponseFacts& facts = plan.storable ? plan.object.stored.facts
                                                        : freshness::read_response_facts(head.status, field_views(head), now);
  std::string_view date = service_.date();
  for (const upstream::OriginField& f : head.fields) {
    if (http::equals_ignore_case(f.name, "date")) date = f.value;
  }
  std::vector<http::HeaderField> fields;
  forwarded_fields(head, fields);
  ServeOptions options{request_.server, service_.date(), request_.head_only, request_.close,
                       freshness::current_age(facts, times, now), {}, nullptr};
  options.status.fwd = request_.forward;
  options.status.fwd_status = origin_status_ != 0 ? origin_status_ : head.status;
  // RFC 9211 §2.5 "stored": the cache stored the response. This head leaves
  // before the body is whole, and a cut body is never stored: we cannot say
  // it yet (the next request's `hit` does).
  options.status.stored = false;
  options.status.collapsed = collapsed_;
  ++(collapsed_ ? service_.stats().coalesced : service_.stats().miss);
  const std::string_view outcome = collapsed_ ? "pull-coalesced" : "pull-miss";
  // RFC 9110 §13.2.2 on a cold key: the client's conditionals against the
  // origin's answer, as the stored response will answer them (the fetch goes
  // on for the store and the other waiters).
  const http::Precondition pre = precondition(head.status, facts, now);
  if (pre != http::Precondition::proceed) {
    WholeResponse whole(sink_);
    summary_ = pre == http::Precondition::failed ? send_pull_error(412, options, whole)
                                                 : send_not_modified(std::move(fields), date, options, whole);
    summary_.pull = outcome;
    end_early();
    return;
  }
  const bool body = !request_.head_only && !has_no_body(head.status);
  // The whole body is fetched (and stored) whatever the client's Range; the
  // client gets its range of it (pulled_range.h).
  const ColdRange range = body ? cold_range(request_.ranges, head.status, facts) : ColdRange{};
  if (range.kind == ColdRange::Kind::unsatisfiable) {
    keep_for_unsatisfiable(fields);
    WholeResponse whole(sink_);
    mode_ = Mode::discarding;
    summary_ = send_unsatisfiable(fields, date, static_cast<std::uint64_t>(*facts.content_length), options, whole);
    summary_.pull = outcome;
    return;
  }
  const bool one = range.kind == ColdRange::Kind::one;
  if (one) std::erase_if(fields, [](const http::HeaderField& f) { return http::equals_ignore_case(f.name, "content-range"); });
  const auto status = static_cast<std::uint16_t>(one ? 206 : head.status);
  http::Response r(status, request_.server, date, request_.close);
  r.forwarded = fields;
  char cache_status[freshness::kMaxCacheStatusBytes];
  add_cache_fields(r, options, cache_status);
  if (body) {
    r.body.kind = http::ResponseBody::Kind::stream;
    r.body.length_known = facts.content_length.has_value();
    r.body.size = facts.content_length ? static_cast<std::uint64_t>(*facts.content_length) : 0;
    if (one) {
      r.add_content_range(&range.range, r.body.size);
      r.body.size = range.range.length();
      cut_ = RangeCut(range.range);
    }
  } else if (request_.head_only && facts.content_length) {
    r.add(http::field::content_length, static_cast<std::uint64_t>(*facts.content_length));
  }
  summary_ = http::ResponseSummary{status, 0, request_.close, false, false, false};
  summary_.pull = outcome;
  mode_ = body ? Mode::streaming : Mode::discarding;
  sink_.head(r);
}

std::size_t PullExchange::on_body(std::string_view chunk) {
  if (mode_ != Mode::streaming) return chunk.size();
  const std::size_t used = cut_.feed(chunk, sink_, summary_.body_bytes);
  if (!cut_.complete()) return used;
  // Its range is sent: the client's answer ends now, not with the fetch
  // (the store and the other waiters go on; the last one leaving cancels it).
  mode_ = Mode::done;
  summary_.site = request_.site;
  sink_.end(summary_, true);
  if (id_ != 0) service_.coalescer().leave(id_);
  return chunk.size();
}

void PullExchange::on_done(const upstream::FetchOutcome& outcome) {
  if (mode_ == Mode::done) return;  // its range was sent before the fetch ended
  const Mode before = mode_;
  if (before == Mode::waiting) {
    // No head came: the origin is down, slow or broken.
    if (may_serve_stale()) {
      freshness::CacheStatus status;
      status.fwd = freshness::Forward::stale;
      status.detail = "stale-on-error";
      ++service_.stats().stale;
      summary_ = serve_stored(*stale_, status);
      summary_.pull = "pull-stale";
    } else {
      const bool timeout = outcome.failure == upstream::FetchFailure::connect_timeout ||
                           outcome.failure == upstream::FetchFailure::first_byte_timeout ||
                           outcome.failure == upstream::FetchFailure::between_bytes_timeout ||
                           outcome.failure == upstream::FetchFailure::too_slow;
      freshness::CacheStatus status;
      status.fwd = request_.forward;
      status.detail = upstream::fetch_failure_name(outcome.failure);
      answer_error(timeout ? 504 : 502, status);
    }
  }
  mode_ = Mode::done;
  summary_.site = request_.site;
  sink_.end(summary_, outcome.ok() || before != Mode::streaming);
}

}  // namespace relais::pull
