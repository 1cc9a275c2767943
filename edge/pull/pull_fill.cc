#include "edge/pull/pull_fill.h"

#include "edge/cache/freshness/validation.h"
#include "edge/pull/pull_service.h"

namespace relais::pull {

PullFill::~PullFill() {
  if (!finished_ && id_ != 0) service_.coalescer().leave(id_);
}

void PullFill::give_up() {
  finished_ = true;
  collecting_ = false;
  body_.reset();  // readers still holding it keep it alive
  service_.coalescer().leave(id_);  // allowed inside a waiter callback (coalescer.h)
}

void PullFill::on_head(const upstream::OriginHead& head) {
  if (slice_.rules.size != 0 && slice_.head == nullptr) {
    if (const std::optional<upstream::OriginHead> whole = whole_of(head)) {
      slice_ = {};  // the slice asked was the whole object: stored as its 200 would be
      on_head(*whole);
      return;
    }
  }
  const std::int64_t now = service_.now();
  const freshness::ExchangeTimes times{request_time_, now};
  if (stale_ != nullptr) {
    // RFC 9111 §4.3.3: a 304 freshens what we hold; an origin error keeps it
    // (served stale where allowed); anything else is a new response, below.
    if (head.status == 304) {
      if (PulledRef fresh = freshen(*stale_, head, times, now)) {
        service_.keep(primary_, std::move(fresh));
      } else {
        // §4.3.4: the 304 names another representation: ours is dropped,
        // never freshened (a waiting client fetches the full response
        // again, pull_exchange.h; after a background refresh the next
        // request is a miss).
        service_.drop(primary_, *stale_);
      }
      give_up();
      return;
    }
    if (freshness::classify_validation_response(head.status) == freshness::ValidationResult::origin_error) {
      give_up();
      return;
    }
  }
  // A slice's answer: a 206 (or anything once the head is known: a 200 to
  // If-Range means the object changed); a 416 is of the range asked, never
  // stored. A cold key's 200 (the origin ignores Range) is stored whole below.
  if (slice_.rules.size != 0 && (head.status == 206 || head.status == 416 || slice_.head != nullptr)) {
    slice_head(head, now);
    return;
  }
  StorePlan plan = plan_store(head, request_.views(), times, now, service_.settings().object_max,
                              service_.settings().store);
  if (!plan.storable) {
    give_up();
    return;
  }
  object_ = std::move(plan.object);
  collect(service_.settings().object_max);
}

void PullFill::slice_head(const upstream::OriginHead& head, std::int64_t now) {
  PulledRef owner = slice_.head;
  if (owner == nullptr) {
    std::optional<PulledObject> made = make_slice_head(head, slice_.rules, {request_time_, now}, now);
    if (made) owner = made_head_ = std::make_shared<const PulledObject>(std::move(*made));
  }
  // A later slice is held to the first one's rules (judge_slice): one the
  // origin says not to keep is never stored.
  SliceFate fate = SliceFate::failed;
  if (slice_.head != nullptr)
    fate = judge_slice(head, *slice_.head, slice_.index, service_.settings().store, {request_time_, now}, now);
  else if (owner != nullptr && is_slice_of(head, *owner, slice_.index))
    fate = SliceFate::store;
  if (fate != SliceFate::store) {
    // Another version answered, or the object is gone: the head we hold is of an object gone.
    if (fate == SliceFate::foreign) service_.drop_sliced(primary_, *slice_.head);
    give_up();
    return;
  }
  // The head goes in at once, before any other slice's answer can come (the
  // client's stream asks for them from now on): an answer saying the object
  // changed then finds it to drop. Its slices come as their fetches end.
  if (made_head_ != nullptr) service_.keep(primary_, made_head_);
  const std::uint64_t length = slice_bounds(slice_.index, owner->slice_size, owner->length).length();
  slice_key_ = slice_key(primary_, owner->stored.facts.etag, owner->slice_size, slice_.index);
  object_ = PulledObject{};
  object_.status = 206;
  object_.stored.facts.content_length = static_cast<std::int64_t>(length);
  collect(length);
}

void PullFill::collect(std::uint64_t limit) {
  limit_ = limit;
  collecting_ = true;
  body_ = std::make_shared<MemoryObject>();
  // A known length (at most the limit: plan_store) is the final size: no
  // copy while it grows.
  if (const auto& length = object_.stored.facts.content_length) body_->bytes.reserve(static_cast<std::size_t>(*length));
  (void)service_.coalescer().keep(id_, upstream::KeptBody(body_, &body_->bytes));
}

std::size_t PullFill::on_body(std::string_view chunk) {
  if (!collecting_) return chunk.size();
  if (body_->bytes.size() + chunk.size() > limit_) {
    give_up();
    return chunk.size();
  }
  body_->bytes.append(chunk);
  return chunk.size();
}

void PullFill::on_done(const upstream::FetchOutcome& outcome) {
  finished_ = true;
  if (!collecting_ || !outcome.ok()) return;
  const auto& length = object_.stored.facts.content_length;
  if (length && static_cast<std::uint64_t>(*length) != body_->bytes.size()) return;  // cut short: never stored
  // Grown without a known length: give back the slack the table would not count.
  if (body_->bytes.capacity() > body_->bytes.size() + body_->bytes.size() / 4) body_->bytes.shrink_to_fit();
  object_.body = std::move(body_);
  PulledRef stored = std::make_shared<const PulledObject>(std::move(object_));
  if (!slice_key_.empty()) {
    // In RAM and on disk, as a whole object is: a head may outlive its slices
    // there (evicted apart), a missing one is then fetched again and checked.
    service_.keep(slice_key_, std::move(stored));
    return;
  }
  if (service_.keep(primary_, stored)) service_.offer_compression(primary_, stored);
}

}  // namespace relais::pull
