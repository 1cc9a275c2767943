// Shared plumbing for both binaries' Boost.Program_options parsing: command
// line, then an optional config file, errors turned into one usage line.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cli_outcome.h"
#include "config/edge_config.h"

namespace relais {

// Parses argv (and the file named by --config when config_option is true)
// into vm. Returns a usage error naming the option on any parse failure.
// sections: when given, keys of [site.NAME] sections in the config file
// ("site.NAME.key") are collected there instead of refused as unknown.
std::optional<CliOutcome> parse_into(const boost::program_options::options_description& description,
                                     const boost::program_options::positional_options_description* positional,
                                     int argc, const char* const* argv, bool config_option,
                                     boost::program_options::variables_map& vm,
                                     std::vector<boost::program_options::option>* sections = nullptr);

// A numeric option and the range it must fall in. Every number of both
// binaries is read as text and converted here, so a bad value, on the
// command line or in the --config file, is the same one line:
//   --sync-jobs: '0' is not a count between 1 and 64
enum class Unit : unsigned char { count, size, duration };
inline constexpr std::uint64_t kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;
inline constexpr std::uint64_t kKiB = 1024, kMiB = kKiB << 10, kGiB = kMiB << 10, kTiB = kGiB << 10;
struct BoundedOption {
  const char* name;  // long option name, without "--"
  Unit unit;
  std::uint64_t min, max;  // bytes for sizes, milliseconds for durations
  bool zero_is_off = false;  // 0 (off) is accepted too, below min
};
std::optional<CliOutcome> convert_bounded(const boost::program_options::variables_map& vm, const BoundedOption& option,
                                          std::uint64_t& out);
// A decimal number (e.g. a rate) in [min, max]; NaN and infinities are refused.
std::optional<CliOutcome> convert_real(const boost::program_options::variables_map& vm, const char* option, double min,
                                       double max, double& out);
// An origin is an http(s):// URL or a directory: "ftp://..." or
// "htp://host" would otherwise be taken for a directory and fail every sync.
std::optional<CliOutcome> check_origin(const char* option, const std::string& origin);
// Values that end up in response headers or lookup keys: a control byte
// there would split a header or forge a log line.
bool has_control_byte(std::string_view value);
// One "PREFIX=VALUE" Cache-Control rule of `option` (cache-control-rule,
// site.NAME.cache-control-rule), appended to rules.
std::optional<CliOutcome> parse_cache_control_rule(const std::string& option, const std::string& rule,
                                                   std::vector<CacheControlRule>& rules);
// One query parameter name of `option`, appended to keys (refused twice).
std::optional<CliOutcome> parse_query_key(const std::string& option, const std::string& key,
                                          std::vector<std::string>& keys);
// "on|off" switches (also true/false, yes/no, 1/0).
std::optional<CliOutcome> convert_switch(const boost::program_options::variables_map& vm, const char* option,
                                         bool& out);

}  // namespace relais
