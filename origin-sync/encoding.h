// Encoding: the content codings a variant can have (RFC 9110 §8.4.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace relais {

// The order is the preference among variants of equal size: br compresses
// text best and every HTTPS browser accepts it, zstd decodes fastest.
enum class Encoding : std::uint8_t { identity = 0, br = 1, zstd = 2, gzip = 3 };
inline constexpr int kEncodingCount = 4;

// "identity", "br", "zstd", "gzip": the tokens used in Content-Encoding and in the manifest.
constexpr std::string_view encoding_name(Encoding e) {
  switch (e) {
    case Encoding::identity: return "identity";
    case Encoding::br: return "br";
    case Encoding::zstd: return "zstd";
    case Encoding::gzip: return "gzip";
  }
  return "identity";
}

// Exact, case-sensitive match of encoding_name(); nullopt otherwise.
std::optional<Encoding> encoding_from_name(std::string_view name);

}  // namespace relais
