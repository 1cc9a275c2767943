#include "edge/proto/h2/stream_body.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "edge/http/multipart.h"

namespace relais::h2 {
namespace {

// The bytes a ResponseBuffer holds, text and memory segments read back.
std::string drain(http::ResponseBuffer& out) {
  std::string bytes;
  for (const http::Segment& s : out.segments()) {
    if (s.kind == http::Segment::Kind::text) bytes.append(out.text_data() + s.offset, s.length);
    if (s.kind == http::Segment::Kind::memory) bytes.append(s.memory->bytes, s.offset, s.length);
  }
  out.consume(out.pending_bytes());
  return bytes;
}

BodySource memory_source(const std::string& bytes) {
  auto object = std::make_shared<MemoryObject>();
  object->bytes = bytes;
  BodySource s;
  s.memory = object;
  s.size = bytes.size();
  return s;
}

TEST(StreamBody, AMemoryBodyIsReferencedNotCopied) {
  const std::string bytes(40000, 'x');
  BodySource source = memory_source(bytes);
  http::ResponseBody body;
  body.kind = http::ResponseBody::Kind::source;
  body.source = &source;
  body.size = bytes.size();
  StreamBody b;
  ASSERT_TRUE(b.assign(body));
  http::ResponseBuffer out;
  std::string sent;
  while (b.unclaimed() > 0) {
    const std::uint64_t n = b.take(16384);  // one DATA frame's worth, as nghttp2 asks
    b.append_to(out, n);
    for (const http::Segment& s : out.segments()) EXPECT_EQ(s.kind, http::Segment::Kind::memory);
    sent += drain(out);
  }
  EXPECT_EQ(b.unsent(), 0u);
  EXPECT_EQ(sent, bytes);
}

TEST(StreamBody, MultipartFramesSpanDataFramesAndMatchTheAnnouncedLength) {
  std::string bytes;
  for (int i = 0; i < 5000; ++i) bytes.push_back(static_cast<char>('a' + i % 26));
  BodySource source = memory_source(bytes);
  const http::ByteRange ranges[] = {{0, 9}, {1000, 2999}, {4990, 4999}};
  http::ResponseBody body;
  body.kind = http::ResponseBody::Kind::source;
  body.source = &source;
  body.size = bytes.size();
  body.ranges = ranges;
  body.part_type = "text/plain";
  body.boundary = "BOUNDARY";
  StreamBody b;
  ASSERT_TRUE(b.assign(body));
  EXPECT_EQ(b.unclaimed(), http::multipart_length(body));
  http::ResponseBuffer out;
  std::string sent;
  while (b.unclaimed() > 0) {
    const std::uint64_t n = b.take(7);  // frames that cut through part headers and ranges
    b.append_to(out, n);
    sent += drain(out);
  }
  EXPECT_EQ(sent.size(), http::multipart_length(body));
  EXPECT_NE(sent.find(bytes.substr(1000, 2000)), std::string::npos);
  EXPECT_NE(sent.find("--BOUNDARY--"), std::string::npos);
}

TEST(StreamBody, NoBodyMeansNoDataFrames) {
  StreamBody b;
  EXPECT_FALSE(b.assign(http::ResponseBody{}));
  http::ResponseBody empty_text;
  empty_text.kind = http::ResponseBody::Kind::text;
  EXPECT_FALSE(b.assign(empty_text));
}

}  // namespace
}  // namespace relais::h2
