// Command line and config file of relais-sync (Boost.Program_options).
//
//   relais-sync publish SRC_DIR OUT_DIR [--jobs N] [--quiet]
//   relais-sync pull --origin URL-or-DIR --store DIR [--jobs N] [--quiet]
//                    [--gc-grace D] [--connect-timeout D] [--stall-timeout D] [--retries N]
//   relais-sync verify --store DIR [--jobs N] [--quiet]
//   relais-sync --help | --version
// Each subcommand accepts --config FILE whose keys are its long option names
// (flags win over the file). Parsing never exits: see cli_outcome.h.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "config/cli_outcome.h"

namespace relais {

struct SyncConfig {
  enum class Command : unsigned char { publish, pull, verify };
  Command command = Command::publish;
  std::string source_dir;  // publish
  std::string out_dir;     // publish
  std::string origin;      // pull: http(s) URL or directory
  std::string store = "/var/lib/relais/store";  // pull, verify: same default as relais-edge
  unsigned jobs = 0;       // 0 until resolved: one per core
  bool quiet = false;      // no progress bar, no summary; warnings and errors still printed
  // pull only:
  std::uint64_t gc_grace_ms = 3'600'000;     // unreferenced blobs are deleted after this (blob_gc.h)
  std::uint64_t connect_timeout_ms = 10'000; // an unreachable origin fails fast
  std::uint64_t stall_timeout_ms = 30'000;   // a transfer making no progress this long is cut
  unsigned retries = 4;                      // retries per request after the first attempt
};

// Bounds --retries: with backoff capped at 10 s, 20 retries is minutes per blob.
inline constexpr unsigned kMaxSyncRetries = 20;

// Bounds --jobs: more threads than this only adds memory (each compressing
// worker holds a file and its brotli window, up to ~100 MiB).
inline constexpr unsigned kMaxSyncJobs = 256;

CliOutcome parse_sync_options(int argc, const char* const* argv, std::ostream& out, SyncConfig& config);

}  // namespace relais
