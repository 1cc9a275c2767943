// Test support: a libevent base owned by the test, and a bounded wait that
// runs it until a condition holds (a deadline timer guarantees the loop
// wakes; never a sleep).
#pragma once

#include <event2/event.h>

#include <chrono>
#include <functional>

namespace relais::upstream::testing {

class EventLoop {
 public:
  EventLoop() : base_(event_base_new()) {}
  ~EventLoop() { event_base_free(base_); }
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  event_base* base() const { return base_; }

  // Runs the loop until done() or the deadline; returns done().
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    bool expired = false;
    event* timer = evtimer_new(base_, [](evutil_socket_t, short, void* p) { *static_cast<bool*>(p) = true; }, &expired);
    const timeval tv{static_cast<time_t>(deadline.count() / 1000), static_cast<suseconds_t>(deadline.count() % 1000 * 1000)};
    evtimer_add(timer, &tv);
    while (!done() && !expired) event_base_loop(base_, EVLOOP_ONCE);
    event_free(timer);
    return done();
  }

 private:
  event_base* base_;
};

}  // namespace relais::upstream::testing
