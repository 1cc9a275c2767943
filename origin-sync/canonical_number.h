// Canonical decimal numbers of the manifest format (MANIFEST.md): no sign
// (except '-' where a field may be negative), no leading zero, at most 20
// digits, within 64 bits. One spelling per value, so that two manifests with
// the same content have the same bytes (and the same signature input).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace relais {

std::optional<std::uint64_t> parse_u64(std::string_view s);
std::optional<std::int64_t> parse_i64(std::string_view s);
std::optional<std::uint32_t> parse_u32(std::string_view s);

}  // namespace relais
