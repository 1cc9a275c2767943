#include "edge/upstream/failover_fetch.h"

#include "origin-sync/assert.h"

namespace relais::upstream {

bool is_failover_failure(FetchFailure failure) {
  switch (failure) {
    case FetchFailure::connect:
    case FetchFailure::connect_timeout:
    case FetchFailure::first_byte_timeout:
    case FetchFailure::between_bytes_timeout:
    case FetchFailure::too_slow:
    case FetchFailure::dropped:
    case FetchFailure::bad_response:
    case FetchFailure::head_too_large: return true;
    // Ours, or the object's: another origin would fail the same way.
    case FetchFailure::none:
    case FetchFailure::body_too_large:
    case FetchFailure::internal:
    case FetchFailure::lagged: return false;
  }
  return false;
}

bool is_unsent_failure(FetchFailure failure) {
  return failure == FetchFailure::connect || failure == FetchFailure::connect_timeout;
}

// A gateway's or an overloaded server's answer: another origin may be well.
// 500 and the rest are the application's answer for this path.
bool is_failover_status(int status) { return status == 502 || status == 503 || status == 504; }

FailoverFetch::FailoverFetch(OriginClient& client, OriginHealth& health, std::vector<OriginTarget> origins,
                             OriginRequest request, FetchHandler& handler)
    : client_(client), health_(health), origins_(std::move(origins)), request_(std::move(request)), handler_(handler) {
  RELAIS_ASSERT(!origins_.empty() && origins_.size() <= kMaxOrigins);
  urls_.reserve(origins_.size());
  for (const OriginTarget& o : origins_) urls_.push_back(o.base_url);
}

FailoverFetch::~FailoverFetch() { cancel(); }

Status FailoverFetch::start() {
  const std::optional<std::size_t> first = health_.next(urls_, 0, OriginHealth::Clock::now());
  RELAIS_ASSERT(first.has_value());  // a fetch that tried nothing always gets one
  return attempt(*first);
}

Status FailoverFetch::attempt(std::size_t index) {
  current_ = index;
  tried_ |= OriginHealth::TriedSet{1} << index;
  ++attempts_;
  Result<FetchId> id = client_.start(origins_[index], request_, *this);
  if (!id) return id.error();
  fetch_ = *id;
  fetching_ = true;
  return {};
}

bool FailoverFetch::fail_over() {
  const std::optional<std::size_t> next = health_.next(urls_, tried_, OriginHealth::Clock::now());
  if (!next || !attempt(*next).ok()) return false;
  ++health_.stats().failovers;
  return true;
}

void FailoverFetch::resume() {
  if (fetching_) client_.resume(fetch_);
}

void FailoverFetch::cancel() {
  if (!fetching_) return;
  fetching_ = false;
  client_.cancel(fetch_);
}

void FailoverFetch::on_head(OriginHead head) {
  if (is_failover_status(head.status)) {
    health_.failed(current_url(), OriginHealth::Clock::now());
    const FetchId unread = fetch_;
    // A pass was received by that origin (it answered): sent again, a form
    // would be posted twice. Its 502/503/504 is the client's answer.
    if (!is_pass_method(request_.method) && fail_over()) {
      client_.cancel(unread);  // its body is not wanted: the connection is not reused
      return;
    }
  } else {
    health_.succeeded(current_url());
  }
  head_passed_ = true;
  handler_.on_head(std::move(head));  // last: the handler may destroy us
}

std::size_t FailoverFetch::on_body(std::string_view chunk) { return handler_.on_body(chunk); }

void FailoverFetch::on_done(const FetchOutcome& outcome) {
  fetching_ = false;
  // A pass (POST, PUT, PATCH, DELETE: not idempotent, or not known to be)
  // moves on only when no byte of it can have left: the connection itself
  // failed. After that the origin may have acted on it.
  const bool may_retry = is_pass_method(request_.method) ? is_unsent_failure(outcome.failure)
                                                         : is_failover_failure(outcome.failure);
  if (!head_passed_ && may_retry) {
    health_.failed(current_url(), OriginHealth::Clock::now());
    if (fail_over()) return;
  }
  handler_.on_done(outcome);  // last: the handler may destroy us
}

}  // namespace relais::upstream
