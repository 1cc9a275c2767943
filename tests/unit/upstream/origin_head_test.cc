// The head collector: bounds, interim responses, malformed lines.
#include "edge/upstream/origin_head.h"

#include <gtest/gtest.h>

#include <initializer_list>

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
  for (const char* status : {"ICY 200 OK\r\n", "HTTP/1.1 999 Odd\r\n", "HTTP/1.1 099 Low\r\n", "HTTP/1.1 2000 OK\r\n"}) {
    HeadCollector c(1024);
    EXPECT_EQ(c.add_line(status), State::bad) << status;
  }
  for (const char* status : {"HTTP/1.1 599 Edge\r\n", "HTTP/2 200\r\n", "HTTP/1.1 204\r\n"}) {
    HeadCollector c(1024);
    EXPECT_EQ(c.add_line(status), State::reading) << status;
  }
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

// One long value is fine within the head's bound: a Content-Security-Policy
// or Link line over 4 KiB is common (outside attack: they were 502s).
TEST(OriginHead, ALongValueWithinTheHeadBoundIsKept) {
  HeadCollector c(64 * 1024);
  (void)c.add_line("HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(c.add_line("Content-Security-Policy: " + std::string(20000, 'a') + "\r\n"), State::reading);
  EXPECT_EQ(c.add_line("\r\n"), State::complete);
  ASSERT_EQ(c.head().fields.size(), 1u);
  EXPECT_EQ(c.head().fields[0].value.size(), 20000u);
}

// RFC 9112 §6.3: a framing that a client could read differently from curl.
// Found by an outside attack: Content-Length 3 with a chunked body of
// "abc" + a whole response made the edge pass "Content-Length: 3" and then
// write the rest, which the client took as its next response.
HeadCollector::State collect(std::initializer_list<const char*> lines, OriginHead* out = nullptr) {
  HeadCollector c(4096);
  (void)c.add_line("HTTP/1.1 200 OK\r\n");
  for (const char* l : lines) (void)c.add_line(l);
  const State s = c.add_line("\r\n");
  if (out != nullptr) *out = c.head();
  return s;
}

TEST(OriginHead, TransferEncodingDropsEveryContentLength) {
  OriginHead head;
  ASSERT_EQ(collect({"Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n", "Content-Length: 40\r\n"}, &head),
            State::complete);
  ASSERT_EQ(head.fields.size(), 1u);
  EXPECT_EQ(head.fields[0].name, "Transfer-Encoding");
}

// Found by an outside attack: "gzip, chunked" was stored as identity bytes.
TEST(OriginHead, ChunkedOnceIsTheOnlyTransferCodingRead) {
  for (const char* bad : {"Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding: gzip\r\n",
                          "Transfer-Encoding: chunked, chunked\r\n", "Transfer-Encoding: identity\r\n",
                          "Transfer-Encoding: ,\r\n"})
    EXPECT_EQ(collect({bad}), State::bad) << bad;
  EXPECT_EQ(collect({"Transfer-Encoding: gzip\r\n", "Transfer-Encoding: chunked\r\n"}), State::bad);
  EXPECT_EQ(collect({"Transfer-Encoding: Chunked \r\n"}), State::complete);
  EXPECT_EQ(collect({"Transfer-Encoding: , chunked\r\n"}), State::complete);  // empty list members are ignored (RFC 9110 §5.6.1)
}

TEST(OriginHead, ContentLengthsMustAgree) {
  EXPECT_EQ(collect({"Content-Length: 3\r\n", "Content-Length: 40\r\n"}), State::bad);
  EXPECT_EQ(collect({"Content-Length: 3, 40\r\n"}), State::bad);
  for (const char* bad : {"Content-Length: -1\r\n", "Content-Length: +5\r\n", "Content-Length: 0x10\r\n",
                          "Content-Length:\r\n", "Content-Length: 1234567890123456789\r\n"})
    EXPECT_EQ(collect({bad}), State::bad) << bad;
  OriginHead head;
  ASSERT_EQ(collect({"Content-Length: 5\r\n", "X: y\r\n", "content-length: 5, 5\r\n"}, &head), State::complete);
  ASSERT_EQ(head.fields.size(), 2u);  // the length kept once
  EXPECT_EQ(head.fields[0].value, "5");
  EXPECT_EQ(head.fields[1].name, "X");
}

TEST(OriginHead, AStreamOfInterimHeadsIsBad) {
  HeadCollector c(1 << 20);
  for (int i = 0; i < kMaxInterimHeads; ++i) {
    (void)c.add_line("HTTP/1.1 102 Processing\r\n");
    ASSERT_EQ(c.add_line("\r\n"), State::reading);
  }
  (void)c.add_line("HTTP/1.1 102 Processing\r\n");
  EXPECT_EQ(c.add_line("\r\n"), State::bad);
}

}  // namespace
}  // namespace relais::upstream
