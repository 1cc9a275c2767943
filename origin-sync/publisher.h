// Publisher: `relais-sync publish SRC OUT`, as a library call.
//
// Turns a content tree into content-addressed blobs and a manifest under OUT:
//   1. walk SRC (tree_walk.h), read the previous OUT/manifest if any;
//   2. in `jobs` worker threads, for each file: hash it (XXH3-128), detect its
//      type, reuse the previous entry's variants when the identity hash and
//      type are unchanged and their blobs exist, else compress
//      (variant_selection.h), add dcz deltas against the file's earlier
//      versions (delta_publishing.h), and write the missing blobs (blob_writer.h);
//   3. fsync the blob directories, then write OUT/manifest atomically, and
//      only if an entry changed: the generation then grows by one. With a
//      signing key the manifest is always rewritten and signed anew
//      (publish_signing.h): a later publication time, a fresh expiry.
// A failure writing OUT stops the workers and leaves the previous manifest
// in place, so a manifest never names a blob that is missing or partial.
// Source files that cannot be read are skipped with a warning.
// Only one publish runs on an OUT at a time (flock on the OUT directory).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "origin-sync/encoding.h"
#include "origin-sync/progress.h"
#include "origin-sync/result.h"
#include "origin-sync/signing_key.h"

namespace relais {

struct PublishOptions {
  std::string source_dir;
  std::string out_dir;
  unsigned jobs = 1;
  // Earlier versions of each changed text file to make dcz deltas against
  // (delta_publishing.h); 0: none.
  unsigned dictionary_versions = 3;
  // Called from worker threads, one line each, already serialised by caller.
  std::function<void(const std::string&)> warn = [](const std::string&) {};
  ProgressCounters* progress = nullptr;  // optional
  std::function<std::int64_t()> now;     // seconds since the epoch; defaults to the system clock
  const SigningKey* sign_key = nullptr;  // null: an unsigned (1.0) manifest
  std::int64_t valid_for_seconds = 7 * 86400;  // signed only: expires = published + this
};

struct PublishReport {
  std::uint64_t files = 0;          // in the manifest
  std::uint64_t skipped = 0;        // warned about and left out
  std::uint64_t compressed = 0;     // files whose variants were computed this time
  std::uint64_t reused = 0;         // files whose variants came from the previous manifest
  std::uint64_t blobs_written = 0;
  std::uint64_t bytes_in = 0;       // identity bytes of all files
  std::array<std::uint64_t, kEncodingCount> variant_files{};  // per encoding
  std::array<std::uint64_t, kEncodingCount> variant_bytes{};  // per encoding
  std::uint64_t deltas = 0;         // dcz delta records in the manifest
  std::uint64_t delta_bytes = 0;
  std::uint64_t generation = 0;
  bool manifest_changed = false;
};

// Config error (exit 2): SRC missing or not a directory, OUT inside SRC.
// Storage/internal error (exit 1): anything failing under OUT.
Result<PublishReport> publish(const PublishOptions& options);

}  // namespace relais
