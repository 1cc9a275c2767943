// Command line and config file of relais-edge (Boost.Program_options).
#pragma once

#include <ostream>

#include "config/cli_outcome.h"
#include "config/edge_config.h"

namespace relais {

// Every option is a flag and a key of the --config file (flags win). --help
// and --version print to out. Sizes and durations are validated here, so a
// wrong value is a usage error naming the option, never a surprise later.
CliOutcome parse_edge_options(int argc, const char* const* argv, std::ostream& out, EdgeConfig& config);

}  // namespace relais
