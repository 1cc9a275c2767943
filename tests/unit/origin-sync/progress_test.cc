#include "origin-sync/progress.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

TEST(Progress, FormatBytesUsesBinaryUnits) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(5ull << 30), "5.0 GiB");
}

TEST(Progress, LineShowsFilesBytesRatioAndEta) {
  ProgressSnapshot s{50, 100, 1024 * 1024, 2 * 1024 * 1024, 256 * 1024};
  const std::string line = render_progress_line(s, std::chrono::milliseconds(10'000), 120);
  EXPECT_NE(line.find("50/100 files"), std::string::npos) << line;
  EXPECT_NE(line.find("1.0 MiB/2.0 MiB"), std::string::npos) << line;
  EXPECT_NE(line.find("ratio 0.25"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:10"), std::string::npos) << line;  // half done in 10 s
  EXPECT_NE(line.find("[####################....................]"), std::string::npos) << line;
}

TEST(Progress, LineNeverExceedsTheWidth) {
  ProgressSnapshot s{1, 2, 3, 4, 1};
  for (std::size_t width : {0u, 5u, 20u, 40u, 80u}) EXPECT_LE(render_progress_line(s, std::chrono::milliseconds(5), width).size(), width);
}

TEST(Progress, CountersAccumulate) {
  ProgressCounters c;
  c.set_totals(3, 300);
  c.file_done(100, 10);
  c.file_done(100, 20);
  const auto s = c.snapshot();
  EXPECT_EQ(s.files_done, 2u);
  EXPECT_EQ(s.files_total, 3u);
  EXPECT_EQ(s.bytes_done, 200u);
  EXPECT_EQ(s.bytes_best, 30u);
}

}  // namespace
}  // namespace relais
