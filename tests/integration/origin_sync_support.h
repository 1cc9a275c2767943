// Shared by the origin_sync_*_test.cc files: a published tree served by a
// TestOrigin, and relais-sync pull/verify against it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "tests/integration/harness/sync_support.h"
#include "tests/integration/harness/test_origin.h"

namespace relais::testing {

// Asks cond every 10 ms until it holds or the deadline passes. Only for the
// state of another process that can be observed solely by asking it (nginx
// accepting on its port): there is nothing to block on. State of this process
// is awaited on a condition variable (TestOrigin::wait_for), and an event a
// child logs is awaited on its output (Subprocess::wait_for_line,
// wait_for_stderr_text).
inline bool poll_until(const std::function<bool()>& cond, std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  constexpr auto kInterval = std::chrono::milliseconds(10);
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (cond()) return true;
    std::this_thread::sleep_for(kInterval);
  }
  return cond();
}

inline std::set<std::string> blob_hashes(const Manifest& m) {
  std::set<std::string> out;
  for (const auto& e : m.entries)
    for (const auto& v : e.variants) out.insert(v.hash.hex());
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
