// EdgeFixture: a published test tree and a real relais-edge serving it on
// 127.0.0.1 with ephemeral ports, shared by the tests of one suite.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/harness/process.h"
#include "tests/integration/harness/temp_dir.h"

namespace relais::testing {

struct RunningEdge {
  std::unique_ptr<Subprocess> process;
  std::uint16_t port = 0;
  std::uint16_t admin_port = 0;
};

// Source files of the standard test tree, path -> bytes.
std::map<std::string, std::string> standard_tree();
// Writes files under dir/src, publishes to dir/out with the real relais-sync.
// Returns false (with a gtest failure) if publishing fails.
bool publish_tree(const TempDir& dir, const std::map<std::string, std::string>& files);
// Starts relais-edge on dir/out with the given extra flags; waits for "ready".
RunningEdge start_edge(const TempDir& dir, const std::vector<std::string>& extra_flags = {});
// Starts relais-edge with exactly argv (argv[0] the binary) and waits for
// "ready"; it must listen on 127.0.0.1 (http and admin).
RunningEdge run_edge(const std::vector<std::string>& argv);

// A sample's value from the admin listener's /metrics (the first line
// starting with `series` and a space), -1 if absent or unreachable.
double metric(std::uint16_t admin_port, const std::string& series);
// metric() once it is at least `min` (metrics are published once a second),
// or its last value after a 10 s deadline.
double await_metric(std::uint16_t admin_port, const std::string& series, double min);

// Decoders for checking variants against their source.
std::string decode_body(const std::string& encoding, const std::string& body, std::size_t expected_size);

}  // namespace relais::testing
