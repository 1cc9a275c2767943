#include "tests/integration/harness/test_origin.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "origin-sync/content_hash.h"

namespace relais::testing {
namespace {

constexpr std::size_t kMaxHeadBytes = 16 * 1024;

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Header value by lower-case name, from a raw head.
std::optional<std::string> header(const std::string& head, const std::string& name) {
  std::istringstream in(head);
  std::string line;
  std::getline(in, line);  // request line
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos || lower(line.substr(0, colon)) != name) continue;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    return v;
  }
  return std::nullopt;
}

std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TestOrigin::TestOrigin(std::string root, std::uint16_t port) : root_(std::move(root)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    return;
  }
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  if (::pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
  acceptor_ = std::thread([this] { accept_loop(); });
}

TestOrigin::~TestOrigin() {
  stop();
  if (wake_[0] >= 0) ::close(wake_[0]);
  if (wake_[1] >= 0) ::close(wake_[1]);
}

void TestOrigin::stop() {
  if (stopping_.exchange(true)) return;
  if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
  if (acceptor_.joinable()) acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  listen_fd_ = -1;
}

void TestOrigin::corrupt(const std::string& path_suffix) {
  std::lock_guard lock(mutex_);
  corrupt_suffix_ = path_suffix;
}

void TestOrigin::clear_faults() {
  fail_ = truncate_ = stall_ = garbage_ = trickle_ = 0;
  corrupt("");
  faults_only_under("");
}

std::map<std::string, int> TestOrigin::gets() const {
  std::lock_guard lock(mutex_);
  return gets_;
}

void TestOrigin::faults_only_under(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  fault_prefix_ = prefix;
}

bool TestOrigin::take(std::atomic<int>& knob, const std::string& target) {
  {
    std::lock_guard lock(mutex_);
    if (!target.starts_with(fault_prefix_)) return false;
  }
  int v = knob.load();
  while (v > 0) {
    if (knob.compare_exchange_weak(v, v - 1)) return true;
  }
  return false;
}

void TestOrigin::count(std::atomic<int>& counter, int delta) {
  {
    std::lock_guard lock(counted_mutex_);
    counter.fetch_add(delta);
  }
  counted_.notify_all();
}

bool TestOrigin::wait_for(const std::function<bool()>& cond, std::chrono::milliseconds deadline) {
  std::unique_lock lock(counted_mutex_);
  return counted_.wait_for(lock, deadline, cond);
}

void TestOrigin::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0 && errno == EINTR) continue;
    if (fds[1].revents != 0 || stopping_.load()) return;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    if (open_.load() >= kMaxConnections) {
      ::close(fd);
      continue;
    }
    open_.fetch_add(1);
    std::lock_guard lock(mutex_);
    connections_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void TestOrigin::serve(int fd) {
  std::string buffer;
  char chunk[4096];
  bool keep = true;
  while (keep && !stopping_.load()) {
    const auto end = buffer.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (buffer.size() > kMaxHeadBytes) break;
      pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0 && errno == EINTR) continue;
      if (fds[1].revents != 0) break;
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    const std::string head = buffer.substr(0, end + 4);
    buffer.erase(0, end + 4);
    count(requests_, 1);
    keep = answer(fd, head);
  }
  {
    std::lock_guard lock(mutex_);
    connections_.erase(std::remove(connections_.begin(), connections_.end(), fd), connections_.end());
  }
  ::close(fd);
  open_.fetch_sub(1);
}

// Writes one response; false when the connection must close afterwards.
bool TestOrigin::answer(int fd, const std::string& head) {
  std::istringstream line(head);
  std::string method, target, version;
  line >> method >> target >> version;
  if (target.find("..") != std::string::npos || target.empty() || target[0] != '/') {
    return send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n") && false;
  }
  {
    std::lock_guard counted(counted_mutex_);
    std::lock_guard lock(mutex_);
    ++gets_[target];
  }
  counted_.notify_all();
  if (take(fail_, target)) return send_all(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops\n");
  if (take(garbage_, target)) {
    const std::string junk = "<html>502 Bad Gateway from a confused proxy</html>\n";
    return send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(junk.size()) + "\r\n\r\n" + junk);
  }
  auto body = read_whole(root_ + target);
  if (!body) return send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  const std::string etag = "\"" + hash_bytes(*body).hex() + "\"";
  if (header(head, "if-none-match") == etag) {
    count(not_modified_, 1);
    return send_all(fd, "HTTP/1.1 304 Not Modified\r\nETag: " + etag + "\r\n\r\n");
  }
  {
    std::lock_guard lock(mutex_);
    if (!corrupt_suffix_.empty() && target.ends_with(corrupt_suffix_) && !body->empty()) (*body)[body->size() / 2] ^= 0x5a;
  }
  std::string status = "200 OK", extra;
  std::string_view payload = *body;
  if (auto range = header(head, "range"); range && range->starts_with("bytes=")) {
    count(ranges_, 1);
    const std::string spec = range->substr(6);
    const auto dash = spec.find('-');
    const std::uint64_t first = std::stoull(spec.substr(0, dash));
    std::uint64_t last = body->size() - 1;
    if (dash + 1 < spec.size()) last = std::min<std::uint64_t>(last, std::stoull(spec.substr(dash + 1)));
    if (first >= body->size() || first > last)
      return send_all(fd, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */" + std::to_string(body->size()) +
                              "\r\nContent-Length: 0\r\n\r\n");
    status = "206 Partial Content";
    extra = "Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(body->size()) + "\r\n";
    payload = payload.substr(first, last - first + 1);
  }
  if (target.starts_with("/blobs/")) count(blob_bodies_, 1);
  const std::string response_head = "HTTP/1.1 " + status + "\r\nETag: " + etag + "\r\n" + extra +
                                    "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n";
  if (method == "HEAD") return send_all(fd, response_head);
  if (take(truncate_, target)) {
    (void)send_all(fd, response_head + std::string(payload.substr(0, payload.size() / 2)));
    return false;  // close mid-body
  }
  if (take(stall_, target)) {
    (void)send_all(fd, response_head + std::string(payload.substr(0, payload.size() / 2)));
    count(stalled_, 1);
    // Until the origin stops or the client gives up on us.
    pollfd p[2] = {{wake_[0], POLLIN, 0}, {fd, POLLIN, 0}};
    while (!stopping_.load() && ::poll(p, 2, -1) < 0 && errno == EINTR) {
    }
    count(stalled_, -1);
    return false;
  }
  if (take(trickle_, target)) {
    if (send_all(fd, response_head)) trickle(fd, payload);
    return false;
  }
  return send_all(fd, response_head) && send_all(fd, payload);
}

// The pacing is a poll() timeout on the stop pipe and the client socket, not
// a sleep: stop() or the client hanging up ends it at once.
void TestOrigin::trickle(int fd, std::string_view body) {
  count(trickling_, 1);
  for (char byte : body) {
    if (stopping_.load() || !send_all(fd, std::string_view(&byte, 1))) break;
    pollfd p[2] = {{wake_[0], POLLIN, 0}, {fd, POLLIN, 0}};
    const int ready = ::poll(p, 2, static_cast<int>(kTrickleStep.count()));
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0) break;  // stopping, or the client closed (or sent more: it gave up on this body)
  }
  count(trickling_, -1);
}

}  // namespace relais::testing
