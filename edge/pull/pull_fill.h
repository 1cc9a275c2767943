// PullFill: the store's waiter on one origin fetch. Takes every byte at
// once, into the body the stored object will own, and hands that growing
// body to the fetch (Coalescer::keep): the fetch's clients read it by
// reference at their own pace, so a slow one holds nobody back, and what
// they read stays valid after the fetch (it is the stored MemoryRef). At
// the end it puts the response into the PulledTable when plan_store()
// allowed it; a 304 to a revalidation freshens the stored response instead.
// Leaves the fetch as soon as there is nothing to store (not storable,
// larger than object_max), so the last client leaving still cancels it;
// while it stays, the fetch completes for the store even if every client left.
// A slice fill (set_slice, pull_slices.h) stores one slice of a sliced object
// under its own key, only if the answer is exactly that slice of that version
// and storable under the first slice's rules (judge_slice);
// the fill of a cold key's first slice also stores the head it makes of the
// 206, at once.
// Slices and their heads are kept as whole objects are: in this worker's
// table and on the disk tier.
#pragma once

#include <cstdint>
#include <string>

#include "edge/pull/pull_slices.h"
#include "edge/pull/pulled_object.h"
#include "edge/upstream/coalescer.h"

namespace relais::pull {

class PullService;

class PullFill final : public upstream::FetchWaiter {
 public:
  // stale: the stored response being revalidated (nullptr for a miss).
  PullFill(PullService& service, std::string primary, OwnedFields request, PulledRef stale, std::int64_t request_time)
      : service_(service), primary_(std::move(primary)), request_(std::move(request)), stale_(std::move(stale)),
        request_time_(request_time) {}
  ~PullFill() override;

  // refresh_key: set for a background refresh (stale-while-revalidate), the
  // key the service keeps it under until it is swept.
  void set_refresh_key(std::string refresh_key) { refresh_key_ = std::move(refresh_key); }
  // Makes it the fill of slice `index` of slice.head (nullptr: of a cold key's
  // first answer, the head made of it when rules allow).
  struct Slice {
    std::uint64_t index = 0;
    SliceRules rules;  // size 0: not a slice fill
    PulledRef head;
  };
  void set_slice(Slice slice) { slice_ = std::move(slice); }
  // Who started the fetch (RequestContext::client), counted while the fill lives.
  void set_client(std::uint64_t client) { client_ = client; }
  std::uint64_t client() const { return client_; }
  void on_joined(upstream::WaiterId id, bool) override { id_ = id; }
  const std::string& refresh_key() const { return refresh_key_; }
  bool finished() const { return finished_; }

  void on_head(const upstream::OriginHead& head) override;
  std::size_t on_body(std::string_view chunk) override;
  void on_done(const upstream::FetchOutcome& outcome) override;

 private:
  void give_up();
  void collect(std::uint64_t limit);
  void slice_head(const upstream::OriginHead& head, std::int64_t now);

  PullService& service_;
  std::string primary_;
  OwnedFields request_;
  PulledRef stale_;
  std::int64_t request_time_;
  upstream::WaiterId id_ = 0;
  std::string refresh_key_;
  std::uint64_t client_ = 0;
  bool collecting_ = false;
  bool finished_ = false;
  PulledObject object_;
  std::shared_ptr<MemoryObject> body_;  // shared with the fetch's readers
  std::uint64_t limit_ = 0;             // the most body bytes stored
  Slice slice_;
  PulledRef made_head_;                  // a cold key's sliced head, stored on its first slice's head
  std::string slice_key_;                // where the slice goes; empty: a whole response
};

}  // namespace relais::pull
