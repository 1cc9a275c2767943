#include "bench/sim/monday_trace.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "bench/sim/rng.h"
#include "bench/sim/zipf_sampler.h"
#include "origin-sync/assert.h"

namespace relais::sim {

namespace {
constexpr std::uint64_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;
// Keys of each stream live in their own range.
enum Stream : std::uint64_t { kAsset = 1, kLesson = 2, kArchive = 3, kVideo = 4 };
std::uint64_t key(Stream s, std::uint64_t i) { return (s << 40) | i; }

constexpr std::size_t kActiveViewings = 64;
constexpr double kMeanRangesPerViewing = 8;

struct Viewing {
  std::uint32_t video = 0;
  std::uint32_t ranges_left = 0;
};
}  // namespace

Trace make_monday_trace(const MondayTraceParams& p) {
  RELAIS_ASSERT(p.hours > 0 && p.hot_lessons_per_hour <= p.lessons);
  Rng rng(p.seed);
  TraceBuilder trace("monday-morning");

  std::vector<std::uint64_t> asset_bytes(p.assets), lesson_bytes(p.lessons), archive_bytes(p.archives),
      video_bytes(p.videos);
  for (auto& s : asset_bytes) s = rng.lognormal_bytes(8 * KiB, 1.0, 1 * KiB, 60 * KiB);
  for (auto& s : lesson_bytes) s = rng.lognormal_bytes(64 * KiB, 1.3, 2 * KiB, 4 * MiB);
  for (auto& s : archive_bytes) s = rng.lognormal_bytes(48 * KiB, 1.5, 512, 64 * MiB);
  for (auto& s : video_bytes) {
    s = rng.chance(0.2) ? rng.lognormal_bytes(2 * MiB, 0.4, 256 * KiB, 4 * MiB)
                        : rng.lognormal_bytes(120 * MiB, 0.8, 8 * MiB, 2 * GiB);
  }
  const ZipfSampler asset_zipf(p.assets, 1.0), lesson_zipf(p.hot_lessons_per_hour, 1.0),
      archive_zipf(p.archives, 0.5), video_zipf(p.videos, 0.8);
  const std::vector<std::uint32_t> archive_of_rank = shuffled_indices(p.archives, rng);
  const std::vector<std::uint32_t> video_of_rank = shuffled_indices(p.videos, rng);
  std::vector<std::vector<std::uint32_t>> lesson_of_rank;  // per hour, within its window
  for (std::uint32_t h = 0; h < p.hours; ++h) lesson_of_rank.push_back(shuffled_indices(p.hot_lessons_per_hour, rng));

  auto new_viewing = [&] {
    double extra = std::floor(-std::log(1.0 - rng.uniform()) * (kMeanRangesPerViewing - 1));
    return Viewing{video_of_rank[video_zipf.draw(rng)],
                   1 + static_cast<std::uint32_t>(std::min(extra, 1000.0))};
  };
  std::vector<Viewing> viewings(kActiveViewings);
  for (Viewing& v : viewings) v = new_viewing();

  const std::uint32_t slide = p.hours > 1 ? (p.lessons - p.hot_lessons_per_hour) / (p.hours - 1) : 0;
  for (std::uint64_t i = 0; i < p.requests; ++i) {
    double u = rng.uniform();
    if (u < p.asset_share) {
      std::uint64_t a = asset_zipf.draw(rng);
      trace.add(key(kAsset, a), asset_bytes[a]);
    } else if (u < p.asset_share + p.lesson_share) {
      auto hour = static_cast<std::uint32_t>(i * p.hours / p.requests);
      std::uint32_t lesson = hour * slide + lesson_of_rank[hour][lesson_zipf.draw(rng)];
      trace.add(key(kLesson, lesson), lesson_bytes[lesson]);
    } else if (u < p.asset_share + p.lesson_share + p.archive_share) {
      std::uint32_t archive = archive_of_rank[archive_zipf.draw(rng)];
      trace.add(key(kArchive, archive), archive_bytes[archive]);
    } else {
      Viewing& v = viewings[rng.below(kActiveViewings)];
      trace.add(key(kVideo, v.video), video_bytes[v.video]);
      if (--v.ranges_left == 0) v = new_viewing();
    }
  }
  return std::move(trace).finish();
}

}  // namespace relais::sim
