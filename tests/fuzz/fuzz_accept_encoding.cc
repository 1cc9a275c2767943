// Fuzzes parse_accept_encoding and choose_variant.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/http/accept_encoding.h"
#include "tests/fuzz/fuzz_check.h"

using namespace relais;
using namespace relais::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool present = (data[0] & 1) != 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const AcceptEncoding a = parse_accept_encoding(in, present);
  for (int i = 0; i < kEncodingCount; ++i) FUZZ_CHECK(a.q[i] <= 1000);
  if (!present) FUZZ_CHECK(a.q[0] == 1000 && a.q[1] == 0 && a.q[2] == 0 && a.q[3] == 0);

  // Sizes from the first byte, so ties and orders vary.
  const Variant variants[] = {{Encoding::identity, {}, 1000u},
                              {Encoding::br, {}, 100u + (data[0] >> 6)},
                              {Encoding::zstd, {}, 100u + ((data[0] >> 4) & 3)},
                              {Encoding::gzip, {}, 100u + ((data[0] >> 2) & 3)}};
  const int chosen = choose_variant(a, variants);
  FUZZ_CHECK(chosen >= -1 && chosen < 4);
  for (int i = 0; i < 4; ++i) {
    const unsigned short q = a.q[static_cast<int>(variants[i].encoding)];
    if (chosen < 0) {
      FUZZ_CHECK(q == 0);
    } else {
      FUZZ_CHECK(q == 0 || variants[i].size >= variants[chosen].size);
    }
  }
  if (chosen >= 0) FUZZ_CHECK(a.q[static_cast<int>(variants[chosen].encoding)] > 0);
  return 0;
}
