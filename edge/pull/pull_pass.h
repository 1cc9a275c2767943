// PullPass: an unsafe method (POST, PUT, PATCH, DELETE) on a pull path,
// passed to the site's origin and never stored, the protocol's
// PendingResponse and the origin fetch's handler.
//
// Its request is rebuilt (origin_request.h): the method, the path, the body
// the protocol read whole (bounded by pull-max-request-body), its
// Content-Type, the client's Cookie and Authorization. It is not coalesced
// (each POST is its own) and goes through FailoverFetch, which moves to
// another origin only when the connection never opened: a POST is never
// sent twice. The origin's head and body are streamed to the StreamSink as
// they arrive (backpressure as for a miss: the sink refuses, the fetch
// pauses, resume() goes on), with `Cache-Status: relais; fwd=method`.
// RFC 9111 §4.4: a 2xx or 3xx answer invalidates what is stored for the
// target URI and for Location / Content-Location on the same host, in every
// worker and on disk (PullService::invalidate), before the head goes out.
// No head (origin down, timeout): 502 / 504, never stale (a stored GET
// answer is no answer to a POST).
//
// Life: start() -> on_head (once) -> on_body* -> on_done: the sink's end().
// Destroying it (the client left) cancels the fetch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edge/cache/freshness/cache_status.h"
#include "edge/http/pull_gateway.h"
#include "edge/http/responder.h"
#include "edge/upstream/failover_fetch.h"

namespace relais::pull {

class PullService;

struct PassRequest {
  std::string server;              // Server of our responses (the site's responder)
  bool close = false;
  std::uint16_t site = http::kNoSiteIndex;
  std::string method;              // as sent ("POST"), for §4.4
  std::string key;                 // the table's key of the target (normalised path and kept query)
  std::string client_authority;    // the Host the client named: its Location may name it
  bool client_tls = false;
  std::vector<std::string> query_keys;  // the site's kept query keys: a Location's key is made as the target's
  bool whole_query = true;              // ...and its pull-query (PullRouting::whole_query)
  // Cache-Status: fwd=method for an unsafe method or OPTIONS, fwd=bypass for
  // a GET passed for its Authorization (RFC 9211 §2.2).
  freshness::Forward fwd = freshness::Forward::method;
};

class PullPass final : public upstream::FetchHandler, public http::PendingResponse {
 public:
  PullPass(PullService& service, http::StreamSink& sink, PassRequest pass, std::vector<upstream::OriginTarget> targets,
           upstream::OriginRequest request);
  ~PullPass() override;
  PullPass(const PullPass&) = delete;
  PullPass& operator=(const PullPass&) = delete;

  Status start();  // an Error (the request cannot be built): no callback then

  void on_head(upstream::OriginHead head) override;
  std::size_t on_body(std::string_view chunk) override;
  void on_done(const upstream::FetchOutcome& outcome) override;
  void resume() override;

 private:
  enum class Mode : unsigned char { waiting, streaming, discarding, done };
  void invalidate(const upstream::OriginHead& head);

  PullService& service_;
  http::StreamSink& sink_;
  PassRequest pass_;
  std::vector<upstream::OriginTarget> targets_;  // before fetch_, which is given a copy
  std::string origin_path_;
  upstream::FailoverFetch fetch_;
  Mode mode_ = Mode::waiting;
  http::ResponseSummary summary_;
};

// The table key (normalised path and kept query, as the responder makes it)
// of an origin-form path; empty when it does not normalise.
std::string pass_table_key(std::string_view origin_path, bool whole_query, const std::vector<std::string>& query_keys);

}  // namespace relais::pull
