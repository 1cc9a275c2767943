// TestOrigin: a tiny static HTTP/1.1 origin on 127.0.0.1 for sync tests.
//
// Serves the files of a directory (a `relais-sync publish` output) from its
// own threads: GET and HEAD, keep-alive, a strong ETag per file (its XXH3-128)
// with If-None-Match -> 304, and one "bytes=N-" or "bytes=N-M" Range -> 206.
// Fault injection knobs, each applying to the next N requests (or, for
// corrupt(), to every response of a path until cleared):
//   fail_next(n)      answer 500;
//   truncate_next(n)  announce the whole body, send half of it, close;
//   stall_next(n)     send the head and half the body, then nothing until stop();
//   trickle_next(n)   send the head, then the body one byte every kTrickleStep
//                     (2 bytes/s: "progress" to a 1 byte/s low-speed limit),
//                     until the body ends, the client leaves or stop();
//   corrupt(suffix)   flip one byte of bodies whose path ends with suffix;
//   garbage_next(n)   answer 200 with bytes that are no manifest or blob.
// Counters let a test check exactly what a puller fetched, and wait_for()
// lets it block until they reach a state (woken on every change, no
// polling). stop() closes the listener and every connection (the origin
// "goes down"); a new TestOrigin can then listen on the same port. Bounded:
// at most kMaxConnections at once, request heads at most 16 KiB, never a sleep.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace relais::testing {

class TestOrigin {
 public:
  static constexpr int kMaxConnections = 64;
  static constexpr std::chrono::milliseconds kTrickleStep{500};

  // Serves root on 127.0.0.1:port (0: an ephemeral port).
  explicit TestOrigin(std::string root, std::uint16_t port = 0);
  ~TestOrigin();
  TestOrigin(const TestOrigin&) = delete;
  TestOrigin& operator=(const TestOrigin&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  void stop();

  void fail_next(int n) { fail_.store(n); }
  void truncate_next(int n) { truncate_.store(n); }
  void stall_next(int n) { stall_.store(n); }
  void trickle_next(int n) { trickle_.store(n); }
  void garbage_next(int n) { garbage_.store(n); }
  void corrupt(const std::string& path_suffix);
  // The counted knobs (fail, truncate, stall, garbage) only hit paths starting with this ("" = all).
  void faults_only_under(const std::string& prefix);
  void clear_faults();

  // Requests whose path starts with "/blobs/" and got a body (200 or 206).
  int blob_bodies_sent() const { return blob_bodies_.load(); }
  int not_modified_sent() const { return not_modified_.load(); }
  int range_requests() const { return ranges_.load(); }
  int requests() const { return requests_.load(); }
  int stalled_now() const { return stalled_.load(); }
  int trickling_now() const { return trickling_.load(); }
  // GET count per path.
  std::map<std::string, int> gets() const;

  // Blocks until cond() holds, re-checking it each time a counter above
  // changes; false if it still does not hold at the deadline. cond may call
  // any accessor above, not wait_for().
  bool wait_for(const std::function<bool()>& cond, std::chrono::milliseconds deadline = std::chrono::seconds(20));

 private:
  void accept_loop();
  void serve(int fd);
  bool answer(int fd, const std::string& head);
  bool take(std::atomic<int>& knob, const std::string& target);
  void trickle(int fd, std::string_view body);
  void count(std::atomic<int>& counter, int delta);

  std::string root_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<int> fail_{0}, truncate_{0}, stall_{0}, garbage_{0}, trickle_{0};
  // Counters are atomics so that accessors read them without a lock, but
  // change only under counted_mutex_ (then counted_ is notified), so that a
  // waiter cannot miss a change between testing cond and blocking.
  // Lock order: counted_mutex_ before mutex_.
  std::mutex counted_mutex_;
  std::condition_variable counted_;
  std::atomic<int> blob_bodies_{0}, not_modified_{0}, ranges_{0}, requests_{0}, stalled_{0}, trickling_{0};
  std::atomic<int> open_{0};  // connection limit; not a counter for tests
  mutable std::mutex mutex_;
  std::string corrupt_suffix_;
  std::string fault_prefix_;
  std::map<std::string, int> gets_;  // under mutex_, changed under counted_mutex_ too
  std::vector<int> connections_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace relais::testing
