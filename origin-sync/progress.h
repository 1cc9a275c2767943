// Progress of a long publish: shared counters, a terminal bar, a summary.
//
// Workers bump ProgressCounters (atomics, no lock on the hot path). When
// stderr is a terminal, ProgressBar redraws one line from its own thread at
// most kRedrawsPerSecond times; warnings go through it so that they do not
// interleave with the bar. render_progress_line() is a plain function of a
// snapshot and the elapsed time, so it is tested without a terminal or clock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>

namespace relais {

// Humans read ~10 updates per second; more only costs terminal bandwidth.
inline constexpr int kRedrawsPerSecond = 10;

struct ProgressSnapshot {
  std::uint64_t files_done = 0;
  std::uint64_t files_total = 0;
  std::uint64_t bytes_done = 0;   // identity bytes of the files done
  std::uint64_t bytes_total = 0;  // 0 while unknown
  std::uint64_t bytes_best = 0;   // smallest variant of each file done
};

class ProgressCounters {
 public:
  void set_totals(std::uint64_t files, std::uint64_t bytes);
  void file_done(std::uint64_t identity_bytes, std::uint64_t best_bytes);
  ProgressSnapshot snapshot() const;

 private:
  std::atomic<std::uint64_t> files_done_{0}, files_total_{0}, bytes_done_{0}, bytes_total_{0}, bytes_best_{0};
};

// "1.5 MiB", "812 B": binary units, one decimal.
std::string format_bytes(std::uint64_t bytes);
// "[#####.....]  120/2000 files  1.5/12.0 MiB  ratio 0.31  ETA 0:12", at most width columns.
std::string render_progress_line(const ProgressSnapshot& s, std::chrono::milliseconds elapsed, std::size_t width);

class ProgressBar {
 public:
  // Draws on `terminal` only when enabled; otherwise warn() just prints lines.
  ProgressBar(const ProgressCounters& counters, std::FILE* terminal, bool enabled);
  ~ProgressBar();  // stops the thread and erases the bar
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Prints one line (a warning) above the bar. Thread-safe.
  void print_line(const std::string& line);

 private:
  void run();
  void draw_locked();

  const ProgressCounters& counters_;
  std::FILE* terminal_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace relais
