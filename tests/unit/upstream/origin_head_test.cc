// The head collector: bounds, interim responses, malformed lines.
#include "edge/upstream/origin_head.h"

#include <gtest/gtest.h>

namespace relais::upstream {
namespace {

using State = HeadCollector::State;

TEST(OriginHead, CollectsStatusAndFields) {
  HeadCollector c(1024);
  EXPECT_EQ(c.add_line("HTTP/1.1 200 OK\r\n"), State::reading);
  EXPECT_EQ(c.add_line("Cache-Control:  max-age=60 \r\n"), State::reading);
  EXPECT_EQ(c.add_line("\r\n"), State::complete);
  ASSERT_EQ(c.head().fields.size(), 1u);
  EXPECT_EQ(c.head().status, 200);
  EXPECT_EQ(c.head().fields[0].value, "max-age=60");
}

TEST(OriginHead, InterimResponsesAreDropped) {
  HeadCollector c(1024);
  (void)c.add_line("HTTP/1.1 103 Early Hints\r\n");
  (void)c.add_line("Link: </a.css>\r\n");
  EXPECT_EQ(c.add_line("\r\n"), State::reading);
  (void)c.add_line("HTTP/1.1 404 Not Found\r\n");
  EXPECT_EQ(c.add_line("\r\n"), State::complete);
  EXPECT_EQ(c.head().status, 404);
  EXPECT_TRUE(c.head().fields.empty());
}

TEST(OriginHead, MalformedLinesMakeTheHeadBad) {
  for (const char* line : {"No colon here\r\n", " folded: continuation\r\n", "Bad Name: x\r\n", ": empty\r\n",
                           "X: a\rb\r\n"}) {
    HeadCollector c(1024);
    (void)c.add_line("HTTP/1.1 200 OK\r\n");
    EXPECT_EQ(c.add_line(line), State::bad) << line;
  }
  HeadCollector c(1024);
  EXPECT_EQ(c.add_line("ICY 200 OK\r\n"), State::bad);
}

TEST(OriginHead, BoundedInBytesAndFieldCount) {
  HeadCollector bytes(64);
  (void)bytes.add_line("HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(bytes.add_line("X: " + std::string(60, 'a') + "\r\n"), State::too_large);
  HeadCollector count(1 << 20);
  (void)count.add_line("HTTP/1.1 200 OK\r\n");
  for (std::size_t i = 0; i < kMaxOriginFields; ++i) ASSERT_EQ(count.add_line("X: 1\r\n"), State::reading);
  EXPECT_EQ(count.add_line("X: 1\r\n"), State::too_large);
}

}  // namespace
}  // namespace relais::upstream
