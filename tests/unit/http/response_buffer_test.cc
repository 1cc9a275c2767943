#include "edge/http/response_buffer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/unit/heap_in_use.h"

namespace relais::http {
namespace {

std::string queued_text(ResponseBuffer& out) {
  std::string bytes;
  for (const Segment& s : out.segments())
    if (s.kind == Segment::Kind::text) bytes.append(out.text_data() + s.offset, s.length);
  return bytes;
}

// An idle HTTP/2 connection keeps a ResponseBuffer that may never queue
// anything: empty, it holds no memory (a std::deque made eagerly held ~580 bytes).
TEST(ResponseBuffer, AnEmptyBufferHoldsNoMemory) {
  const std::size_t before = test_support::heap_in_use();
  {
    ResponseBuffer buffer;
    EXPECT_TRUE(buffer.empty());
    EXPECT_EQ(buffer.pending_bytes(), 0u);
    EXPECT_EQ(test_support::heap_in_use(), before);
  }
  ResponseBuffer used;
  used.append_text("x");
  used.release();
  EXPECT_EQ(test_support::heap_in_use(), before) << "released, it holds nothing either";
}

TEST(ResponseBuffer, QueuesConsumesAndReleases) {
  ResponseBuffer out;
  out.append_text("HEADERS");
  out.append_text("+more");
  auto object = std::make_shared<MemoryObject>();
  object->bytes = "body bytes";
  out.append_memory(object, 5, 5);
  EXPECT_FALSE(out.empty());
  EXPECT_EQ(out.pending_bytes(), 17u);
  EXPECT_EQ(out.segments().size(), 2u);  // the two texts joined, then the body
  EXPECT_EQ(queued_text(out), "HEADERS+more");
  out.consume(14);
  EXPECT_EQ(out.pending_bytes(), 3u);
  EXPECT_EQ(out.segments().front().offset, 7u);
  out.consume(3);
  EXPECT_TRUE(out.empty());
  out.append_text("again");
  EXPECT_EQ(queued_text(out), "again");
  out.release();
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.pending_bytes(), 0u);
  out.append_text("after release");
  EXPECT_EQ(queued_text(out), "after release");
}

}  // namespace
}  // namespace relais::http
