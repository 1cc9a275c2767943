// kill -9 of relais-sync pull at random points: the store stays consistent
// (verify passes, the manifest is the old or the new one with all its blobs)
// and the next pull fetches exactly the blobs that were not yet verified.
#include <gtest/gtest.h>
#include <signal.h>

#include <random>

#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

constexpr int kIterations = 30;
constexpr auto kBudget = std::chrono::seconds(150);

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(OriginSyncKill, KillNineAtRandomPointsNeverCorruptsAndResumesWithoutRefetching) {
  TempDir dir;
  std::mt19937_64 rng(20240406);
  // Two generations with disjoint blobs, served by two origins; with
  // --gc-grace 0 each switch makes the next pull fetch a whole generation.
  for (int g = 0; g < 2; ++g) {
    for (int i = 0; i < 24; ++i) dir.write("src" + std::to_string(g) + "/f" + std::to_string(i) + ".bin", random_bytes(rng, 96 * 1024));
    ProcessResult r = relais_sync({"publish", dir.file("src" + std::to_string(g)), dir.file("out" + std::to_string(g)), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TestOrigin origins[2] = {TestOrigin(dir.file("out0")), TestOrigin(dir.file("out1"))};
  const Manifest manifests[2] = {read_published_manifest(dir.file("out0")), read_published_manifest(dir.file("out1"))};
  const std::string store = dir.file("store");
  ASSERT_EQ(pull_from(origins[1].url(), store, {"--gc-grace", "0s"}).exit_code, 0);

  const auto deadline = std::chrono::steady_clock::now() + kBudget;
  int iterations = 0, killed_mid_pull = 0;
  for (; iterations < kIterations && std::chrono::steady_clock::now() < deadline; ++iterations) {
    TestOrigin& origin = origins[iterations % 2];
    const std::set<std::string> wanted = blob_hashes(manifests[iterations % 2]);
    const int start_bodies = origin.blob_bodies_sent();
    const int kill_after = std::uniform_int_distribution<int>(0, static_cast<int>(wanted.size()))(rng);
    {
      Subprocess puller({RELAIS_SYNC_BIN, "pull", "--origin", origin.url(), "--store", store, "--jobs", "2",
                         "--gc-grace", "0s", "--quiet"});
      const bool mid = origin.wait_for([&] { return origin.blob_bodies_sent() - start_bodies >= kill_after; });
      puller.send_signal(SIGKILL);
      auto code = puller.wait_exit(std::chrono::seconds(20));
      ASSERT_TRUE(code);
      killed_mid_pull += mid && *code == -SIGKILL;
    }
    ProcessResult v = relais_sync({"verify", "--store", store});
    ASSERT_EQ(v.exit_code, 0) << "iteration " << iterations << ": " << v.err;

    // Resume: no blob that is already a final, verified file is asked for
    // again. (The number of bodies sent is not bounded by the missing count:
    // a transfer stalled past --stall-timeout on a loaded machine is retried,
    // as it must be.)
    const auto present = stored_blobs(store);
    const auto gets_before = origin.gets();
    ProcessResult r = pull_from(origin.url(), store, {"--gc-grace", "0s"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto gets_after = origin.gets();
    for (const auto& h : wanted) {
      if (!present.contains(h)) continue;
      const std::string path = "/blobs/" + h.substr(0, 2) + "/" + h;
      const auto was = gets_before.find(path), now = gets_after.find(path);
      const int n_before = was == gets_before.end() ? 0 : was->second, n_after = now == gets_after.end() ? 0 : now->second;
      EXPECT_EQ(n_after, n_before) << "verified blob " << h << " fetched again, iteration " << iterations;
    }
    ASSERT_EQ(relais_sync({"verify", "--store", store}).exit_code, 0);
    EXPECT_EQ(read_file(store + "/manifest"), read_file(dir.file("out" + std::to_string(iterations % 2)) + "/manifest"));
  }
  std::printf("kill -9 loop: %d iterations, %d killed mid-pull, 0 corruptions\n", iterations, killed_mid_pull);
  EXPECT_GE(iterations, 10);
  EXPECT_GT(killed_mid_pull, 0);
}

}  // namespace
}  // namespace relais::testing
