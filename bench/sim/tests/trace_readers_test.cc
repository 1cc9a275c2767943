// Trace readers: the public "timestamp id size" text format and Relais's access log.
#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "bench/sim/access_log_reader.h"
#include "bench/sim/text_trace_reader.h"

namespace relais::sim {
namespace {

Trace read_text(const std::string& text, TextTraceFormat format = {}) {
  std::istringstream in(text);
  Result<Trace> t = read_text_trace(in, format, "t", 1000);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? std::move(t).value() : Trace{};
}

Trace read_log(const std::string& text) {
  std::istringstream in(text);
  Result<Trace> t = read_access_log(in, "log", 1000);
  EXPECT_TRUE(t.ok()) << (t.ok() ? "" : t.error().message);
  return t.ok() ? std::move(t).value() : Trace{};
}

TEST(TextTraceReader, ReadsSpaceCommaAndTabSeparatedLines) {
  Trace t = read_text("1 a 100\n2,b,200\n3\ta\t100\n4 ;c; 300\r\n");
  ASSERT_EQ(t.requests.size(), 4u);
  ASSERT_EQ(t.objects(), 3u);
  EXPECT_EQ(t.requests[0], t.requests[2]);
  EXPECT_EQ(t.object_bytes[t.requests[0]], 100u);
  EXPECT_EQ(t.object_bytes[t.requests[1]], 200u);
  EXPECT_EQ(t.object_bytes[t.requests[3]], 300u);
  EXPECT_EQ(t.skipped_lines, 0u);
}

TEST(TextTraceReader, SkipsCommentsBlankLinesAndCountsMalformedOnes) {
  Trace t = read_text("# comment\n\ntimestamp id size\n1 a 10\n2 b\n3 c -5\n4 d 12x\n5 a 10\n");
  EXPECT_EQ(t.requests.size(), 2u);
  EXPECT_EQ(t.objects(), 1u);
  EXPECT_EQ(t.skipped_lines, 4u);  // header, missing size, negative, trailing junk
}

TEST(TextTraceReader, ObjectSizeIsTheLargestReported) {
  Trace t = read_text("1 a 10\n2 a 50\n3 a 20\n");
  ASSERT_EQ(t.objects(), 1u);
  EXPECT_EQ(t.object_bytes[0], 50u);
}

TEST(TextTraceReader, ReadsConfiguredColumns) {
  // Wikimedia 2019 upload trace: time hashed_path image_type size ttfb.
  Trace t = read_text("0 8f3a jpeg 4096 0.01\n1 77b1 png 512 0.02\n2 8f3a jpeg 4096 0.01\n", TextTraceFormat{2, 4});
  ASSERT_EQ(t.requests.size(), 3u);
  EXPECT_EQ(t.objects(), 2u);
  EXPECT_EQ(t.object_bytes[t.requests[1]], 512u);
}

TEST(TextTraceReader, RejectsBadColumnsAndTracesWithoutRequests) {
  std::istringstream a("1 a 10\n");
  EXPECT_FALSE(read_text_trace(a, TextTraceFormat{0, 3}, "t", 10).ok());
  std::istringstream b("1 a 10\n");
  EXPECT_FALSE(read_text_trace(b, TextTraceFormat{2, 2}, "t", 10).ok());
  std::istringstream c("id size\nnot a trace\n");
  EXPECT_FALSE(read_text_trace(c, TextTraceFormat{}, "t", 10).ok());
  EXPECT_FALSE(read_text_trace_file("/nonexistent/trace.txt", TextTraceFormat{}, 10).ok());
}

TEST(TextTraceReader, StopsAtMaxRequests) {
  std::istringstream in("1 a 1\n2 b 1\n3 c 1\n4 d 1\n");
  Result<Trace> t = read_text_trace(in, TextTraceFormat{}, "t", 2);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->requests.size(), 2u);
}

// Lines as edge/server/request_log_line.cc writes them.
constexpr const char* kLog =
    "203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] \"GET /cours/ HTTP/1.1\" 200 5120 \"-\" \"Mozilla/5.0\" memory\n"
    "203.0.113.8 - - [23/Nov/2026:08:00:02 +0000] \"GET /cours/?utm=x HTTP/1.1\" 200 5120 \"-\" \"a\\x22b\" disk\n"
    "203.0.113.9 - - [23/Nov/2026:08:00:03 +0000] \"GET /video.mp4 HTTP/1.1\" 206 1048576 \"-\" \"-\" disk\n"
    "203.0.113.9 - - [23/Nov/2026:08:00:04 +0000] \"GET /fiche.pdf HTTP/1.1\" 206 1000 \"-\" \"-\" disk\n"
    "203.0.113.9 - - [23/Nov/2026:08:00:05 +0000] \"GET /fiche.pdf HTTP/1.1\" 200 90000 \"-\" \"-\" disk\n"
    "203.0.113.9 - - [23/Nov/2026:08:00:06 +0000] \"HEAD /cours/ HTTP/1.1\" 200 0 \"-\" \"-\" -\n"
    "203.0.113.9 - - [23/Nov/2026:08:00:07 +0000] \"GET /cours/ HTTP/1.1\" 304 0 \"-\" \"-\" -\n"
    "203.0.113.9 - - [23/Nov/2026:08:00:08 +0000] \"GET /missing HTTP/1.1\" 404 0 \"-\" \"-\" -\n"
    "garbage without quotes\n"
    "2001:db8::1 - - [23/Nov/2026:08:00:09 +0000] \"GET /cours/ HTTP/1.0\" 200 5120 \"-\" \"-\" memory\n";

TEST(AccessLogReader, KeysByPathWithoutQueryString) {
  Trace t = read_log(kLog);
  ASSERT_EQ(t.requests.size(), 6u);  // 3 x /cours/, /video.mp4, 2 x /fiche.pdf
  EXPECT_EQ(t.requests[0], t.requests[1]);
  EXPECT_EQ(t.requests[0], t.requests[5]);
  EXPECT_EQ(t.object_bytes[t.requests[0]], 5120u);
}

TEST(AccessLogReader, RangeRequestsAccessTheWholeObject) {
  Trace t = read_log(kLog);
  ASSERT_EQ(t.requests.size(), 6u);
  // The 206 of /fiche.pdf comes before its 200: same object, full size from the 200.
  EXPECT_EQ(t.requests[3], t.requests[4]);
  EXPECT_EQ(t.object_bytes[t.requests[3]], 90000u);
  // A path only ever seen as 206 has no known size: it bypasses the memory tier.
  EXPECT_EQ(t.object_bytes[t.requests[2]], kUnknownSize);
}

TEST(AccessLogReader, SkipsHeadConditionalErrorsAndGarbage) {
  Trace t = read_log(kLog);
  EXPECT_EQ(t.skipped_lines, 4u);
}

TEST(AccessLogReader, ReadsNginxDashForEmptyBody) {
  Trace t = read_log("127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"GET /empty HTTP/1.1\" 200 - \"-\" \"curl\"\n");
  ASSERT_EQ(t.requests.size(), 1u);
  EXPECT_EQ(t.object_bytes[0], 0u);
}

TEST(AccessLogReader, RejectsLogsWithoutReplayableRequests) {
  std::istringstream in("127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] \"POST /purge HTTP/1.1\" 200 2 \"-\" \"-\" -\n");
  EXPECT_FALSE(read_access_log(in, "log", 10).ok());
  EXPECT_FALSE(read_access_log_file("/nonexistent/access.log", 10).ok());
}

}  // namespace
}  // namespace relais::sim
