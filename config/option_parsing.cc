#include "config/option_parsing.h"

#include <fstream>

#include "config/units.h"

namespace po = boost::program_options;

namespace relais {

std::optional<CliOutcome> parse_into(const po::options_description& description,
                                     const po::positional_options_description* positional, int argc,
                                     const char* const* argv, bool config_option, po::variables_map& vm) {
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(description);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (config_option && vm.count("config")) {
      const auto& file = vm["config"].as<std::string>();
      std::ifstream in(file);
      if (!in) return CliOutcome::usage("--config: cannot read '" + file + "'");
      try {
        // Values on the command line were stored first and win.
        po::store(po::parse_config_file(in, description, /*allow_unregistered=*/false), vm);
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

std::optional<CliOutcome> convert_size(const po::variables_map& vm, const char* option, std::uint64_t& out) {
  if (!vm.count(option)) return std::nullopt;
  const auto& text = vm[option].as<std::string>();
  auto value = parse_byte_size(text);
  if (!value) return CliOutcome::usage(std::string("--") + option + ": '" + text + "' is not a size (e.g. 8192, 512K, 64M, 2G)");
  out = *value;
  return std::nullopt;
}

std::optional<CliOutcome> convert_duration(const po::variables_map& vm, const char* option, std::uint64_t& out_ms) {
  if (!vm.count(option)) return std::nullopt;
  const auto& text = vm[option].as<std::string>();
  auto value = parse_duration_ms(text);
  if (!value) return CliOutcome::usage(std::string("--") + option + ": '" + text + "' is not a duration (e.g. 30, 30s, 500ms, 5m)");
  out_ms = *value;
  return std::nullopt;
}

}  // namespace relais
