// The C++ side of tests/integration/h2/h2_client.py (run by /usr/bin/python3,
// Debian's python3-h2): one run per call, its output parsed into responses
// and `key=value` facts. Shared by the HTTP/2 tests (edge_h2_test.cc,
// edge_pull_h2_test.cc).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/harness/harness.h"

namespace relais::testing {

struct H2Response {
  std::string status;
  std::multimap<std::string, std::string> headers;
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// h2_client.py with these arguments, to its end (90 s deadline); a failure
// to run it is a test failure.
ProcessResult run_client(const std::vector<std::string>& args);

// Parses the `response I ...`, `header I ...`, `body I HEX` lines of a run
// into `count` responses.
std::vector<H2Response> parse_responses(const std::string& out, std::size_t count);

// Requests on one HTTP/2 connection, concurrently: "METHOD:/path|name=value|...".
std::vector<H2Response> fetch(std::uint16_t port, const std::vector<std::string>& specs);
H2Response fetch_one(std::uint16_t port, const std::string& spec);

// `key=value` from a client's output, "" if absent.
std::string fact(const std::string& out, const std::string& key);

}  // namespace relais::testing
