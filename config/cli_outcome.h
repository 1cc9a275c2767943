// CliOutcome: what a command line asked for, before anything runs.
//
// Parsing never exits the process itself: it says run, "done" (--help or
// --version was printed) or "usage error" with the one line to print, and
// main() turns that into the exit status of the README's contract (0 / 2).
#pragma once

#include <string>

namespace relais {

struct CliOutcome {
  enum class Kind : unsigned char { run, done, usage_error };
  Kind kind = Kind::run;
  std::string message;  // usage_error: one line naming the option

  static CliOutcome run_it() { return {}; }
  static CliOutcome finished() { return {Kind::done, {}}; }
  static CliOutcome usage(std::string m) { return {Kind::usage_error, std::move(m)}; }
};

}  // namespace relais
