#include "tests/integration/harness/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace relais::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Fallback waitpid polling interval for kernels without pidfd_open (< 5.3).
constexpr int kWaitpidPollMs = 5;

struct Spawned {
  pid_t pid = -1;
  int out = -1;
  int err = -1;
};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

Spawned spawn(const std::vector<std::string>& argv) {
  Spawned s;
  if (argv.empty()) {
    ADD_FAILURE() << "spawn: empty argv";
    return s;
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return s;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    const int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(args[0], args.data());
    static const char kMessage[] = "harness: exec failed: ";
    [[maybe_unused]] auto n1 = ::write(2, kMessage, sizeof kMessage - 1);
    [[maybe_unused]] auto n2 = ::write(2, args[0], std::strlen(args[0]));
    [[maybe_unused]] auto n3 = ::write(2, "\n", 1);
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    ::close(out[0]);
    ::close(err[0]);
    return s;
  }
  ::setpgid(pid, pid);  // also in the parent: no race with an early kill(-pid)
  return {pid, out[0], err[0]};
}

int open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

// Reaps pid before deadline; nullopt if it is still running then.
std::optional<int> wait_pid_until(pid_t pid, int pidfd, Clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return decode_status(status);
    if (r < 0 && errno != EINTR) return -1;  // already reaped elsewhere: should not happen
    const int left = remaining_ms(deadline);
    if (left == 0) return std::nullopt;
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, left);
    } else {
      ::poll(nullptr, 0, std::min(left, kWaitpidPollMs));
    }
  }
}

void kill_group(pid_t pid, int sig) {
  if (::kill(-pid, sig) != 0) ::kill(pid, sig);
}

// Appends what is readable on fd to buffer; false at EOF or error.
bool drain(int fd, std::string& buffer) {
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      buffer.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds deadline) {
  ProcessResult result;
  const auto until = Clock::now() + deadline;
  Spawned child = spawn(argv);
  if (child.pid < 0) return result;
  const int pidfd = open_pidfd(child.pid);
  bool out_open = true, err_open = true, timed_out = false;
  while (out_open || err_open) {
    pollfd fds[2] = {{out_open ? child.out : -1, POLLIN, 0}, {err_open ? child.err : -1, POLLIN, 0}};
    const int left = remaining_ms(until);
    if (left == 0) {
      timed_out = true;
      break;
    }
    if (::poll(fds, 2, left) < 0 && errno != EINTR) break;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = drain(child.out, result.out);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) err_open = drain(child.err, result.err);
  }
  std::optional<int> code;
  if (!timed_out) code = wait_pid_until(child.pid, pidfd, until);
  if (!code) {
    kill_group(child.pid, SIGKILL);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    result.exit_code = -SIGKILL;
    ADD_FAILURE() << "process " << argv[0] << " did not finish within " << deadline.count() << " ms; killed";
  } else {
    result.exit_code = *code;
  }
  ::close(child.out);
  ::close(child.err);
  if (pidfd >= 0) ::close(pidfd);
  return result;
}

Subprocess::Subprocess(const std::vector<std::string>& argv) {
  if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) ADD_FAILURE() << "pipe2: " << std::strerror(errno);
  Spawned child = spawn(argv);
  pid_ = child.pid;
  if (pid_ < 0) {
    out_closed_ = err_closed_ = true;
    exit_code_ = -1;
    return;
  }
  pidfd_ = open_pidfd(pid_);
  reader_ = std::thread([this, child] { read_loop(child.out, child.err); });
}

Subprocess::~Subprocess() {
  if (pid_ > 0 && !exit_code_) {
    kill_group(pid_, SIGTERM);
    if (!wait_exit(std::chrono::seconds(5))) {
      kill_group(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  if (wake_pipe_[1] >= 0) [[maybe_unused]] auto n = ::write(wake_pipe_[1], "x", 1);
  if (reader_.joinable()) reader_.join();
  for (int fd : {wake_pipe_[0], wake_pipe_[1], pidfd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void Subprocess::read_loop(int out_fd, int err_fd) {
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[3] = {{out_open ? out_fd : -1, POLLIN, 0}, {err_open ? err_fd : -1, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents) break;
    std::string out_chunk, err_chunk;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = drain(out_fd, out_chunk);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) err_open = drain(err_fd, err_chunk);
    {
      std::lock_guard lock(mutex_);
      out_ += out_chunk;
      err_ += err_chunk;
      out_closed_ = !out_open;
      err_closed_ = !err_open;
    }
    changed_.notify_all();
  }
  {
    std::lock_guard lock(mutex_);
    out_closed_ = err_closed_ = true;
  }
  changed_.notify_all();
  ::close(out_fd);
  ::close(err_fd);
}

std::optional<std::string> Subprocess::wait_for_line(std::string_view prefix, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  std::unique_lock lock(mutex_);
  for (;;) {
    for (std::size_t pos = scan_from_; pos < out_.size();) {
      const auto eol = out_.find('\n', pos);
      if (eol == std::string::npos) break;
      const std::string_view line(out_.data() + pos, eol - pos);
      if (line.starts_with(prefix)) {
        scan_from_ = eol + 1;
        return std::string(line.substr(prefix.size()));
      }
      pos = eol + 1;
    }
    if (out_closed_) return std::nullopt;
    if (changed_.wait_until(lock, until) == std::cv_status::timeout && Clock::now() >= until) return std::nullopt;
  }
}

bool Subprocess::wait_for_stderr_text(std::string_view needle, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  std::unique_lock lock(mutex_);
  // Text before `from` was searched already; needle may straddle the old end.
  std::size_t from = 0;
  for (;;) {
    if (err_.find(needle, from) != std::string::npos) return true;
    if (err_closed_) return false;
    from = err_.size() >= needle.size() ? err_.size() - needle.size() + 1 : 0;
    if (changed_.wait_until(lock, until) == std::cv_status::timeout && Clock::now() >= until)
      return err_.find(needle, from) != std::string::npos;
  }
}

void Subprocess::send_signal(int sig) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> Subprocess::wait_exit(std::chrono::milliseconds deadline) {
  if (exit_code_) return exit_code_;
  if (pid_ <= 0) return std::nullopt;
  exit_code_ = wait_pid_until(pid_, pidfd_, Clock::now() + deadline);
  return exit_code_;
}

std::string Subprocess::stdout_text() {
  std::lock_guard lock(mutex_);
  return out_;
}

std::string Subprocess::stderr_text() {
  std::lock_guard lock(mutex_);
  return err_;
}

}  // namespace relais::testing
