// The pull-through tests' edge (edge_pull_test.cc, edge_pull_h2_test.cc): a
// store with two published pages, one worker (the coalescer and the pulled
// objects are per worker) in front of a ScriptedOrigin that counts its
// requests, no per-address rate.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/edge_fixture.h"
#include "tests/unit/upstream/scripted_origin.h"

namespace relais::testing {

using upstream::testing::ReceivedRequest;
using upstream::testing::ScriptedOrigin;
using upstream::testing::ScriptedReply;

class EdgePullBase : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(publish_tree(dir_, {{"index.html", "<p>published</p>\n"}, {"cours/lecon.html", "<p>lecon</p>\n"}}));
  }

  void start(const ScriptedOrigin& origin, std::vector<std::string> flags = {"--mode", "pull"}) {
    flags.insert(flags.end(), {"--origin-url", origin.base_url(), "--workers", "1", "--address-rate", "0"});
    edge_ = start_edge(dir_, flags);
    ASSERT_NE(edge_.port, 0);
  }

  std::optional<HttpResponse> get(const std::string& path, const std::vector<std::string>& headers = {}) {
    return http_get(edge_.port, path, headers);
  }

  double await_metric(const std::string& series, double min) {
    return relais::testing::await_metric(edge_.admin_port, series, min);
  }

  // The access log once it holds needle, or as it is after 10 s.
  std::string await_log(const std::string& needle) {
    std::string log;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      std::ifstream in(dir_.file("access.log"));
      log.assign(std::istreambuf_iterator<char>(in), {});
      if (log.find(needle) != std::string::npos || std::chrono::steady_clock::now() >= until) return log;
      ::poll(nullptr, 0, 20);
    }
  }

  TempDir dir_;
  RunningEdge edge_;
};

inline ScriptedReply cacheable(const std::string& body, const std::string& cache_control = "max-age=60") {
  return ScriptedReply::ok(body, {"Content-Type: text/plain", "Cache-Control: " + cache_control});
}

// Sliced objects' tests (edge_pull_slices_test.cc, edge_pull_slices_disk_test.cc,
// edge_pull_slices_guard_test.cc).
constexpr std::size_t kMiB = 1 << 20;

// A body of n bytes whose every byte says where it is (and which version).
inline std::string counted(std::size_t n, std::size_t version = 0) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251 + version) % 26);
  return s;
}

inline std::vector<std::string> video_fields(const std::string& etag = "\"v1\"") {
  return {"Content-Type: video/mp4", "Cache-Control: max-age=60", "ETag: " + etag};
}

inline std::string range_of(std::size_t first, std::size_t last) {
  return "Range: bytes=" + std::to_string(first) + "-" + std::to_string(last);
}

}  // namespace relais::testing
