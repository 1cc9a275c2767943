#include "origin-sync/encoding.h"

namespace relais {

std::optional<Encoding> encoding_from_name(std::string_view name) {
  for (int i = 0; i < kEncodingCount; ++i) {
    auto e = static_cast<Encoding>(i);
    if (encoding_name(e) == name) return e;
  }
  return std::nullopt;
}

}  // namespace relais
