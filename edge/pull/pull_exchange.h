// PullExchange: one client's response that waits on an origin fetch, the
// Coalescer's waiter for that client and the protocol's PendingResponse.
//
// Life: PullService::serve joins it to a fetch (a miss, or a revalidation of
// `stale`) -> on_head: forward the origin's head (and stream its body to the
// StreamSink as it arrives, at the client's pace: from the body the store
// keeps, or a window held by a full sink and bounded by the lag timeout,
// coalescer.h), or answer from the stored response (a 304 freshened
// it, or the origin failed and stale may be served) -> on_done: the sink's
// end(); a failure before the head is a 502/504, or stale where RFC 9111
// §4.2.4 / RFC 5861 §4 allow it; a failure after body bytes cuts the
// response (the connection ends). A client's single Range of a 200 with a
// length is cut from the body as it passes (pulled_range.h): its answer is a
// 206 that ends (and leaves the fetch) once the range is sent. Destroying it (the client left) leaves the
// fetch's waiter set; the last waiter leaving cancels the fetch.
// A cold key's Range with slices on (pull_slices.h) first asks for one slice:
// a 206 that makes the object sliced hands the client to a SliceStream (this
// exchange then only holds it); a 206 of the whole object is its 200; a 206
// that does neither (an object under pull-slice-min, no strong ETag) asks
// again for the whole; a 200 is answered as any miss.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "edge/cache/freshness/cache_status.h"
#include "edge/cache/freshness/cache_control.h"
#include "edge/http/pull_gateway.h"
#include "edge/http/responder.h"
#include "edge/pull/pulled_object.h"
#include "edge/pull/pull_service.h"
#include "edge/pull/pulled_range.h"
#include "edge/pull/slice_stream.h"
#include "edge/upstream/coalescer.h"

namespace relais::pull {

class PullService;

struct ExchangeRequest {
  std::string server;              // Server of our responses (the site's responder)
  bool head_only = false;
  bool close = false;
  std::uint16_t site = http::kNoSiteIndex;
  freshness::CacheDirectives directives;  // the request's Cache-Control (stale on error: max-stale, stale-if-error)
  std::int64_t request_time = 0;
  freshness::Forward forward = freshness::Forward::uri_miss;
  RangeAsk ranges;  // the client's Range: from a stored response, or cut from the body as it arrives
  // A cold key's first slice request, and the whole miss it stands for; both null: a whole fetch.
  std::unique_ptr<MissFetch> first_slice;
  std::unique_ptr<MissFetch> whole;
};

class PullExchange final : public upstream::FetchWaiter, public http::PendingResponse {
 public:
  PullExchange(PullService& service, http::StreamSink& sink, ExchangeRequest request, PulledRef stale)
      : service_(service), sink_(sink), request_(std::move(request)), stale_(std::move(stale)) {}
  ~PullExchange() override;

  void on_joined(upstream::WaiterId id, bool collapsed) override {
    id_ = id;
    collapsed_ = collapsed;
  }
  void on_head(const upstream::OriginHead& head) override;
  std::size_t on_body(std::string_view chunk) override;
  void on_done(const upstream::FetchOutcome& outcome) override;
  void resume() override;
  MissFetch* first_slice() { return request_.first_slice.get(); }

 private:
  enum class Mode : unsigned char { waiting, streaming, discarding, done };
  http::ResponseSummary serve_stored(const PulledObject& object, const freshness::CacheStatus& status);
  bool may_serve_stale() const;
  void forward(const upstream::OriginHead& head);
  // An error page of ours (502, 504) instead of the origin's answer.
  void answer_error(std::uint16_t code, const freshness::CacheStatus& status);
  // A 206 to a first slice request: the client goes on from its slices
  // (true), or the whole object is asked for again.
  bool slice_or_ask_whole(const upstream::OriginHead& head);

  PullService& service_;
  http::StreamSink& sink_;
  ExchangeRequest request_;
  PulledRef stale_;
  upstream::WaiterId id_ = 0;
  bool collapsed_ = false;
  Mode mode_ = Mode::waiting;
  RangeCut cut_;  // the whole body unless a 206 of one range is being sent
  http::ResponseSummary summary_;
  std::unique_ptr<SliceStream> slices_;  // set: the client's answer is its
  int origin_status_ = 0;  // what the origin said when head is the 200 a whole 206 stands for
};

}  // namespace relais::pull
