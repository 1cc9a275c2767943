#include "edge/upstream/coalescer.h"

#include <event2/event.h>

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include "origin-sync/assert.h"

namespace relais::upstream {

struct Coalescer::Entry final : FetchHandler, std::enable_shared_from_this<Entry> {
  struct Member {
    FetchWaiter* waiter = nullptr;
    std::uint64_t offset = 0;  // absolute body offset this waiter has taken up to
    bool full = false;         // took less than offered: skipped until resume()
  };
  struct EventDeleter {
    void operator()(event* e) const { event_free(e); }
  };

  Coalescer* owner = nullptr;
  std::string key;
  std::unique_ptr<FailoverFetch> fetch;  // the chain of origins; kept after it ended (inactive)
  std::optional<OriginHead> head;
  std::uint64_t received = 0;     // body bytes taken from the origin
  KeptBody kept;                  // set: the body [0, received) lives there, no window
  WaiterId keeper = 0;
  std::string window;             // not kept: body bytes [window_start, received)
  std::uint64_t window_start = 0;
  bool origin_blocked = false;    // we took less than offered: the client holds the rest
  bool in_origin_body = false;    // inside on_body: the origin client must not be resumed now
  std::optional<FetchOutcome> outcome;
  std::map<WaiterId, Member> members;
  std::unique_ptr<event, EventDeleter> lag_timer;
  std::uint64_t lag_mark = 0;     // window_start when the lag timer was armed

  std::uint64_t start() const { return kept ? 0 : window_start; }

  // The bytes from `offset` on that have arrived (offset >= start()).
  std::string_view available(std::uint64_t offset) const {
    const std::string_view all = kept ? std::string_view(*kept).substr(0, static_cast<std::size_t>(received))
                                      : std::string_view(window);
    return all.substr(static_cast<std::size_t>(offset - start()));
  }

  // Drops the body prefix every member has taken, only when room is needed
  // (a kept prefix lets late requests join).
  void trim() {
    std::uint64_t slowest = received;
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
    in_origin_body = true;
    std::size_t taken = kept ? take_kept(chunk) : 0;
    if (!kept) taken += take_window(chunk.substr(taken));
    in_origin_body = false;
    origin_blocked = taken < chunk.size();
    if (origin_blocked) arm_lag_timer();
    return members.empty() ? chunk.size() : taken;  // nobody left: the fetch is being cancelled
  }

  // Kept: the keeper appends the chunk, everyone else reads it from there.
  // Returns 0 when the keeper gave up inside (the chunk goes to the window).
  std::size_t take_kept(std::string_view chunk) {
    auto k = members.find(keeper);
    RELAIS_ASSERT(k != members.end());
    const std::size_t took = k->second.waiter->on_body(chunk);
    if (!kept) return 0;  // the keeper left inside: back to the window
    RELAIS_ASSERT(took == chunk.size() && kept->size() == received + chunk.size());
    received += chunk.size();
    members[keeper].offset = received;
    deliver_all();
    return chunk.size();
  }

  std::size_t take_window(std::string_view chunk) {
    const std::size_t max = owner->settings_.max_window_bytes;
    std::size_t taken = 0;
    while (taken < chunk.size() && !members.empty()) {
      if (window.size() + (chunk.size() - taken) > max) trim();
      const std::size_t fit = std::min(max - std::min(max, window.size()), chunk.size() - taken);
      if (fit == 0) break;  // the slowest member has not moved: hold the origin back
      window.append(chunk.substr(taken, fit));
      received += fit;
      taken += fit;
      deliver_all();  // a member may move (or leave) and make room for the rest
    }
    return taken;
  }

  // The keeper left (it gave up storing): the last max_window_bytes become
  // the window; a member behind them can never get its bytes.
  void unkeep() {
    const KeptBody body = std::move(kept);
    keeper = 0;
    const std::uint64_t max = owner->settings_.max_window_bytes;
    std::uint64_t slowest = received;
    for (const auto& [id, m] : members) slowest = std::min(slowest, m.offset);
    window_start = std::max(slowest, received > max ? received - max : 0);
    window.assign(std::string_view(*body).substr(static_cast<std::size_t>(window_start),
                                                 static_cast<std::size_t>(received - window_start)));
    std::vector<WaiterId> behind;
    for (const auto& [id, m] : members)
      if (m.offset < window_start) behind.push_back(id);
    for (WaiterId id : behind) cut(id);
  }

  void arm_lag_timer() {
    const std::chrono::milliseconds timeout = owner->settings_.lag_timeout;
    if (timeout.count() <= 0 || members.size() < 2) return;
    if (!lag_timer) {
      lag_timer.reset(evtimer_new(owner->client_.base(), &Entry::lag_timer_fired, this));
      RELAIS_ASSERT(lag_timer != nullptr);
    }
    if (evtimer_pending(lag_timer.get(), nullptr)) return;
    lag_mark = window_start;
    const timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    evtimer_add(lag_timer.get(), &tv);
  }

  static void lag_timer_fired(evutil_socket_t, short, void* arg) { static_cast<Entry*>(arg)->check_lag(); }

  // The window is held by the waiters at its start: if it did not move by a
  // whole window since the timer was armed while another waiter waits for
  // bytes (caught up with the origin), they are cut and the fetch goes on.
  void check_lag() {
    const auto self = shared_from_this();
    if (kept || outcome || !origin_blocked) return;  // not held now: armed again at the next block
    const bool slow = window_start - lag_mark < owner->settings_.max_window_bytes;
    const bool someone_waits = std::any_of(members.begin(), members.end(),
                                           [&](const auto& m) { return m.second.offset == received; });
    if (slow && someone_waits) {
      std::vector<WaiterId> holders;
      for (const auto& [id, m] : members)
        if (m.offset == window_start) holders.push_back(id);
      for (WaiterId id : holders) cut(id);
      if (members.empty()) return;  // cut() of the last one cancelled the fetch
      trim();
      owner->resume_origin(*this);
      return;
    }
    arm_lag_timer();
  }

  // Ends a member that lags: its response is truncated (the client's
  // connection or stream ends), the others go on.
  void cut(WaiterId id) {
    auto it = members.find(id);
    if (it == members.end()) return;
    FetchWaiter* waiter = it->second.waiter;
    members.erase(it);
    owner->waiters_.erase(id);
    ++owner->lagged_cut_;
    waiter->on_done(FetchOutcome{FetchFailure::lagged, "fell a whole window behind the other waiters"});
    if (members.empty()) cancel_fetch();
  }

  void cancel_fetch() {
    if (fetching()) fetch->cancel();
    owner->forget_key(*this);
  }

  bool fetching() const { return fetch != nullptr && fetch->active(); }

  void on_done(const FetchOutcome& o) override {
    const auto self = shared_from_this();
    outcome = o;
    lag_timer.reset();
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
    for (WaiterId id : member_ids()) {
      auto it = members.find(id);
      if (it != members.end() && (!it->second.full || outcome)) deliver(id);
    }
  }

  // Offers a member what it has not taken, kMaxOffer at a time; ends it when
  // the fetch is over and it has everything (or the fetch failed: the rest
  // will never come).
  void deliver(WaiterId id) {
    auto it = members.find(id);
    if (it == members.end() || (!head && !outcome)) return;
    it->second.full = false;
    while (head && it != members.end() && it->second.offset < received && (!outcome || outcome->ok())) {
      Member& m = it->second;
      const std::string_view offered = available(m.offset).substr(0, kMaxOffer);
      const std::size_t took = m.waiter->on_body(offered);
      RELAIS_ASSERT(took <= offered.size());
      it = members.find(id);  // the callback may have left
      if (it == members.end()) return;
      it->second.offset += took;
      if (took < offered.size()) {
        it->second.full = true;  // resume() brings it back
        return;
      }
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

std::uint64_t Coalescer::held_bytes() const {
  std::unordered_set<const Entry*> seen;
  std::uint64_t n = 0;
  auto count = [&](const Entry* e) {
    if (seen.insert(e).second) n += e->kept ? e->kept->size() : e->window.size();
  };
  for (const auto& [key, entry] : by_key_) count(entry.get());
  for (const auto& [id, entry] : waiters_) count(entry.get());
  return n;
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
    if (entry->start() > 0) return {0, false, JoinRefusal::late};
    if (entry->members.size() >= settings_.max_waiters_per_key) return {0, false, JoinRefusal::too_many_waiters};
    result.id = next_waiter_++;
    result.collapsed = true;
    entry->members[result.id] = {&waiter, 0, false};
    waiters_[result.id] = entry;
    waiter.on_joined(result.id, true);
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
  entry->members[result.id] = {&waiter, 0, false};
  waiters_[result.id] = entry;
  by_key_[key] = std::move(entry);
  waiter.on_joined(result.id, false);
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
  if (entry->kept && id == entry->keeper) entry->unkeep();  // also when it was the last: on_body checks kept
  if (entry->members.empty()) {
    entry->cancel_fetch();
    return;
  }
  resume_origin(*entry);  // the one that left may have been the slowest
}

bool Coalescer::keep(WaiterId keeper, KeptBody body) {
  auto it = waiters_.find(keeper);
  if (it == waiters_.end() || body == nullptr) return false;
  Entry& entry = *it->second;
  if (entry.kept || entry.received > 0 || entry.outcome || !body->empty()) return false;
  entry.kept = std::move(body);
  entry.keeper = keeper;
  entry.window.clear();
  return true;
}

}  // namespace relais::upstream
