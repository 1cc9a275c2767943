// Running the real binaries from integration tests, without ever hanging.
//
// run_process() runs a command to completion with a deadline; Subprocess
// keeps a server (relais-edge) running for the length of a test. Both fork
// and exec directly (no shell), put the child in its own process group so
// that a deadline or a destructor kills it and anything it started, capture
// stdout and stderr through pipes, and reap the child. Waiting is done with
// poll() on the pipes and on a pidfd (or a bounded waitpid loop on kernels
// without pidfd), never with sleeps as synchronisation.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace relais::testing {

struct ProcessResult {
  int exit_code = -1;  // -SIGNAL if killed by a signal
  std::string out, err;
};

// Runs argv (argv[0] is a path, or a name looked up in $PATH) with stdin from
// /dev/null. On deadline: kills the process group, ADD_FAILURE, and returns
// what was captured with exit_code -SIGKILL.
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds deadline = std::chrono::seconds(120));

class Subprocess {
 public:
  // Starts argv; stdout and stderr are captured by a reader thread.
  explicit Subprocess(const std::vector<std::string>& argv);
  ~Subprocess();  // SIGTERM, wait up to 5 s, then SIGKILL; reaps
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  // Waits until a line of stdout starts with prefix; returns that line without
  // the prefix. Each line is returned at most once. nullopt on deadline or exit.
  std::optional<std::string> wait_for_line(std::string_view prefix,
                                           std::chrono::milliseconds deadline = std::chrono::seconds(20));
  // Waits until stderr contains needle (wait_for_line reads stdout, where the
  // servers print their state; stderr carries their diagnostics). False on
  // deadline, or once stderr is closed without it.
  bool wait_for_stderr_text(std::string_view needle, std::chrono::milliseconds deadline = std::chrono::seconds(20));
  void send_signal(int sig);
  // Exit code, or -SIGNAL; nullopt if still running at the deadline.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline);
  std::string stdout_text();  // everything captured so far
  std::string stderr_text();
  pid_t pid() const { return pid_; }

 private:
  void read_loop(int out_fd, int err_fd);

  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::optional<int> exit_code_;
  int wake_pipe_[2] = {-1, -1};  // wakes the reader thread for shutdown
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string out_, err_;
  std::size_t scan_from_ = 0;  // stdout offset after the last line returned
  bool out_closed_ = false;
  bool err_closed_ = false;
  std::thread reader_;
};

}  // namespace relais::testing
