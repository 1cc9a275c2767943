#include "edge/upstream/coalescer.h"

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "origin-sync/assert.h"

namespace relais::upstream {

struct Coalescer::Entry final : FetchHandler, std::enable_shared_from_this<Entry> {
  struct Member {
    FetchWaiter* waiter = nullptr;
    std::uint64_t offset = 0;  // absolute body offset this waiter has taken up to
  };

  Coalescer* owner = nullptr;
  std::string key;
  std::unique_ptr<FailoverFetch> fetch;  // the chain of origins; kept after it ended (inactive)
  std::optional<OriginHead> head;
  std::string window;             // body bytes [window_start, window_start + size)
  std::uint64_t window_start = 0;
  bool origin_blocked = false;    // we took less than offered: the client holds the rest
  bool in_origin_body = false;    // inside on_body: the origin client must not be resumed now
  std::optional<FetchOutcome> outcome;
  std::map<WaiterId, Member> members;

  std::uint64_t end() const { return window_start + window.size(); }

  // Drops the body prefix every member has taken, only when room is needed
  // (a kept prefix lets late requests join).
  void trim() {
    std::uint64_t slowest = end();
    for (const auto& [id, m] : members) slowest = std::min(slowest, m.offset);
    window.erase(0, static_cast<std::size_t>(slowest - window_start));
    window_start = slowest;
  }

  void on_head(OriginHead h) override {
    const auto self = shared_from_this();
    head = std::move(h);
    for (WaiterId id : member_ids()) {
      auto it = members.find(id);
      if (it != members.end()) it->second.waiter->on_head(*head);
    }
  }

  std::size_t on_body(std::string_view chunk) override {
    const auto self = shared_from_this();
    const std::size_t max = owner->settings_.max_window_bytes;
    std::size_t taken = 0;
    in_origin_body = true;
    while (taken < chunk.size() && !members.empty()) {
      if (window.size() + (chunk.size() - taken) > max) trim();
      const std::size_t fit = std::min(max - window.size(), chunk.size() - taken);
      if (fit == 0) break;  // the slowest member has not moved: hold the origin back
      window.append(chunk.substr(taken, fit));
      taken += fit;
      deliver_all();  // a member may move (or leave) and make room for the rest
    }
    in_origin_body = false;
    origin_blocked = taken < chunk.size();
    return members.empty() ? chunk.size() : taken;  // nobody left: the fetch is being cancelled
  }

  bool fetching() const { return fetch != nullptr && fetch->active(); }

  void on_done(const FetchOutcome& o) override {
    const auto self = shared_from_this();
    outcome = o;
    owner->forget_key(*this);
    deliver_all();
  }

  std::vector<WaiterId> member_ids() const {
    std::vector<WaiterId> ids;
    ids.reserve(members.size());
    for (const auto& [id, m] : members) ids.push_back(id);
    return ids;
  }

  void deliver_all() {
    for (WaiterId id : member_ids()) deliver(id);
  }

  // Offers a member what it has not taken; ends it when the fetch is over
  // and it has everything (or the fetch failed: the rest will never come).
  void deliver(WaiterId id) {
    auto it = members.find(id);
    if (it == members.end() || (!head && !outcome)) return;
    while (head && it != members.end() && it->second.offset < end() && (!outcome || outcome->ok())) {
      Member& m = it->second;
      const std::string_view available = std::string_view(window).substr(static_cast<std::size_t>(m.offset - window_start));
      const std::size_t took = m.waiter->on_body(available);
      RELAIS_ASSERT(took <= available.size());
      it = members.find(id);  // the callback may have left
      if (it == members.end()) return;
      it->second.offset += took;
      if (took < available.size()) return;  // full: resume() brings it back
    }
    if (it == members.end() || !outcome) return;
    FetchWaiter* waiter = it->second.waiter;
    members.erase(it);
    owner->waiters_.erase(id);  // may drop the last reference but self: callers hold one
    waiter->on_done(*outcome);
  }
};

Coalescer::Coalescer(OriginClient& client, CoalescerSettings settings)
    : settings_(settings), client_(client), health_(settings.health) {
  RELAIS_ASSERT(settings_.max_window_bytes > 0);
}

Coalescer::~Coalescer() {
  // Every chain goes now, while the client and the health table it uses
  // are still there (an entry may outlive us in a waiter's callback frame).
  for (auto& [key, entry] : by_key_) entry->fetch.reset();
  for (auto& [id, entry] : waiters_) entry->fetch.reset();
}

void Coalescer::forget_key(Entry& entry) {
  auto it = by_key_.find(entry.key);
  if (it != by_key_.end() && it->second.get() == &entry) by_key_.erase(it);
}

JoinResult Coalescer::join(const std::string& key, std::span<const OriginTarget> origins,
                           const OriginRequest& request, FetchWaiter& waiter) {
  JoinResult result;
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    const std::shared_ptr<Entry> entry = it->second;
    if (entry->window_start > 0) return {0, false, JoinRefusal::late};
    if (entry->members.size() >= settings_.max_waiters_per_key) return {0, false, JoinRefusal::too_many_waiters};
    result.id = next_waiter_++;
    result.collapsed = true;
    entry->members[result.id] = {&waiter, 0};
    waiters_[result.id] = entry;
    if (entry->head) {
      waiter.on_head(*entry->head);
      entry->deliver(result.id);
    }
    return result;
  }
  if (by_key_.size() >= settings_.max_keys) return {0, false, JoinRefusal::too_many_keys};
  if (origins.empty() || origins.size() > kMaxOrigins) return {0, false, JoinRefusal::bad_request};
  auto entry = std::make_shared<Entry>();
  entry->owner = this;
  entry->key = key;
  entry->fetch = std::make_unique<FailoverFetch>(client_, health_, std::vector<OriginTarget>(origins.begin(), origins.end()),
                                                 request, *entry);
  if (!entry->fetch->start()) return {0, false, JoinRefusal::bad_request};
  result.id = next_waiter_++;
  entry->members[result.id] = {&waiter, 0};
  waiters_[result.id] = entry;
  by_key_[key] = std::move(entry);
  return result;
}

void Coalescer::resume(WaiterId id) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  const std::shared_ptr<Entry> entry = it->second;
  entry->deliver(id);
  resume_origin(*entry);
}

void Coalescer::resume_origin(Entry& entry) {
  // Room may have opened for the bytes the origin client holds for us. Inside
  // on_body the entry's own loop takes them instead.
  if (entry.fetching() && entry.origin_blocked && !entry.in_origin_body) {
    entry.origin_blocked = false;
    entry.fetch->resume();
  }
}

void Coalescer::leave(WaiterId id) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  const std::shared_ptr<Entry> entry = it->second;
  waiters_.erase(it);
  entry->members.erase(id);
  if (!entry->members.empty()) {
    resume_origin(*entry);  // the one that left may have been the slowest
    return;
  }
  if (entry->fetching()) entry->fetch->cancel();
  forget_key(*entry);
}

}  // namespace relais::upstream
