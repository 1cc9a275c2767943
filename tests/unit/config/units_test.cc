#include "config/units.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace relais {
namespace {

struct SizeRow {
  std::string_view text;
  std::optional<std::uint64_t> bytes;
};

TEST(Units, ByteSizeTable) {
  const std::vector<SizeRow> rows = {
      {"0", 0}, {"1048576", 1048576}, {"512K", 512ull << 10}, {"512k", 512ull << 10}, {"512M", 512ull << 20},
      {"2G", 2ull << 30}, {"1T", 1ull << 40}, {"4KB", 4096}, {"4KiB", 4096}, {"10B", 10},
      {"", std::nullopt}, {"M", std::nullopt}, {"-1", std::nullopt}, {"1.5G", std::nullopt}, {"12X", std::nullopt},
      {" 1K", std::nullopt}, {"1K ", std::nullopt}, {"1KK", std::nullopt}, {"1Kb", std::nullopt},
      {"18446744073709551615", 18446744073709551615ull}, {"18446744073709551616", std::nullopt},
      {"16777216T", std::nullopt},  // 2^64 bytes: overflow
  };
  for (const auto& row : rows) EXPECT_EQ(parse_byte_size(row.text), row.bytes) << '"' << row.text << '"';
}

TEST(Units, DurationTable) {
  const std::vector<SizeRow> rows = {
      {"30", 30'000}, {"30s", 30'000}, {"500ms", 500}, {"5m", 300'000}, {"1h", 3'600'000}, {"0", 0},
      {"", std::nullopt}, {"s", std::nullopt}, {"-5s", std::nullopt}, {"1.5s", std::nullopt}, {"5 s", std::nullopt},
      {"5d", 432'000'000}, {"5w", std::nullopt}, {"5S", std::nullopt}, {"18446744073709551615ms", 18446744073709551615ull},
      {"18446744073709551615s", std::nullopt},
  };
  for (const auto& row : rows) EXPECT_EQ(parse_duration_ms(row.text), row.bytes) << '"' << row.text << '"';
}

TEST(Units, FormatsRoundTripThroughTheParsers) {
  for (std::uint64_t bytes : {0ull, 1ull, 1000ull, 1024ull, 1536ull, 64ull << 10, 1ull << 20, 3ull << 30, 1ull << 40})
    EXPECT_EQ(parse_byte_size(format_byte_size(bytes)), bytes) << format_byte_size(bytes);
  EXPECT_EQ(format_byte_size(64 << 10), "64K");
  for (std::uint64_t ms : {0ull, 1ull, 500ull, 1000ull, 1500ull, 60'000ull, 3'600'000ull, 86'400'000ull, 90'000ull})
    EXPECT_EQ(parse_duration_ms(format_duration_ms(ms)), ms) << format_duration_ms(ms);
  EXPECT_EQ(format_duration_ms(90'000), "90s");
  EXPECT_EQ(format_duration_ms(0), "0s");
}

}  // namespace
}  // namespace relais
