#include "origin-sync/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace relais {
namespace {

std::size_t terminal_width(std::FILE* f) {
  winsize ws{};
  if (::ioctl(::fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10) return ws.ws_col;
  return 80;
}

std::string minutes_seconds(std::uint64_t seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(seconds / 60),
                static_cast<unsigned long long>(seconds % 60));
  return buf;
}

}  // namespace

void ProgressCounters::set_totals(std::uint64_t files, std::uint64_t bytes) {
  files_total_.store(files, std::memory_order_relaxed);
  bytes_total_.store(bytes, std::memory_order_relaxed);
}

void ProgressCounters::file_done(std::uint64_t identity_bytes, std::uint64_t best_bytes) {
  files_done_.fetch_add(1, std::memory_order_relaxed);
  bytes_done_.fetch_add(identity_bytes, std::memory_order_relaxed);
  bytes_best_.fetch_add(best_bytes, std::memory_order_relaxed);
}

ProgressSnapshot ProgressCounters::snapshot() const {
  return {files_done_.load(std::memory_order_relaxed), files_total_.load(std::memory_order_relaxed),
          bytes_done_.load(std::memory_order_relaxed), bytes_total_.load(std::memory_order_relaxed),
          bytes_best_.load(std::memory_order_relaxed)};
}

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 4) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string render_progress_line(const ProgressSnapshot& s, std::chrono::milliseconds elapsed, std::size_t width) {
  if (s.files_total == 0 && s.files_done == 0) return std::string("scanning the source tree...").substr(0, width);
  char counts[96];
  std::snprintf(counts, sizeof counts, "  %llu/%llu files  ", static_cast<unsigned long long>(s.files_done),
                static_cast<unsigned long long>(s.files_total));
  std::string tail = counts;
  tail += format_bytes(s.bytes_done);
  tail += '/';
  tail += format_bytes(s.bytes_total);
  if (s.bytes_done > 0) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "  ratio %.2f", static_cast<double>(s.bytes_best) / static_cast<double>(s.bytes_done));
    tail += ratio;
  }
  // ETA from the byte rate so far: compression time grows with bytes, not files.
  if (s.bytes_done > 0 && s.bytes_total >= s.bytes_done && elapsed.count() > 0) {
    const double rate = static_cast<double>(s.bytes_done) / static_cast<double>(elapsed.count());
    const auto left_s = static_cast<std::uint64_t>(static_cast<double>(s.bytes_total - s.bytes_done) / rate / 1000.0);
    tail += "  ETA ";
    tail += minutes_seconds(left_s);
  }
  const std::size_t bar_width = width > tail.size() + 12 ? std::min<std::size_t>(40, width - tail.size() - 2) : 0;
  std::string line;
  if (bar_width > 0) {
    const std::uint64_t total = s.bytes_total > 0 ? s.bytes_total : 1;
    const std::size_t filled =
        std::min(bar_width, static_cast<std::size_t>(static_cast<double>(bar_width) *
                                                     static_cast<double>(s.bytes_done) / static_cast<double>(total)));
    line.reserve(bar_width + 2);
    line += '[';
    line.append(filled, '#');
    line.append(bar_width - filled, '.');
    line += ']';
  }
  line += tail;
  if (line.size() > width) line.resize(width);
  return line;
}

ProgressBar::ProgressBar(const ProgressCounters& counters, std::FILE* terminal, bool enabled)
    : counters_(counters), terminal_(terminal), enabled_(enabled) {
  if (enabled_) thread_ = std::thread([this] { run(); });
}

ProgressBar::~ProgressBar() {
  if (!enabled_) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
  std::fputs("\r\033[K", terminal_);
  std::fflush(terminal_);
}

void ProgressBar::print_line(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (enabled_) std::fputs("\r\033[K", terminal_);
  std::fputs(line.c_str(), terminal_);
  std::fputc('\n', terminal_);
  if (enabled_) draw_locked();
  std::fflush(terminal_);
}

void ProgressBar::draw_locked() {
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_);
  const std::string line = render_progress_line(counters_.snapshot(), elapsed, terminal_width(terminal_) - 1);
  std::fputs("\r\033[K", terminal_);
  std::fputs(line.c_str(), terminal_);
  std::fflush(terminal_);
}

void ProgressBar::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    draw_locked();
    stop_cv_.wait_for(lock, std::chrono::milliseconds(1000 / kRedrawsPerSecond), [this] { return stop_; });
  }
}

}  // namespace relais
