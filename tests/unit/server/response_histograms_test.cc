#include "edge/server/response_histograms.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais {
namespace {

std::string render(const std::vector<const ResponseHistograms*>& workers, const std::vector<std::string>& sites) {
  std::string out;
  ResponseHistograms::render(out, workers, sites);
  return out;
}

bool has_line(const std::string& text, const std::string& line) { return text.find("\n" + line + "\n") != std::string::npos; }

TEST(ResponseHistograms, BucketsAreUpperInclusiveAndCumulative) {
  ResponseHistograms h;
  h.record(0, 2, {200, 500}, 256);      // 0.5 ms exactly: in le="0.0005"; 256 B in le="256"
  h.record(0, 2, {600, 501}, 257);      // just above both bounds
  h.record(0, 2, {0, 20'000'000}, 2ull << 30);  // beyond the last bounds: +Inf only
  const std::string out = render({&h}, {"default"});
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_bucket{site=\"default\",class=\"2xx\",le=\"0.0005\"} 1")) << out;
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_bucket{site=\"default\",class=\"2xx\",le=\"0.001\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_bucket{site=\"default\",class=\"2xx\",le=\"10\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_bucket{site=\"default\",class=\"2xx\",le=\"+Inf\"} 3")) << out;
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_count{site=\"default\",class=\"2xx\"} 3")) << out;
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_sum{site=\"default\",class=\"2xx\"} 20.001000999999999")) << out;
  EXPECT_TRUE(has_line(out, "relais_time_to_first_byte_seconds_bucket{site=\"default\",class=\"2xx\",le=\"0.0005\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "relais_response_size_bytes_bucket{site=\"default\",class=\"2xx\",le=\"256\"} 1")) << out;
  EXPECT_TRUE(has_line(out, "relais_response_size_bytes_bucket{site=\"default\",class=\"2xx\",le=\"1024\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "relais_response_size_bytes_bucket{site=\"default\",class=\"2xx\",le=\"1073741824\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "relais_response_size_bytes_sum{site=\"default\",class=\"2xx\"} 2147484161")) << out;
}

TEST(ResponseHistograms, WorkersAreSummedAndEmptyClassesOmitted) {
  ResponseHistograms a, b;
  a.record(0, 5, {1'000, 1'000}, 0);
  b.record(0, 5, {1'000, 1'000}, 0);
  b.record(0, 4, {1'000, 1'000}, 0);
  const std::string out = render({&a, &b}, {"default"});
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_count{site=\"default\",class=\"5xx\"} 2")) << out;
  EXPECT_TRUE(has_line(out, "relais_request_duration_seconds_count{site=\"default\",class=\"4xx\"} 1")) << out;
  EXPECT_EQ(out.find("class=\"2xx\""), std::string::npos) << out;
  EXPECT_EQ(out.find("class=\"1xx\""), std::string::npos) << out;
  EXPECT_NE(out.find("# TYPE relais_request_duration_seconds histogram\n"), std::string::npos);
}

TEST(ResponseHistograms, SitesAreLabelledByNameAndBounded) {
  ResponseHistograms h(2);
  h.record(0, 2, {}, 10);
  h.record(1, 2, {}, 10);
  h.record(7, 2, {}, 10);  // no such site: counted under the last, never out of bounds
  h.record(0, 9, {}, 10);  // no such class: ignored
  const std::string out = render({&h}, {"rectorat", "ent \"41\"\\"});
  EXPECT_TRUE(has_line(out, "relais_response_size_bytes_count{site=\"rectorat\",class=\"2xx\"} 1")) << out;
  EXPECT_TRUE(has_line(out, "relais_response_size_bytes_count{site=\"ent \\\"41\\\"\\\\\",class=\"2xx\"} 2")) << out;
  // A worker sized for fewer sites than are named renders what it has.
  EXPECT_NO_FATAL_FAILURE(render({&h}, {"a", "b", "c"}));
}

}  // namespace
}  // namespace relais
