#include "edge/server/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace relais {
namespace {

Result<UniqueFd> open_target(const std::string& target) {
  if (target == "-") return UniqueFd(::dup(STDOUT_FILENO));
  UniqueFd fd(::open(target.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
  if (!fd.valid()) return Error::config("--access-log: cannot open '" + target + "': " + std::strerror(errno));
  return fd;
}

void write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk loses log lines, never requests
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

Result<std::unique_ptr<AccessLog>> AccessLog::open(const std::string& target) {
  auto fd = open_target(target);
  if (!fd.ok()) return fd.error();
  return std::unique_ptr<AccessLog>(new AccessLog(target, std::move(fd.value())));
}

AccessLog::AccessLog(std::string target, UniqueFd fd) : target_(std::move(target)), fd_(std::move(fd)) {
  thread_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void AccessLog::submit(std::string&& lines) {
  if (lines.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (queued_bytes_ + lines.size() > kMaxQueuedBytes) {
      dropped_.fetch_add(lines.size(), std::memory_order_relaxed);
      lines.clear();
      return;
    }
    queued_bytes_ += lines.size();
    queue_.push_back(std::move(lines));
  }
  lines = std::string();
  wake_.notify_one();
}

void AccessLog::request_reopen(const std::string& target) {
  {
    std::lock_guard lock(mutex_);
    if (!target.empty()) target_ = target;
    reopen_ = true;
  }
  wake_.notify_one();
}

void AccessLog::reopen(const std::string& target) {
  auto fd = open_target(target);
  if (fd.ok()) {
    fd_ = std::move(fd.value());
  } else {
    std::fprintf(stderr, "relais-edge: %s (keeping the old file)\n", fd.error().message.c_str());
  }
}

void AccessLog::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || reopen_ || !queue_.empty(); });
    if (reopen_) {
      reopen_ = false;
      const std::string target = target_;
      lock.unlock();
      reopen(target);
      lock.lock();
    }
    while (!queue_.empty()) {
      std::string lines = std::move(queue_.front());
      queue_.pop_front();
      queued_bytes_ -= lines.size();
      lock.unlock();
      write_all(fd_.get(), lines);
      lock.lock();
    }
    if (stop_) return;
  }
}

}  // namespace relais
