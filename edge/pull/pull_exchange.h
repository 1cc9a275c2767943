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
// 206 that ends (and leaves the fetch) once the range is sent. The client's
// preconditions (RFC 9110 §13.2.2: 412, 304) are evaluated against what is
// served: the stored response, or the origin's head on a cold key (a 412 or
// 304 then ends at once and leaves the fetch to the store). A 304 naming
// another representation (RFC 9111 §4.3.4) moves the exchange to a fetch
// without validators, once; a 206 we never asked for is an origin fault.
// Destroying it (the client left) leaves the fetch's waiter set; the last
// waiter leaving cancels the fetch.
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
#include "edge/http/preconditions.h"
#include "edge/http/responder.h"
#include "edge/pull/pulled_object.h"
#include "edge/pull/pull_service.h"
#include "edge/pull/pulled_range.h"
#include "edge/pull/slice_stream.h"
#include "edge/upstream/coalescer.h"

namespace relais::pull {

// The client's preconditions (RFC 9110 §13.2.2), owned: the exchange
// outlives the request's buffer, and they are evaluated once the answer's
// head is known (a stored response, or the origin's for a cold key).
struct ClientConditions {
  http::Method method = http::Method::get;
  std::string if_match;
  std::string if_none_match;
  std::string if_modified_since;
  std::string if_unmodified_since;
  ClientConditions() = default;
  explicit ClientConditions(const http::Request& request)
      : method(request.method), if_match(request.if_match), if_none_match(request.if_none_match),
        if_modified_since(request.if_modified_since), if_unmodified_since(request.if_unmodified_since) {}
  // A request with views into this, for evaluate_preconditions.
  http::Request request() const;
};

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
  ClientConditions conditions;
};

class PullExchange final : public upstream::FetchWaiter, public http::PendingResponse {
 public:
  PullExchange(PullService& service, http::StreamSink& sink, ExchangeRequest request, PulledRef stale)
      : service_(service), sink_(sink), request_(std::move(request)), stale_(std::move(stale)) {}
  ~PullExchange() override;

  // A revalidation's fetch, kept to fetch again without validators.
  void keep_plan(MissFetch plan) { plan_ = std::move(plan); }

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
  // A 206 to a first slice request: the client goes on from its slices, or
  // gets its 412 / 304 from the head made of it (true), or the whole object
  // is asked for again.
  bool slice_or_ask_whole(const upstream::OriginHead& head);
  // The client's preconditions against a response with these facts.
  http::Precondition precondition(int status, const freshness::ResponseFacts& facts, std::int64_t response_time) const;
  // RFC 9111 §4.3.4: the 304 named another representation: leave that
  // fetch and join one without validators, answered as a miss.
  void fetch_again();
  // The client's answer is whole before the fetch ends: end it and leave.
  void end_early();

  PullService& service_;
  http::StreamSink& sink_;
  ExchangeRequest request_;
  PulledRef stale_;
  MissFetch plan_;  // set for a revalidation (keep_plan)
  upstream::WaiterId id_ = 0;
  bool collapsed_ = false;
  Mode mode_ = Mode::waiting;
  RangeCut cut_;  // the whole body unless a 206 of one range is being sent
  http::ResponseSummary summary_;
  std::unique_ptr<SliceStream> slices_;  // set: the client's answer is its
  int origin_status_ = 0;  // what the origin said when head is the 200 a whole 206 stands for
};

}  // namespace relais::pull
