// Fuzzes ChunkedDecoder: one feed and an input-derived slicing must agree.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/proto/h1/chunked_decoder.h"
#include "tests/fuzz/fuzz_check.h"

using relais::http::ChunkedDecoder;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // First byte: slice length for the incremental run (1..16) and a tight body limit.
  const std::size_t slice = (data[0] & 15) + 1;
  const std::uint64_t max_body = (data[0] & 0x80) ? 64 : (1u << 20);
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

  ChunkedDecoder whole(max_body, 64);
  const ChunkedDecoder::Step one = whole.feed(in);
  FUZZ_CHECK(one.consumed <= in.size());
  FUZZ_CHECK(whole.body_bytes() <= max_body);
  if (one.state == ChunkedDecoder::State::more) FUZZ_CHECK(one.consumed == in.size());
  if (one.state == ChunkedDecoder::State::error) FUZZ_CHECK(!whole.error_reason().empty());

  ChunkedDecoder pieces(max_body, 64);
  std::size_t total = 0;
  ChunkedDecoder::State state = ChunkedDecoder::State::more;
  for (std::size_t off = 0; off < in.size() && state == ChunkedDecoder::State::more; off += slice) {
    const ChunkedDecoder::Step s = pieces.feed(in.substr(off, slice));
    FUZZ_CHECK(s.consumed <= slice);
    total += s.consumed;
    state = s.state;
  }
  FUZZ_CHECK(state == one.state);
  FUZZ_CHECK(pieces.body_bytes() == whole.body_bytes());
  if (state != ChunkedDecoder::State::error) FUZZ_CHECK(total == one.consumed);

  if (one.state == ChunkedDecoder::State::done) {
    // The body ends where done says: exactly those bytes decode to done.
    ChunkedDecoder exact(max_body, 64);
    const ChunkedDecoder::Step e = exact.feed(in.substr(0, one.consumed));
    FUZZ_CHECK(e.state == ChunkedDecoder::State::done && e.consumed == one.consumed);
  }
  return 0;
}
