// Wakeup: lets another thread run a callback on a loop's own thread.
//
// An eventfd registered in the loop: notify() from any thread is one write(2).
// This is the only cross-thread entry into a worker's loop, so libevent runs
// without its internal locks (evthread), which cost a mutex pair on every
// event_add of the hit path.
#pragma once

#include <event2/event.h>

#include <functional>

#include "origin-sync/unique_fd.h"

namespace relais {

class Wakeup {
 public:
  Wakeup(event_base* base, std::function<void()> callback);
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Thread-safe; the callback runs once on the loop's thread (notifications coalesce).
  void notify();

 private:
  static void on_readable(evutil_socket_t fd, short what, void* self);
  UniqueFd fd_;
  event* event_ = nullptr;
  std::function<void()> callback_;
};

}  // namespace relais
