// A trickling origin (TestOrigin::trickle_next: 2 bytes/s, enough "progress"
// for a 1 byte/s low-speed limit) must not hold a sync: the minimum rate
// averaged over the stall window cuts it, and the per-request deadline cuts
// one trickling just above the minimum rate. Both for `relais-sync pull` and
// for the edge's own sync (its origin-* options wired to the fetcher). Each
// wait is bounded; the tests check that the pull finished, with the message
// naming the bound, not how long it took.
#include <gtest/gtest.h>

#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

class TricklingOrigin : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text;
    for (int i = 0; i < 40; ++i) text += "Ligne " + std::to_string(i) + " du cours.\n";
    dir.write("src/cours.txt", text);
    ProcessResult r = relais_sync({"publish", dir.file("src"), dir.file("out"), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    origin.faults_only_under("/manifest");
    origin.trickle_next(100);  // every manifest request trickles
  }
  ProcessResult pull(std::vector<std::string> options) {
    std::vector<std::string> argv = {RELAIS_SYNC_BIN, "pull", "--origin", origin.url(), "--store", dir.file("store"),
                                     "--retries", "0"};
    argv.insert(argv.end(), options.begin(), options.end());
    // At 2 bytes/s the manifest alone would take minutes: finishing at all is the point.
    return run_process(argv, std::chrono::seconds(60));
  }
  Subprocess edge(std::vector<std::string> options) {
    std::vector<std::string> argv = {RELAIS_EDGE_BIN, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                                     "--store", dir.file("edge-store"), "--origin", origin.url(), "--sync-retries", "0",
                                     "--workers", "1", "--memory-cache", "1M", "--access-log", "off"};
    argv.insert(argv.end(), options.begin(), options.end());
    return Subprocess(argv);
  }

  TempDir dir;
  TestOrigin origin{dir.file("out")};
};

TEST_F(TricklingOrigin, PullIsCutBelowTheMinimumRate) {
  ProcessResult r = pull({"--stall-timeout", "3s"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("/manifest: slower than 1024 bytes/s for 3 s"), std::string::npos) << r.err;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST_F(TricklingOrigin, PullIsCutAtTheDeadlineWhenTheTrickleMeetsTheMinimumRate) {
  ProcessResult r = pull({"--stall-timeout", "3s", "--min-rate", "1", "--deadline", "2s"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("/manifest: not finished within the deadline of 2.0 s"), std::string::npos) << r.err;
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST_F(TricklingOrigin, EdgeSyncAppliesItsStallTimeoutAndMinimumRate) {
  Subprocess e = edge({"--origin-stall-timeout", "2s"});
  EXPECT_TRUE(e.wait_for_stderr_text("/manifest: slower than 1024 bytes/s for 2 s", std::chrono::seconds(60)))
      << e.stderr_text();
}

TEST_F(TricklingOrigin, EdgeSyncAppliesItsDeadline) {
  Subprocess e = edge({"--origin-min-rate", "1", "--origin-deadline", "2s"});
  EXPECT_TRUE(e.wait_for_stderr_text("/manifest: not finished within the deadline of 2.0 s", std::chrono::seconds(60)))
      << e.stderr_text();
}

}  // namespace
}  // namespace relais::testing
