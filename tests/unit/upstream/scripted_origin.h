// ScriptedOrigin: an HTTP/1.1 origin on 127.0.0.1 (ephemeral port) whose
// every answer a test scripts, raw bytes included, to drive the origin client
// through what real origins do: keep-alive, 304s, slowness, stalls, dropped
// connections, malformed heads. Counts the connections it accepted and the
// requests it read, and records each request, so a test can say "one
// connection for three fetches" or "no Cookie reached the origin".
//
// A stall blocks the connection's thread on a condition variable (never a
// sleep) until release_stalls() or the destructor. The destructor closes the
// listener and shuts every connection down, then joins its threads. Bounded:
// request heads over 64 KiB close the connection.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct sockaddr_in;

namespace relais::upstream::testing {

// A TCP socket bound to 127.0.0.1 on an ephemeral port (addr filled in); -1 on failure.
int bind_loopback(sockaddr_in* addr);

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string raw;      // the head as received
  std::string body;     // the body its Content-Length announced
  int connection = 0;   // 1 for the first accepted connection, 2 for the next...
  std::string field(std::string_view name) const;  // first value, "" if absent
};

struct ScriptedReply {
  static constexpr std::size_t kNever = static_cast<std::size_t>(-1);
  std::string bytes;                 // head and body, exactly as sent
  bool close_after = false;          // close the connection after sending
  bool stall_before = false;         // read the request, send nothing: stalls
  std::size_t stall_after = kNever;  // send this many bytes, then stall
  bool resume_after_stall = false;   // released: send the rest (a pause), not close (a cut)
  std::size_t drop_after = kNever;   // send this many bytes, then close
  int trickle_ms = 0;                // > 0: the bytes after trickle_from go one at a time, this far apart
  std::size_t trickle_from = 0;

  // "HTTP/1.1 <status> X\r\n" + fields + Content-Length + body.
  static ScriptedReply ok(std::string body, const std::vector<std::string>& fields = {}, int status = 200);
  // What a server honouring Range (one "bytes=a-b" or "bytes=a-") answers
  // request for body: a 206 with Content-Range, a 416 past the end, or the
  // whole 200 without a Range or when If-Range is not the "ETag: " of fields.
  static ScriptedReply ranged(const std::string& body, const std::vector<std::string>& fields,
                              const ReceivedRequest& request);
};

class ScriptedOrigin {
 public:
  using Script = std::function<ScriptedReply(const ReceivedRequest&)>;

  explicit ScriptedOrigin(Script script);
  ~ScriptedOrigin();
  ScriptedOrigin(const ScriptedOrigin&) = delete;
  ScriptedOrigin& operator=(const ScriptedOrigin&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  // Bytes written to every connection (heads and bodies).
  std::uint64_t bytes_sent() const { return bytes_sent_.load(); }
  std::vector<ReceivedRequest> received() const;
  // Lets every stalled connection go on (it then closes).
  void release_stalls();

 private:
  void accept_loop();
  void serve(int fd, int number);
  void serve_requests(int fd, int number);
  bool send_reply(int fd, const ScriptedReply& reply);
  void stall();

  Script script_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<std::uint64_t> bytes_sent_{0};
  mutable std::mutex mutex_;
  std::condition_variable released_cv_;
  bool released_ = false;
  std::vector<ReceivedRequest> received_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace relais::upstream::testing
