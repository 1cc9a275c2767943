// Shared plumbing for both binaries' Boost.Program_options parsing: command
// line, then an optional config file, errors turned into one usage line.
#pragma once

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "config/cli_outcome.h"

namespace relais {

// Parses argv (and the file named by --config when config_option is true)
// into vm. Returns a usage error naming the option on any parse failure.
std::optional<CliOutcome> parse_into(const boost::program_options::options_description& description,
                                     const boost::program_options::positional_options_description* positional,
                                     int argc, const char* const* argv, bool config_option,
                                     boost::program_options::variables_map& vm);

// Converters used after parsing; each returns a usage error naming the option.
std::optional<CliOutcome> convert_size(const boost::program_options::variables_map& vm, const char* option,
                                       std::uint64_t& out);
std::optional<CliOutcome> convert_duration(const boost::program_options::variables_map& vm, const char* option,
                                           std::uint64_t& out_ms);

}  // namespace relais
