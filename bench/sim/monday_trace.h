// "Monday morning" synthetic trace: a school morning on the edge.
//
// Four interleaved streams (shares of the requests in parentheses):
//   - site assets (20 %): a few dozen CSS/JS/fonts/logos, 1-60 KiB, every page view;
//   - today's lessons (45 %): `lessons` lesson pages and PDF sheets (median
//     64 KiB, up to 4 MiB); each hour of the morning a window of
//     `hot_lessons_per_hour` of them is hot (Zipf 1.0), sliding by half a
//     window per hour, so the hot set drifts as classes change;
//   - archives (15 %): a long tail of `archives` past lessons (Zipf 0.5,
//     median 48 KiB, up to 64 MiB: some bypass the memory tier);
//   - video range requests (20 %): `videos` recorded lessons (Zipf 0.8); 80 %
//     are 8 MiB-2 GiB (bypass the memory tier, as on the edge), 20 % short
//     clips of 256 KiB-4 MiB. A viewing is a burst of range requests (1 + a
//     geometric count, mean 8), each an access of the whole video object;
//     up to 64 viewings are interleaved.
// Deterministic for given parameters.
#pragma once

#include <cstdint>

#include "bench/sim/trace.h"

namespace relais::sim {

struct MondayTraceParams {
  std::uint64_t requests = 2'000'000;
  std::uint32_t assets = 40;
  std::uint32_t lessons = 600;
  std::uint32_t hot_lessons_per_hour = 300;
  std::uint32_t hours = 3;
  std::uint32_t archives = 300'000;
  std::uint32_t videos = 3'000;
  double asset_share = 0.20;
  double lesson_share = 0.45;
  double archive_share = 0.15;  // the rest are video ranges
  std::uint64_t seed = 7;
};

Trace make_monday_trace(const MondayTraceParams& params);

}  // namespace relais::sim
