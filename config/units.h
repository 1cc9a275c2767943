// Parsing of the units operators write in config files: sizes and durations.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace relais {

// "1048576", "512K", "512M", "2G", "1T" (binary multiples; a trailing "B" or
// "iB" is accepted). nullopt on anything else or on overflow.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// "30" (seconds), "30s", "500ms", "5m", "1h" -> milliseconds. nullopt on
// anything else, on overflow, or on a negative value.
std::optional<std::uint64_t> parse_duration_ms(std::string_view text);

}  // namespace relais
