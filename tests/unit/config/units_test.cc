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
      {"5d", std::nullopt}, {"5S", std::nullopt}, {"18446744073709551615ms", 18446744073709551615ull},
      {"18446744073709551615s", std::nullopt},
  };
  for (const auto& row : rows) EXPECT_EQ(parse_duration_ms(row.text), row.bytes) << '"' << row.text << '"';
}

}  // namespace
}  // namespace relais
