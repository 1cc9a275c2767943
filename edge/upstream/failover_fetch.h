// FailoverFetch: one origin fetch that moves on to the site's next origin
// when the one it tried failed before any byte of a response was passed on.
//
// Sits between the OriginClient and one handler (the Coalescer's entry for a
// key, so coalesced requests share one chain). A failure is retried on the
// next origin OriginHealth offers when it came before the head was handed
// over: no connection (refused, unreachable, connect timeout), no head in
// time (first-byte or between-bytes timeout), the connection dropped, a
// malformed head (nginx's error / timeout / invalid_header), or a 502, 503
// or 504 head (that fetch is cancelled unread). Once a head went to the
// handler there is no retry: a failure after it reaches the handler as
// today (a truncated response). Each origin is tried at most once per
// fetch; the last failure is what the handler gets (an error, or the last
// 502/503/504 head). Every attempt's result feeds OriginHealth. A pass
// (is_pass_method: POST, PUT, PATCH, DELETE) moves on only when its
// connection never opened (is_unsent_failure): once its bytes may have left,
// sending it again could act twice (a form posted twice).
//
// Same contract as an OriginClient fetch for the handler: on_head (once) ->
// on_body* -> on_done (once, never after cancel()). Destroying it cancels.
// Its callbacks may destroy it only through the handler's own last callback
// (each forwarding call is the last thing they do).
#pragma once

#include <string>
#include <vector>

#include "edge/upstream/origin_client.h"
#include "edge/upstream/origin_health.h"

namespace relais::upstream {

class FailoverFetch final : public FetchHandler {
 public:
  FailoverFetch(OriginClient& client, OriginHealth& health, std::vector<OriginTarget> origins, OriginRequest request,
                FetchHandler& handler);
  ~FailoverFetch() override;
  FailoverFetch(const FailoverFetch&) = delete;
  FailoverFetch& operator=(const FailoverFetch&) = delete;

  // The first attempt; an Error if the request cannot be built (no callback then).
  Status start();
  void resume();
  void cancel();
  bool active() const { return fetching_; }
  int attempts() const { return attempts_; }

  void on_head(OriginHead head) override;
  std::size_t on_body(std::string_view chunk) override;
  void on_done(const FetchOutcome& outcome) override;

 private:
  // Starts the next origin of the chain; false when there is none (or it cannot start).
  bool fail_over();
  Status attempt(std::size_t index);
  const std::string& current_url() const { return origins_[current_].base_url; }

  OriginClient& client_;
  OriginHealth& health_;
  std::vector<OriginTarget> origins_;
  std::vector<std::string> urls_;  // origins_' base URLs, the health table's keys
  OriginRequest request_;
  FetchHandler& handler_;
  FetchId fetch_ = 0;
  bool fetching_ = false;
  bool head_passed_ = false;
  std::size_t current_ = 0;
  OriginHealth::TriedSet tried_ = 0;
  int attempts_ = 0;
};

// Whether a failure came before any response byte could have reached a
// client, and another origin may do better.
bool is_failover_failure(FetchFailure failure);
bool is_failover_status(int status);
// The connection never opened (refused, unreachable, connect timeout, TLS
// handshake): no request byte left, so even a pass may go to the next origin.
bool is_unsent_failure(FetchFailure failure);

}  // namespace relais::upstream
