#include "edge/storage/blob_rehasher.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "edge/storage/blob_store.h"
#include "origin-sync/blob_path.h"

namespace relais {
namespace {

namespace fs = std::filesystem;

class BlobRehasherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "relais-rehasher-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  ContentHash put(const std::string& bytes) {
    ContentHash h = hash_bytes(std::string_view(bytes));
    fs::path p = blob_path(root_, h);
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
    return h;
  }
  // Same size, same inode, other bytes: what bit rot or a stray write does.
  void overwrite_in_place(const ContentHash& h, std::uint64_t offset) {
    int fd = ::open(blob_path(root_, h).c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::pwrite(fd, "#", 1, static_cast<off_t>(offset)), 1);
    ::close(fd);
  }
  BlobRehasher rehasher() {
    return BlobRehasher(root_, quarantine_, stats_, [this](std::string_view l) { log_.emplace_back(l); },
                        BlobOwners::of_store(root_));
  }
  // Steps of at most budget bytes until a pass ends; returns how many steps.
  static int run_pass(BlobRehasher& r, std::uint64_t budget) {
    for (int steps = 1; steps < 1'000'000; ++steps) {
      RehashStep s = r.step(budget);
      EXPECT_LE(s.bytes, budget);
      if (s.pass_finished) return steps;
    }
    ADD_FAILURE() << "the pass never ended";
    return 0;
  }

  std::string root_;
  BlobQuarantine quarantine_;
  RehashStats stats_;
  std::vector<std::string> log_;
};

TEST_F(BlobRehasherTest, GoodBlobsAreCheckedWithinTheBudgetAndKept) {
  const std::string video(3 << 20, 'v');
  ContentHash a = put(video), b = put("page"), c = put("");
  BlobRehasher r = rehasher();
  const int steps = run_pass(r, 64 * 1024);
  EXPECT_GE(steps, 48);  // 3 MiB in slices of 64 KiB: one file spans many steps
  EXPECT_EQ(stats_.blobs_checked.load(), 3u);
  EXPECT_EQ(stats_.bytes_hashed.load(), video.size() + 4);
  EXPECT_EQ(stats_.corrupt_found.load(), 0u);
  EXPECT_EQ(stats_.passes.load(), 1u);
  EXPECT_TRUE(log_.empty());
  for (const ContentHash& h : {a, b, c}) EXPECT_TRUE(fs::exists(blob_path(root_, h)));
  run_pass(r, 1 << 20);  // and again, from the start
  EXPECT_EQ(stats_.blobs_checked.load(), 6u);
}

// Issue 21, item 8: a large blob overwritten in place with the same size was
// served for ever with its original ETag.
TEST_F(BlobRehasherTest, SameSizeOverwriteIsFoundRemovedAndNoLongerServed) {
  const std::string video(2 << 20, 'v');
  ContentHash h = put(video);
  ContentHash good = put("intact");
  BlobStore store(root_, 8, &quarantine_);
  Result<FileRef> cached = store.open(h, video.size());  // a worker sent it once: fd cached
  ASSERT_TRUE(cached.ok());
  overwrite_in_place(h, 1'000'000);
  ASSERT_TRUE(store.open(h, video.size()).ok());  // size and type alone cannot tell
  BlobRehasher r = rehasher();
  run_pass(r, 256 * 1024);
  EXPECT_EQ(stats_.corrupt_found.load(), 1u);
  EXPECT_EQ(stats_.blobs_checked.load(), 2u);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find(blob_path(root_, h)), std::string::npos) << log_[0];
  EXPECT_NE(log_[0].find("removed"), std::string::npos) << log_[0];
  EXPECT_FALSE(fs::exists(blob_path(root_, h)));  // the next sync fetches it again
  EXPECT_TRUE(fs::exists(blob_path(root_, good)));
  EXPECT_FALSE(store.open(h, video.size()).ok());  // the cached fd is not used again
  EXPECT_EQ(store.open_files(), 0u);
}

TEST_F(BlobRehasherTest, TemporaryFilesAndSymlinksAreNotBlobs) {
  ContentHash h = put("page");
  const std::string dir = fs::path(blob_path(root_, h)).parent_path().string();
  std::ofstream(dir + "/" + h.hex() + ".part", std::ios::binary) << "half";
  std::ofstream(dir + "/.tmp-123", std::ios::binary) << "temp";
  ContentHash other = hash_bytes(std::string_view("autre"));
  fs::create_directories(fs::path(blob_path(root_, other)).parent_path());
  fs::create_symlink(blob_path(root_, h), blob_path(root_, other));
  BlobRehasher r = rehasher();
  run_pass(r, 1 << 20);
  EXPECT_EQ(stats_.blobs_checked.load(), 1u);
  EXPECT_EQ(stats_.corrupt_found.load(), 0u);
  EXPECT_TRUE(fs::exists(dir + "/" + h.hex() + ".part"));
}

TEST_F(BlobRehasherTest, BlobTruncatedWhileBeingHashedIsCorrupt) {
  const std::string video(2 << 20, 'v');
  ContentHash h = put(video);
  BlobRehasher r = rehasher();
  RehashStep first = r.step(64 * 1024);
  ASSERT_EQ(first.bytes, 64u * 1024);
  fs::resize_file(blob_path(root_, h), 100'000);
  run_pass(r, 1 << 20);
  EXPECT_EQ(stats_.corrupt_found.load(), 1u);
  EXPECT_FALSE(fs::exists(blob_path(root_, h)));
}

TEST_F(BlobRehasherTest, EmptyStoreEndsAPassAtOnce) {
  BlobRehasher r = rehasher();
  RehashStep s = r.step(1 << 20);
  EXPECT_TRUE(s.pass_finished);
  EXPECT_EQ(s.bytes, 0u);
}

}  // namespace
}  // namespace relais
