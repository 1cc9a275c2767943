// HTTP/1 framing of a body that arrives in pieces (a pull-through answer):
// the origin's length, else chunked on HTTP/1.1, else close-delimited on
// HTTP/1.0 (RFC 9112 §6.1, §6.3, §7.1).
#include <gtest/gtest.h>

#include <string>

#include "edge/http/response.h"
#include "edge/http/response_buffer.h"
#include "edge/proto/h1/response_writer.h"

namespace relais::http {
namespace {

std::string queued(ResponseBuffer& out) {
  std::string bytes;
  for (const Segment& s : out.segments()) {
    if (s.kind == Segment::Kind::text) bytes.append(out.text_data() + s.offset, s.length);
  }
  return bytes;
}

// A 200 whose body follows in pieces.
struct Streamed : Response {
  explicit Streamed(bool length_known, std::uint64_t size = 0) : Response(200, "relais", "Thu, 01 Jan 2026 00:00:00 GMT") {
    body.kind = ResponseBody::Kind::stream;
    body.length_known = length_known;
    body.size = size;
  }
};

TEST(StreamBodyWriter, KnownLengthIsContentLengthAndRawPieces) {
  ResponseBuffer out;
  ResponseWriter w(out, nullptr, 1);
  const Streamed r(true, 11);
  w.send(r);
  EXPECT_FALSE(w.chunked());
  append_stream_piece(out, "hello", w.chunked());
  append_stream_piece(out, " world", w.chunked());
  const std::string bytes = queued(out);
  EXPECT_NE(bytes.find("Content-Length: 11\r\n"), std::string::npos);
  EXPECT_TRUE(bytes.ends_with("\r\n\r\nhello world")) << bytes;
}

TEST(StreamBodyWriter, UnknownLengthIsChunkedOnHttp11) {
  ResponseBuffer out;
  ResponseWriter w(out, nullptr, 1);
  const Streamed r(false);
  w.send(r);
  ASSERT_TRUE(w.chunked());
  append_stream_piece(out, "hello", true);
  append_stream_piece(out, "", true);  // an empty piece must not end the body
  append_stream_piece(out, std::string(20, 'x'), true);
  append_stream_end(out);
  const std::string bytes = queued(out);
  EXPECT_NE(bytes.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(bytes.find("Content-Length"), std::string::npos);
  EXPECT_TRUE(bytes.ends_with("\r\n\r\n5\r\nhello\r\n14\r\n" + std::string(20, 'x') + "\r\n0\r\n\r\n")) << bytes;
}

TEST(StreamBodyWriter, UnknownLengthOnHttp10EndsWithTheConnection) {
  ResponseBuffer out;
  ResponseWriter w(out, nullptr, 0);
  const Streamed r(false);
  w.send(r);
  EXPECT_FALSE(w.chunked());
  EXPECT_TRUE(w.close_delimited());
  const std::string bytes = queued(out);
  EXPECT_NE(bytes.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(bytes.find("Transfer-Encoding"), std::string::npos);
}

TEST(StreamBodyWriter, ForwardedFieldsAreWrittenAsTheyCame) {
  ResponseBuffer out;
  ResponseWriter w(out, nullptr, 1);
  Streamed r(true, 0);
  const HeaderField fields[] = {{"X-Origin", "a"}, {"content-type", "text/plain"}};
  r.forwarded = fields;
  w.send(r);
  const std::string bytes = queued(out);
  EXPECT_NE(bytes.find("X-Origin: a\r\ncontent-type: text/plain\r\n"), std::string::npos) << bytes;
}

}  // namespace
}  // namespace relais::http
