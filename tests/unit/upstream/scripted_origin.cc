#include "tests/unit/upstream/scripted_origin.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <strings.h>

namespace relais::upstream::testing {

std::string ReceivedRequest::field(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
  }
  return "";
}

ScriptedReply ScriptedReply::ok(std::string body, const std::vector<std::string>& fields, int status) {
  ScriptedReply r;
  r.bytes = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  for (const std::string& f : fields) r.bytes += f + "\r\n";
  if (status != 304) r.bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r.bytes += "\r\n" + body;
  return r;
}

ScriptedReply ScriptedReply::ranged(const std::string& body, const std::vector<std::string>& fields,
                                   const ReceivedRequest& request) {
  const std::string range_value = request.field("Range");
  std::string_view range = range_value;
  const std::string if_range = request.field("If-Range");
  std::string etag;
  for (const std::string& f : fields)
    if (f.rfind("ETag: ", 0) == 0) etag = f.substr(6);
  if (!range.starts_with("bytes=") || (!if_range.empty() && if_range != etag)) return ok(body, fields);
  range.remove_prefix(6);
  const std::size_t dash = range.find('-');
  if (dash == std::string_view::npos || dash == 0) return ok(body, fields);
  const std::uint64_t first = std::stoull(std::string(range.substr(0, dash)));
  const std::string_view rest = range.substr(dash + 1);
  std::uint64_t last = rest.empty() ? body.size() - 1 : std::stoull(std::string(rest));
  std::vector<std::string> with = fields;
  if (first >= body.size()) {
    with.push_back("Content-Range: bytes */" + std::to_string(body.size()));
    return ok("", with, 416);
  }
  last = std::min<std::uint64_t>(last, body.size() - 1);
  with.push_back("Content-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                 std::to_string(body.size()));
  return ok(body.substr(first, last - first + 1), with, 206);
}

int bind_loopback(sockaddr_in* addr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  *addr = sockaddr_in{};
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof *addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(addr), sizeof *addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

ScriptedOrigin::ScriptedOrigin(Script script) : script_(std::move(script)) {
  sockaddr_in addr{};
  listen_fd_ = bind_loopback(&addr);
  if (listen_fd_ < 0 || ::listen(listen_fd_, 128) != 0 || ::pipe2(wake_, O_CLOEXEC) != 0) {
    throw std::runtime_error("ScriptedOrigin: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedOrigin::~ScriptedOrigin() {
  stopping_ = true;
  release_stalls();
  (void)!::write(wake_[1], "x", 1);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (std::thread& t : threads_) t.join();
  for (int fd : fds_) ::close(fd);
  ::close(listen_fd_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

std::vector<ReceivedRequest> ScriptedOrigin::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

void ScriptedOrigin::release_stalls() {
  std::lock_guard lock(mutex_);
  released_ = true;
  released_cv_.notify_all();
}

void ScriptedOrigin::stall() {
  std::unique_lock lock(mutex_);
  released_cv_.wait(lock, [&] { return released_; });
}

void ScriptedOrigin::accept_loop() {
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    const int number = ++connections_;
    std::lock_guard lock(mutex_);
    fds_.push_back(fd);
    threads_.emplace_back([this, fd, number] { serve(fd, number); });
  }
}

void ScriptedOrigin::serve(int fd, int number) {
  serve_requests(fd, number);
  ::shutdown(fd, SHUT_RDWR);  // the client sees the end; the fd is closed by the destructor
}

void ScriptedOrigin::serve_requests(int fd, int number) {
  std::string in;
  char buf[4096];
  while (!stopping_) {
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos) {
      if (in.size() > 65536) return;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, static_cast<std::size_t>(n));
    }
    ReceivedRequest req;
    req.raw = in.substr(0, end + 4);
    req.connection = number;
    in.erase(0, end + 4);
    std::size_t line_end = req.raw.find("\r\n");
    const std::string line = req.raw.substr(0, line_end);
    const std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    req.method = line.substr(0, sp1);
    req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = line_end + 2;
    while (pos < end) {
      const std::size_t next = req.raw.find("\r\n", pos);
      const std::string field = req.raw.substr(pos, next - pos);
      const std::size_t colon = field.find(':');
      if (colon != std::string::npos) {
        std::string value = field.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req.fields.emplace_back(field.substr(0, colon), value);
      }
      pos = next + 2;
    }
    // A request body (Content-Length only: the edge never sends chunked),
    // read whole before the script answers.
    if (const std::string length = req.field("Content-Length"); !length.empty()) {
      const std::size_t want = static_cast<std::size_t>(std::stoull(length));
      while (in.size() < want) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return;
        in.append(buf, static_cast<std::size_t>(n));
      }
      req.body = in.substr(0, want);
      in.erase(0, want);
    }
    const ScriptedReply reply = script_(req);
    {
      std::lock_guard lock(mutex_);
      received_.push_back(std::move(req));
    }
    ++requests_;
    if (!send_reply(fd, reply)) return;
  }
}

bool ScriptedOrigin::send_reply(int fd, const ScriptedReply& reply) {
  if (reply.stall_before) {
    stall();
    return false;
  }
  std::size_t sent = 0;
  auto send_to = [&](std::size_t limit) {
    for (limit = std::min(limit, reply.drop_after); sent < limit;) {
      // At most 64 KiB a call: bytes_sent() then counts what a reader took
      // before it left (one blocking send of it all counts nothing when cut).
      const ssize_t n = ::send(fd, reply.bytes.data() + sent, std::min<std::size_t>(limit - sent, 64 * 1024), MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
      bytes_sent_ += static_cast<std::uint64_t>(n);
    }
    return true;
  };
  if (reply.trickle_ms > 0) {
    if (!send_to(std::min(reply.bytes.size(), reply.trickle_from))) return false;
    while (sent < reply.bytes.size() && !stopping_) {
      ::poll(nullptr, 0, reply.trickle_ms);
      if (!send_to(sent + 1)) return false;  // the client left
    }
    return false;  // then closed, as a stall released is
  }
  if (!send_to(std::min(reply.bytes.size(), reply.stall_after))) return false;
  if (reply.stall_after != ScriptedReply::kNever) {
    stall();
    if (!reply.resume_after_stall || !send_to(reply.bytes.size())) return false;
  }
  return reply.drop_after == ScriptedReply::kNever && !reply.close_after;
}

}  // namespace relais::upstream::testing
