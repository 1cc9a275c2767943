#include "config/option_parsing.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>

#include "config/units.h"
#include "origin-sync/local_pull.h"

namespace po = boost::program_options;

namespace relais {

namespace {

// The first [section] header that appears twice in a config file's text.
std::optional<std::string> repeated_section(const std::string& text) {
  std::set<std::string, std::less<>> seen;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto begin = line.find_first_not_of(" \t");
    const auto end = line.find_last_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] != '[' || line[end] != ']') continue;
    std::string name = line.substr(begin + 1, end - begin - 1);
    if (!seen.insert(name).second) return name;
  }
  return std::nullopt;
}

}  // namespace


std::optional<CliOutcome> parse_into(const po::options_description& description,
                                     const po::positional_options_description* positional, int argc,
                                     const char* const* argv, bool config_option, po::variables_map& vm,
                                     std::vector<po::option>* sections) {
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(description);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (config_option && vm.count("config")) {
      const auto& file = vm["config"].as<std::string>();
      std::error_code ec;
      // A directory opens as a stream and reads as empty: the edge would start on defaults.
      if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec))
        return CliOutcome::usage("--config: '" + file + "' is not a regular file");
      std::ifstream file_in(file);
      if (!file_in) return CliOutcome::usage("--config: cannot read '" + file + "'");
      const std::string text((std::istreambuf_iterator<char>(file_in)), std::istreambuf_iterator<char>());
      // Boost merges a section written twice: a copy-pasted [site.a] would
      // silently take the other site's origin.
      if (auto twice = repeated_section(text))
        return CliOutcome::usage("--config " + file + ": section [" + *twice + "] appears twice");
      std::istringstream in(text);
      try {
        // Values on the command line were stored first and win.
        po::parsed_options parsed = po::parse_config_file(in, description, /*allow_unregistered=*/sections != nullptr);
        if (sections) {
          auto is_section_key = [](const po::option& o) { return o.unregistered; };
          for (const po::option& o : parsed.options) {
            // The same line as without sections for any other unknown key.
            if (o.unregistered && !o.string_key.starts_with("site.")) throw po::unknown_option(o.string_key);
            if (o.unregistered) sections->push_back(o);
          }
          std::erase_if(parsed.options, is_section_key);
        }
        po::store(parsed, vm);
      } catch (const po::error& e) {
        return CliOutcome::usage("--config " + file + ": " + e.what());
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return CliOutcome::usage(e.what());
  }
  return std::nullopt;
}

namespace {

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string shown(Unit unit, std::uint64_t value) {
  switch (unit) {
    case Unit::count: return std::to_string(value);
    case Unit::size: return format_byte_size(value);
    case Unit::duration: return format_duration_ms(value);
  }
  return {};
}

}  // namespace

std::optional<CliOutcome> convert_bounded(const po::variables_map& vm, const BoundedOption& option, std::uint64_t& out) {
  if (!vm.count(option.name)) return std::nullopt;
  const auto& text = vm[option.name].as<std::string>();
  std::optional<std::uint64_t> value;
  const char* what = "";
  switch (option.unit) {
    case Unit::count: value = parse_count(text); what = "a count"; break;
    case Unit::size: value = parse_byte_size(text); what = "a size"; break;
    case Unit::duration: value = parse_duration_ms(text); what = "a duration"; break;
  }
  const bool off = option.zero_is_off && value == 0u;
  if (!value || (!off && (*value < option.min || *value > option.max))) {
    std::string line = std::string("--") + option.name + ": '" + text + "' is not " +
                       (option.zero_is_off ? "0 (off) nor " : "") + what + " between " +
                       shown(option.unit, option.min) + " and " + shown(option.unit, option.max);
    if (option.unit == Unit::size) line += " (e.g. 8192, 512K, 64M, 2G)";
    if (option.unit == Unit::duration) line += " (e.g. 30s, 500ms, 5m, 1h, 7d)";
    return CliOutcome::usage(std::move(line));
  }
  out = *value;
  return std::nullopt;
}

std::optional<CliOutcome> convert_real(const po::variables_map& vm, const char* option, double min, double max,
                                       double& out) {
  if (!vm.count(option)) return std::nullopt;
  const auto& text = vm[option].as<std::string>();
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  // from_chars also reads "nan" and "inf": neither compares into the range.
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty() || !(value >= min && value <= max)) {
    char bounds[64];
    std::snprintf(bounds, sizeof bounds, "%g and %g", min, max);
    return CliOutcome::usage(std::string("--") + option + ": '" + text + "' is not a number between " + bounds);
  }
  out = value;
  return std::nullopt;
}

std::optional<CliOutcome> check_origin(const char* option, const std::string& origin) {
  if (origin.find("://") == std::string::npos || is_http_origin(origin)) return std::nullopt;
  return CliOutcome::usage(std::string("--") + option + ": '" + origin + "' is neither an http(s):// URL nor a directory");
}

bool has_control_byte(std::string_view value) {
  for (char ch : value) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) return true;
  }
  return false;
}

std::optional<CliOutcome> parse_cache_control_rule(const std::string& option, const std::string& rule,
                                                   std::vector<CacheControlRule>& rules) {
  auto eq = rule.find('=');
  if (eq == std::string::npos || eq == 0 || rule[0] != '/' || eq + 1 == rule.size())
    return CliOutcome::usage("--" + option + ": '" + rule + "' is not PREFIX=VALUE with PREFIX starting with /");
  if (has_control_byte(rule)) return CliOutcome::usage("--" + option + ": control characters are not allowed");
  rules.push_back({rule.substr(0, eq), rule.substr(eq + 1)});
  return std::nullopt;
}

std::optional<CliOutcome> parse_query_key(const std::string& option, const std::string& key,
                                          std::vector<std::string>& keys) {
  // As sent in a query: what is not a separator, a space or a control byte.
  const bool bad = key.empty() || key.find_first_of("&=#? ") != std::string::npos || has_control_byte(key);
  if (bad) return CliOutcome::usage("--" + option + ": '" + key + "' is not a query parameter name");
  if (std::find(keys.begin(), keys.end(), key) != keys.end())
    return CliOutcome::usage("--" + option + ": '" + key + "' is given twice");
  keys.push_back(key);
  return std::nullopt;
}

std::optional<CliOutcome> convert_switch(const po::variables_map& vm, const char* option, bool& out) {
  if (!vm.count(option)) return std::nullopt;
  const auto& text = vm[option].as<std::string>();
  const bool on = text == "on" || text == "true" || text == "yes" || text == "1";
  const bool off = text == "off" || text == "false" || text == "no" || text == "0";
  if (!on && !off) return CliOutcome::usage(std::string("--") + option + ": '" + text + "' is not on or off");
  out = on;
  return std::nullopt;
}

}  // namespace relais
