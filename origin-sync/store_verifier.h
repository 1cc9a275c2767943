// StoreVerifier: `relais-sync verify --store DIR`, as a library call.
//
// Re-reads DIR/manifest and re-hashes every blob it references, once per
// distinct blob however many entries share it. Each problem is one line
// (missing blob, wrong size, wrong hash) naming the blob and one path that
// uses it. It only reads; repairing is a pull's job. With trusted keys the
// manifest must be signed by one of them (else the whole store is refused)
// and each blob's SHA-256 is checked too, in the same read as its XXH3-128:
// the check to run on a store filled before its edges trusted a key.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "origin-sync/publication_check.h"
#include "origin-sync/result.h"
#include "origin-sync/signing_key.h"

namespace relais {

struct VerifyReport {
  std::uint64_t files = 0;     // manifest entries
  std::uint64_t blobs = 0;     // distinct blobs checked
  std::uint64_t bytes = 0;     // bytes re-hashed
  std::uint64_t problems = 0;  // lines passed to report_problem
  std::uint64_t generation = 0;
  std::optional<PublicationStamp> publication;  // with trusted keys: what the signature vouches for
};

// Storage/origin error when the manifest itself cannot be read or parsed.
// report_problem is called once per bad blob, from worker threads but never
// concurrently.
Result<VerifyReport> verify_store(const std::string& store_dir, unsigned jobs,
                                  const std::function<void(const std::string&)>& report_problem,
                                  const TrustedKeys* trusted = nullptr);

}  // namespace relais
