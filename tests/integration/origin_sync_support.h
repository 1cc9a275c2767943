// Shared by the origin_sync_*_test.cc files: a published tree served by a
// TestOrigin, and relais-sync pull/verify against it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "tests/integration/harness/sync_support.h"
#include "tests/integration/harness/test_origin.h"

namespace relais::testing {

// The blobs an edge pulls for m.
inline std::set<std::string> blob_hashes(const Manifest& m) {
  std::set<std::string> out;
  for (const auto& e : m.entries) {
    for (const auto& v : e.variants) out.insert(v.hash.hex());
    for (const auto& d : e.deltas) out.insert(d.hash.hex());  // dcz deltas are pulled; their dictionaries are not
  }
  return out;
}

// Final blob files (32 hex digit names) under store/blobs.
inline std::set<std::string> stored_blobs(const std::string& store) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(store + "/blobs", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() == 32 && name.find('.') == std::string::npos) out.insert(name);
  }
  return out;
}

inline ProcessResult pull_from(const std::string& url, const std::string& store, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"pull", "--origin", url, "--store", store, "--stall-timeout", "1s",
                                   "--connect-timeout", "2s"};
  if (std::find(extra.begin(), extra.end(), "--jobs") == extra.end()) extra.insert(extra.end(), {"--jobs", "2"});
  args.insert(args.end(), extra.begin(), extra.end());
  return relais_sync(args);
}

}  // namespace relais::testing
