// Command line and config file of relais-sync (Boost.Program_options).
//
//   relais-sync publish SRC_DIR OUT_DIR [--jobs N] [--quiet] [--dictionary-versions N]
//                       [--sign-key FILE [--valid-for D]]
//   relais-sync pull --origin URL-or-DIR --store DIR [--jobs N] [--quiet]
//                    [--gc-grace D] [--connect-timeout D] [--stall-timeout D] [--min-rate SIZE]
//                    [--deadline D] [--retries N] [--trusted-key FILE]...
//   relais-sync verify --store DIR [--jobs N] [--quiet] [--trusted-key FILE]...
//   relais-sync keygen PRIVATE_FILE PUBLIC_FILE
//   relais-sync SUBCOMMAND ... --check-config   (validate and print, run nothing)
//   relais-sync --help | --version
// Each subcommand accepts --config FILE whose keys are its long option names
// (flags win over the file). Parsing never exits: see cli_outcome.h.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "config/cli_outcome.h"
#include "config/option_parsing.h"

namespace relais {

struct SyncConfig {
  enum class Command : unsigned char { publish, pull, verify, keygen };
  Command command = Command::publish;
  std::string source_dir;  // publish
  std::string out_dir;     // publish
  std::string origin;      // pull: http(s) URL or directory
  std::string store = "/var/lib/relais/store";  // pull, verify: same default as relais-edge
  unsigned jobs = 0;       // 0 until resolved: one per core
  bool quiet = false;      // no progress bar, no summary; warnings and errors still printed
  bool check_only = false; // --check-config: validate, print, exit
  // publish only: earlier versions per changed text file to make dcz deltas
  // against (origin-sync/delta_publishing.h); 0 turns deltas off.
  unsigned dictionary_versions = 3;
  // pull only:
  std::uint64_t gc_grace_ms = 3'600'000;     // unreferenced blobs are deleted after this (blob_gc.h)
  std::uint64_t connect_timeout_ms = 10'000; // an unreachable origin fails fast
  std::uint64_t stall_timeout_ms = 30'000;   // a transfer slower than min_rate this long is cut
  std::uint64_t min_rate = 1024;             // bytes per second (why: config/edge_config.h)
  std::uint64_t deadline_ms = 600'000;       // per request, whatever its rate
  unsigned retries = 4;                      // retries per request after the first attempt
  // Signed publications (origin-sync/manifest_trust.h):
  std::string sign_key;                      // publish: PEM private key; empty: unsigned
  std::uint64_t valid_for_ms = 7 * 86'400'000ull;  // publish: expiry after the publication time
  std::vector<std::string> trusted_keys;     // pull, verify: PEM public keys; empty: unsigned accepted
  std::string private_key_out, public_key_out;  // keygen
};

// Bounds --valid-for: under a minute every edge degrades between two
// publishes; over a year a stolen old manifest stays replayable for a year.
inline constexpr BoundedOption kValidForBounds{"valid-for", Unit::duration, kMinute, 366 * kDay};

// Bounds --retries: with backoff capped at 10 s, 20 retries is minutes per blob.
inline constexpr unsigned kMaxSyncRetries = 20;

// Bounds --dictionary-versions: each version costs a zstd pass per changed
// file at publish and a blob per file on every edge; the manifest reader
// accepts at most 8 delta records per file (kManifestMaxDeltas).
inline constexpr unsigned kMaxSyncDictionaryVersions = 8;

// Bounds --jobs: more threads than this only adds memory (each compressing
// worker holds a file and its brotli window, up to ~100 MiB).
inline constexpr unsigned kMaxSyncJobs = 256;

// Bounds of the origin-fetch options, the same for `relais-sync pull` and
// relais-edge's sync (which names them origin-timeout, origin-stall-timeout,
// origin-min-rate, origin-deadline).
inline constexpr BoundedOption kConnectTimeoutBounds{"connect-timeout", Unit::duration, 100, 10 * kMinute};
// curl counts the stall window in whole seconds.
inline constexpr BoundedOption kStallTimeoutBounds{"stall-timeout", Unit::duration, kSecond, kHour};
inline constexpr BoundedOption kMinRateBounds{"min-rate", Unit::size, 1, kGiB};
inline constexpr BoundedOption kDeadlineBounds{"deadline", Unit::duration, kSecond, 7 * kDay};
// 0: collect at once (a store no edge is serving from).
inline constexpr BoundedOption kGcGraceBounds{"gc-grace", Unit::duration, 0, 365 * kDay};
// The same bounds under another option name.
constexpr BoundedOption origin_bound(const char* name, BoundedOption bounds) {
  bounds.name = name;
  return bounds;
}

CliOutcome parse_sync_options(int argc, const char* const* argv, std::ostream& out, SyncConfig& config);

// --check-config: the subcommand's settings, one "key = value" a line, and
// one line per problem with the directories they name (nothing is created).
std::string describe_sync_config(const SyncConfig& config);
std::vector<std::string> check_sync_config(const SyncConfig& config);

}  // namespace relais
