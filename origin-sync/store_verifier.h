// StoreVerifier: `relais-sync verify --store DIR`, as a library call.
//
// Re-reads DIR/manifest and re-hashes every blob it references, once per
// distinct blob however many entries share it. Each problem is one line
// (missing blob, wrong size, wrong hash) naming the blob and one path that
// uses it. It only reads; repairing is a pull's job.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "origin-sync/result.h"

namespace relais {

struct VerifyReport {
  std::uint64_t files = 0;     // manifest entries
  std::uint64_t blobs = 0;     // distinct blobs checked
  std::uint64_t bytes = 0;     // bytes re-hashed
  std::uint64_t problems = 0;  // lines passed to report_problem
  std::uint64_t generation = 0;
};

// Storage/origin error when the manifest itself cannot be read or parsed.
// report_problem is called once per bad blob, from worker threads but never
// concurrently.
Result<VerifyReport> verify_store(const std::string& store_dir, unsigned jobs,
                                  const std::function<void(const std::string&)>& report_problem);

}  // namespace relais
