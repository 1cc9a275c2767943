// Command line and config file of relais-edge (Boost.Program_options).
#pragma once

#include <ostream>
#include <string>

#include "config/cli_outcome.h"
#include "config/edge_config.h"

namespace relais {

// Every option is a flag and a key of the --config file (flags win). --help
// and --version print to out. Sizes and durations are validated here, so a
// wrong value is a usage error naming the option, never a surprise later.
CliOutcome parse_edge_options(int argc, const char* const* argv, std::ostream& out, EdgeConfig& config);

// The configuration as it would run, one "key = value" line per option in
// the config file's syntax (--check-config prints it; the token is masked).
std::string describe_edge_config(const EdgeConfig& config);

}  // namespace relais
