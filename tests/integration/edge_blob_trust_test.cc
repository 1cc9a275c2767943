// What relais-edge serves when the store's files change under it (issue 21,
// items 7 and 8): a blob replaced by a symlink, truncated after it was
// served once, or overwritten in place with the same size is never served
// with a 200 and its original ETag again.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "origin-sync/blob_path.h"
#include "origin-sync/content_hash.h"
#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"

namespace relais::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kVideo = "/videos/big.bin";  // above --memory-object-max: sent from its file

class EdgeBlobTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = standard_tree();
    ASSERT_TRUE(publish_tree(dir_, files_));
    video_ = files_.at("videos/big.bin");
    video_blob_ = blob_path(dir_.file("out"), hash_bytes(std::string_view(video_)));
    ASSERT_TRUE(fs::exists(video_blob_));
  }
  static std::string get_request(std::string_view path) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n\r\n";
  }
  // Workers publish their counters once a second: polls /metrics (every
  // 20 ms, at most 10 s) until series reaches at least min.
  static double await_metric(std::uint16_t admin_port, const std::string& series, double min) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    double value = -1;
    for (;;) {
      if (auto m = http_get(admin_port, "/metrics")) {
        auto at = m->body.find("\n" + series + " ");  // the sample, not its # HELP line
        value = at == std::string::npos ? -1.0 : std::stod(m->body.substr(at + series.size() + 2));
      }
      if (value >= min || std::chrono::steady_clock::now() >= until) return value;
      ::poll(nullptr, 0, 20);
    }
  }

  TempDir dir_;
  std::map<std::string, std::string> files_;
  std::string video_;
  std::string video_blob_;
};

TEST_F(EdgeBlobTrust, BlobReplacedBySymlinkToZerosIsNotServed) {
  RunningEdge edge = start_edge(dir_, {"--rehash-rate", "0"});
  auto first = http_get(edge.port, kVideo);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  ASSERT_EQ(first->body, video_);
  const std::string zeros = dir_.file("zeros");
  std::ofstream(zeros, std::ios::binary) << std::string(video_.size(), '\0');
  fs::remove(video_blob_);
  fs::create_symlink(zeros, video_blob_);
  // Both workers: one has the old fd cached, the other opens the path.
  for (int i = 0; i < 4; ++i) {
    auto r = http_get(edge.port, kVideo);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << "request " << i;
    EXPECT_EQ(r->body.find(std::string(1000, '\0')), std::string::npos);
  }
  EXPECT_GE(await_metric(edge.admin_port, "relais_blob_errors_total{kind=\"refused\"}", 1), 1);
}

TEST_F(EdgeBlobTrust, BlobTruncatedAfterBeingServedGets503OnTheSameConnection) {
  RunningEdge edge = start_edge(dir_, {"--rehash-rate", "0"});
  RawClient c(edge.port);
  ASSERT_TRUE(c.send(get_request(kVideo)));
  auto first = c.read_response();
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  fs::resize_file(video_blob_, 1'000'000);
  ASSERT_TRUE(c.send(get_request(kVideo)));
  auto second = c.read_response();
  ASSERT_TRUE(second);  // before the fix: a 200 promising 3 MiB, 1 000 000 bytes sent
  EXPECT_EQ(second->status, 503);
  EXPECT_GE(await_metric(edge.admin_port, "relais_blob_errors_total{kind=\"short\"}", 1), 1);
}

TEST_F(EdgeBlobTrust, InPlaceOverwriteIsFoundByTheRehasherAndNotServed) {
  // The overwrite may land after the first pass went by: the second one,
  // a second later, finds it.
  RunningEdge edge = start_edge(dir_, {"--rehash-rate", "64M", "--rehash-interval", "1s"});
  auto first = http_get(edge.port, kVideo);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string etag = first->header("ETag");
  // Same inode, same size, one byte different: only a re-hash can tell.
  int fd = ::open(video_blob_.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const char flipped = static_cast<char>(video_[2'000'000] ^ 0x20);
  ASSERT_EQ(::pwrite(fd, &flipped, 1, 2'000'000), 1);
  ::close(fd);
  ASSERT_TRUE(edge.process->wait_for_stderr_text("is corrupt")) << edge.process->stderr_text();
  EXPECT_NE(edge.process->stderr_text().find(video_blob_), std::string::npos) << edge.process->stderr_text();
  for (int i = 0; i < 4; ++i) {
    auto r = http_get(edge.port, kVideo);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503) << "request " << i;
  }
  EXPECT_GE(await_metric(edge.admin_port, "relais_blob_rehash_corrupt_total{site=\"default\"}", 1), 1);
  EXPECT_GE(await_metric(edge.admin_port, "relais_blob_rehash_bytes_total{site=\"default\"}", static_cast<double>(video_.size())),
            static_cast<double>(video_.size()));
}

}  // namespace
}  // namespace relais::testing
