// ResponseHistograms: per-worker Prometheus histograms of every response:
// request duration, time to first byte (seconds) and body size (bytes), by
// site and status class.
//
// Storage: plain single-writer Counters (counter.h), one block per site,
// allocated once (the site count is the number of configured sites, a
// bound the server supplies); the admin thread sums the workers at render.
// Buckets are fixed and chosen for an edge: sub-millisecond memory hits to
// ten-second downloads on a weak link; 256 B pages to 1 GiB videos. Buckets
// are stored non-cumulative (one increment per observation) and cumulated
// at render, as the exposition format requires.
//
// Times are in microseconds of the worker's cached loop clock: a response
// queued and written in the same loop turn measures 0 (it lands in the
// lowest bucket), which is what it cost the client within the clock's
// resolution.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "edge/server/counter.h"

namespace relais {

// One finished exchange, as a protocol session saw it.
struct ExchangeTiming {
  std::uint64_t ttfb_us = 0;      // head complete -> first response byte handed to the socket
  std::uint64_t duration_us = 0;  // head complete -> last response byte handed to the socket
};

class ResponseHistograms {
 public:
  static constexpr int kClasses = 5;  // 1xx..5xx (worker_stats.h requests_class())
  static constexpr std::uint64_t kSecondsBoundsUs[] = {500,     1'000,   2'500,   5'000,     10'000,    25'000,   50'000,
                                                       100'000, 250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
  static constexpr std::uint64_t kBytesBounds[] = {256,       1ull << 10, 4ull << 10,  16ull << 10,  64ull << 10,  256ull << 10,
                                                   1ull << 20, 4ull << 20, 16ull << 20, 64ull << 20, 256ull << 20, 1ull << 30};
  static constexpr int kSecondsBuckets = sizeof kSecondsBoundsUs / sizeof kSecondsBoundsUs[0] + 1;  // + Inf
  static constexpr int kBytesBuckets = sizeof kBytesBounds / sizeof kBytesBounds[0] + 1;

  // sites: at least 1; a site index past it is recorded under the last.
  explicit ResponseHistograms(std::size_t sites = 1);

  // Hit path: five counter increments and two short bucket scans.
  void record(std::size_t site, int status_class, const ExchangeTiming& timing, std::uint64_t body_bytes);

  std::size_t sites() const { return sites_; }

  // Appends the three histograms summed over workers; site_names[i] labels
  // site i (sites beyond the names, and empty names, are not rendered).
  static void render(std::string& out, const std::vector<const ResponseHistograms*>& workers,
                     const std::vector<std::string>& site_names);

 private:
  struct Series {
    Counter duration[kSecondsBuckets];
    Counter duration_sum_us;
    Counter ttfb[kSecondsBuckets];
    Counter ttfb_sum_us;
    Counter size[kBytesBuckets];
    Counter size_sum;
  };
  const Series& series(std::size_t site, int status_class) const { return series_[site * kClasses + status_class - 1]; }

  std::size_t sites_;
  std::unique_ptr<Series[]> series_;
};

}  // namespace relais
