// Pull: make a store match an origin's manifest, never exposing bad bytes.
//
// Order of a pull:
//   1. fetch and parse the origin's manifest (a malformed one changes nothing);
//   2. fetch each blob the store lacks into a temp file next to its final
//      name, hashing and counting it on the way; a blob whose XXH3-128 or
//      size differs is dropped before the rename and fails the pull;
//   3. fsync the blob directories, then replace STORE/manifest atomically
//      with the origin's exact bytes.
// So an edge reading the store sees the old manifest with all its blobs or
// the new one with all of its blobs. Old blobs are left in place (a reader
// may still serve them); collecting them is a later issue.
#pragma once

#include <cstdint>
#include <string>

#include "origin-sync/blob_fetcher.h"
#include "origin-sync/result.h"

namespace relais {

struct PullReport {
  std::uint64_t files = 0;
  std::uint64_t blobs = 0;          // distinct blobs in the manifest
  std::uint64_t blobs_fetched = 0;  // of which were missing and fetched
  std::uint64_t bytes_fetched = 0;
  std::uint64_t generation = 0;
  bool manifest_changed = false;
};

Result<PullReport> pull_into_store(BlobFetcher& fetcher, const std::string& store_dir, unsigned jobs);

}  // namespace relais
