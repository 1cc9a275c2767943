// Test support: what a fetch delivered, recorded by a consumer whose room
// can be limited (backpressure), with hooks to act from inside a callback.
// Recorder is an OriginClient handler, Waiter a Coalescer waiter.
#pragma once

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "edge/upstream/coalescer.h"
#include "edge/upstream/origin_client.h"

namespace relais::upstream::testing {

struct Delivery {
  static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();
  std::optional<OriginHead> head;
  int heads = 0;
  std::string body;
  std::optional<FetchOutcome> done;
  std::size_t room = kUnlimited;
  std::function<void()> on_head_hook;
  std::function<void()> on_body_hook;

  void got_head(const OriginHead& h) {
    ++heads;
    head = h;
    if (on_head_hook) on_head_hook();
  }
  std::size_t take(std::string_view chunk) {
    const std::size_t took = std::min(room, chunk.size());
    if (room != kUnlimited) room -= took;
    body.append(chunk.substr(0, took));
    if (on_body_hook) on_body_hook();
    return took;
  }
  bool finished() const { return done.has_value(); }
  FetchFailure failure() const { return done ? done->failure : FetchFailure::internal; }
};

struct Recorder : FetchHandler, Delivery {
  void on_head(OriginHead h) override { got_head(h); }
  std::size_t on_body(std::string_view chunk) override { return take(chunk); }
  void on_done(const FetchOutcome& o) override { done = o; }
};

struct Waiter : FetchWaiter, Delivery {
  void on_head(const OriginHead& h) override { got_head(h); }
  std::size_t on_body(std::string_view chunk) override { return take(chunk); }
  void on_done(const FetchOutcome& o) override { done = o; }
};

}  // namespace relais::upstream::testing
