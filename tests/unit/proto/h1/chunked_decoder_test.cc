// ChunkedDecoder: discards a chunked body exactly, whatever the slicing.
#include "edge/proto/h1/chunked_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::http {
namespace {

using State = ChunkedDecoder::State;

struct Fed {
  State state;
  std::size_t consumed;
};

Fed feed_all(std::string_view in, std::uint64_t max_body = 1 << 20, std::size_t max_line = 1024) {
  ChunkedDecoder d(max_body, max_line);
  const ChunkedDecoder::Step s = d.feed(in);
  return {s.state, s.consumed};
}

struct Row {
  const char* name;
  std::string body;
  State state;
  std::size_t consumed;  // checked for done only
};

TEST(ChunkedDecoder, DecodesOrRejectsEachBody) {
  const std::vector<Row> rows = {
      {"empty body", "0\r\n\r\n", State::done, 5},
      {"one chunk", "5\r\nhello\r\n0\r\n\r\n", State::done, 15},
      {"two chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", State::done, 20},
      {"hex upper and lower", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n", State::done, 35},
      {"leading zeros", "005\r\nhello\r\n000\r\n\r\n", State::done, 19},
      {"extension", "5;name=value\r\nhello\r\n0;x\r\n\r\n", State::done, 28},
      {"extension after BWS", "5 ;a=\"q s\"\r\nhello\r\n0\r\n\r\n", State::done, 24},
      {"trailers", "0\r\nX-A: 1\r\nX-B: 2\r\n\r\n", State::done, 21},
      {"pipelined rest untouched", "0\r\n\r\nGET / HTTP/1.1\r\n", State::done, 5},
      {"incomplete size line", "5\r", State::more, 0},
      {"incomplete data", "5\r\nhel", State::more, 0},
      {"incomplete final CRLF", "0\r\n\r", State::more, 0},
      {"no size", "\r\nhello\r\n", State::error, 0},
      {"non-hex size", "g\r\n", State::error, 0},
      {"negative size", "-1\r\n", State::error, 0},
      {"0x prefix", "0x5\r\n", State::error, 0},
      {"space after size", "5 \r\nhello\r\n0\r\n\r\n", State::error, 0},
      {"17 hex digits", "00000000000000005\r\n", State::error, 0},
      {"16 hex digits over u64 body", "ffffffffffffffff\r\n", State::error, 0},
      {"bare LF after size", "5\nhello\r\n0\r\n\r\n", State::error, 0},
      {"bare CR after size", "5\rhello\r\n0\r\n\r\n", State::error, 0},
      {"data longer than size", "3\r\nhello\r\n0\r\n\r\n", State::error, 0},
      {"data shorter than size", "7\r\nhello\r\n0\r\n\r\n", State::error, 0},
      {"bare LF after data", "5\r\nhello\n0\r\n\r\n", State::error, 0},
      {"control in extension", "5;a\x01\r\nhello\r\n0\r\n\r\n", State::error, 0},
      {"bare LF in extension", "5;a\nhello\r\n0\r\n\r\n", State::error, 0},
      {"obs-fold trailer", "0\r\nX: 1\r\n 2\r\n\r\n", State::error, 0},
      {"trailer without colon", "0\r\nX\r\n\r\n", State::error, 0},
      {"trailer bare LF", "0\r\nX: 1\n\r\n", State::error, 0},
      {"final bare LF", "0\r\n\n", State::error, 0},
  };
  for (const Row& row : rows) {
    const Fed f = feed_all(row.body);
    EXPECT_EQ(f.state, row.state) << row.name;
    if (row.state == State::done) {
      EXPECT_EQ(f.consumed, row.consumed) << row.name;
    }
    if (row.state == State::more) {
      EXPECT_EQ(f.consumed, row.body.size()) << row.name;
    }
  }
}

TEST(ChunkedDecoder, ByteAtATimeEqualsOneFeed) {
  const std::string body = "5;ext=1\r\nhello\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\nNEXT";
  ChunkedDecoder d(1 << 20);
  std::size_t offset = 0;
  for (; offset < body.size(); ++offset) {
    const ChunkedDecoder::Step s = d.feed(std::string_view(body).substr(offset, 1));
    if (s.state == State::done) {
      EXPECT_EQ(s.consumed, 1u);
      break;
    }
    ASSERT_EQ(s.state, State::more) << offset;
    ASSERT_EQ(s.consumed, 1u);
  }
  EXPECT_EQ(body.substr(offset + 1), "NEXT");
  EXPECT_EQ(d.body_bytes(), 21u);
}

// A body forwarded to a pull-through origin (an unsafe method): its data
// collected whatever the slicing, extensions and trailers left out.
TEST(ChunkedDecoder, CollectsTheDataByteAtATime) {
  const std::string body = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  ChunkedDecoder d(1 << 20);
  std::string data;
  std::size_t used = 0;
  ChunkedDecoder::Step s{State::more, 0};
  while (s.state == State::more && used < body.size()) {
    s = d.feed(std::string_view(body).substr(used, 1), &data);
    used += s.consumed;
  }
  EXPECT_EQ(s.state, State::done);
  EXPECT_EQ(data, "hello world");
  EXPECT_EQ(body.substr(used), "NEXT");  // the next request's bytes are left
}

TEST(ChunkedDecoder, DoneIsTerminal) {
  ChunkedDecoder d(100);
  EXPECT_EQ(d.feed("0\r\n\r\n").state, State::done);
  const ChunkedDecoder::Step again = d.feed("more");
  EXPECT_EQ(again.state, State::done);
  EXPECT_EQ(again.consumed, 0u);
}

TEST(ChunkedDecoder, ErrorIsTerminal) {
  ChunkedDecoder d(100);
  EXPECT_EQ(d.feed("z").state, State::error);
  EXPECT_FALSE(d.error_reason().empty());
  EXPECT_EQ(d.feed("0\r\n\r\n").state, State::error);
}

TEST(ChunkedDecoder, BodyExactlyAtLimitIsAcceptedOneOverIsRejected) {
  EXPECT_EQ(feed_all("5\r\nhello\r\n0\r\n\r\n", 5).state, State::done);
  EXPECT_EQ(feed_all("5\r\nhello\r\n0\r\n\r\n", 4).state, State::error);
  // The sum counts, not each chunk.
  EXPECT_EQ(feed_all("3\r\nabc\r\n3\r\nabc\r\n0\r\n\r\n", 5).state, State::error);
  // Refused from the size line, before any data arrives.
  EXPECT_EQ(feed_all("6\r\n", 5).state, State::error);
}

TEST(ChunkedDecoder, ChunkSizeLineAtLimitIsAcceptedOneOverIsRejected) {
  // max_line counts the size and extension bytes, not the CRLF's LF.
  const std::string at = "5;" + std::string(7, 'e') + "\r\nhello\r\n0\r\n\r\n";  // "5;eeeeeee\r" = 10
  EXPECT_EQ(feed_all(at, 1 << 20, 10).state, State::done);
  const std::string over = "5;" + std::string(8, 'e') + "\r\nhello\r\n0\r\n\r\n";
  EXPECT_EQ(feed_all(over, 1 << 20, 10).state, State::error);
  // An endless extension is cut off at the bound, without waiting for CRLF.
  const std::string endless = "5;" + std::string(5000, 'e');
  EXPECT_EQ(feed_all(endless).state, State::error);
}

TEST(ChunkedDecoder, TrailersAreBounded) {
  std::string many = "0\r\n";
  for (int i = 0; i < ChunkedDecoder::kMaxTrailerLines; ++i) many += "X: 1\r\n";
  EXPECT_EQ(feed_all(many + "\r\n").state, State::done);
  EXPECT_EQ(feed_all(many + "X: 1\r\n\r\n").state, State::error);
  EXPECT_EQ(feed_all("0\r\nX: " + std::string(2000, 'v') + "\r\n\r\n").state, State::error);
}

}  // namespace
}  // namespace relais::http
