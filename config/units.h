// Parsing of the units operators write in config files: sizes and durations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace relais {

// "1048576", "512K", "512M", "2G", "1T" (binary multiples; a trailing "B" or
// "iB" is accepted). nullopt on anything else or on overflow.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

// "30" (seconds), "30s", "500ms", "5m", "1h", "7d" -> milliseconds. nullopt on
// anything else, on overflow, or on a negative value.
std::optional<std::uint64_t> parse_duration_ms(std::string_view text);

// The inverse, for messages and --help: the largest unit that divides the
// value exactly ("64K", "1M", "1000"; "500ms", "30s", "5m", "1h", "7d").
std::string format_byte_size(std::uint64_t bytes);
std::string format_duration_ms(std::uint64_t ms);

}  // namespace relais
