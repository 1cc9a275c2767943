// SliceStream: one client's answer made of a sliced object's slices
// (pull_slices.h, docs/PULL_THROUGH.md "Slices"), the protocol's
// PendingResponse.
//
// Sends the head's fields at once (a 206 for one satisfiable range, the whole
// 200 without a Range, for several ranges or a false If-Range: §14.2 lets us
// ignore them; a 416 beyond the length), then each slice the range meets, in
// order: from the table or the disk tier (looked up again at each turn, so a
// stalled client pins no slice the table evicted; a slice on disk larger than
// `memory-object-max` is read from its file a chunk at a time), else from the
// slice's own coalesced
// fetch (`Range` aligned on the slice, `If-Range` with the head's ETag, and a
// PullFill that stores it), taking only the part inside the range. The client reads one
// slice at a time, at its pace; the next kReadAhead slices of its range are
// fetched for the store meanwhile, never more: a slow client or a seek pulls
// at most the slice it reads and two more; and only while a key of
// pull-max-keys stays free for a slice a client waits on. A slice the origin
// says not to keep (judge_slice: no-store, private...) is sent, not stored.
// An answer that is not that slice of that representation (another ETag or
// length, a 200: the object changed; a coding) or says it is gone (416, 404,
// 410) drops the head and cuts the client's response, whose head is already
// sent (the connection ends, as for a cut origin body); the next request
// starts again as a miss.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edge/cache/freshness/cache_status.h"
#include "edge/http/pull_gateway.h"
#include "edge/http/responder.h"
#include "edge/pull/pulled_range.h"
#include "edge/upstream/coalescer.h"

namespace relais::pull {

class PullService;

struct SliceJob {
  PulledRef head;  // sliced()
  std::string primary;
  std::vector<upstream::OriginTarget> targets;
  std::string path;  // origin-form target
  RangeAsk ranges;
  std::string server;
  bool close = false;
  bool head_only = false;
  std::uint16_t site = http::kNoSiteIndex;
  std::int64_t age = 0;
  freshness::CacheStatus status;
  std::string_view outcome;  // the access log's tier ("pull-hit", "pull-miss"...)
  // A cold key's first slice, whose fetch is in flight under probe_key.
  std::string probe_key;
  std::uint64_t probe_index = UINT64_MAX;
};

class SliceStream final : public http::PendingResponse {
 public:
  // Slices fetched ahead of the one the client reads (for the store, which
  // the client then reads from): a seek or a slow client pulls at most this
  // many more than it reads.
  static constexpr std::uint64_t kReadAhead = 2;

  SliceStream(PullService& service, http::StreamSink& sink, SliceJob job);
  ~SliceStream() override;
  SliceStream(const SliceStream&) = delete;
  SliceStream& operator=(const SliceStream&) = delete;

  // Sends the head, then what can be sent now; the rest comes with the
  // slices' fetches and resume().
  void start();
  void resume() override;

 private:
  class Reader final : public upstream::FetchWaiter {
   public:
    explicit Reader(SliceStream& owner) : owner_(owner) {}
    void on_joined(upstream::WaiterId id, bool) override { owner_.reader_id_ = id; }
    void on_head(const upstream::OriginHead& head) override { owner_.reader_head(head); }
    std::size_t on_body(std::string_view chunk) override { return owner_.reader_body(chunk); }
    void on_done(const upstream::FetchOutcome&) override;

   private:
    SliceStream& owner_;
  };

  void pump();
  void step();
  bool send_stored(const PulledObject& slice);  // false: the sink is full (or the file was cut)
  void begin_slice();
  void join_slice();
  // Starts a store-only fetch of each of the next kReadAhead slices of the
  // range that is neither stored nor in flight.
  void read_ahead();
  void fill_slice(std::uint64_t index, const std::string& key, const upstream::OriginRequest& request);
  upstream::OriginRequest slice_request(std::uint64_t index) const;
  std::string fetch_key(std::uint64_t index) const;  // the coalescer's key of slice index
  void next_slice();
  void reader_head(const upstream::OriginHead& head);
  std::size_t reader_body(std::string_view chunk);
  void finish(bool complete);

  PullService& service_;
  http::StreamSink& sink_;
  SliceJob job_;
  Reader reader_{*this};
  upstream::WaiterId reader_id_ = 0;
  http::ByteRange range_;       // of the object, sent
  std::uint64_t index_ = 0;     // the slice being sent
  std::uint64_t last_ = 0;      // the last slice to send
  RangeCut cut_;                // of the current slice's fetch, by offset within the slice
  std::string reader_key_;      // the fetch the reader joined
  PulledRef file_slice_;        // the current slice left in its file (an fd), or null
  bool ahead_ = false;          // read_ahead() ran for the current slice
  std::uint64_t stored_at_ = 0;  // next offset within the current slice to send
  bool ended_ = false;
  bool pumping_ = false;
  bool again_ = false;
  http::ResponseSummary summary_;
};

}  // namespace relais::pull
