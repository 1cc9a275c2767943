// The C++ side of tests/integration/h2/h2_client.py (raw HTTP/2 frames,
// Debian's python3-h2): runs it, parses what it prints. Shared by the HTTP/2
// integration tests (edge_h2_test.cc, edge_h2_hostile_test.cc).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/harness/process.h"

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

// h2_client.py ARGS...; a gtest failure unless it exits 0.
ProcessResult run_h2_client(const std::vector<std::string>& args);
// The `response I ...`, `header I ...`, `body I HEX` lines of a run, as
// `count` responses.
std::vector<H2Response> parse_h2_responses(const std::string& text, std::size_t count);
// Requests on one HTTP/2 connection, concurrently: "METHOD:/path|name=value|...".
std::vector<H2Response> h2_fetch(std::uint16_t port, const std::vector<std::string>& specs);
H2Response h2_fetch_one(std::uint16_t port, const std::string& spec);
// `key=value` from a client's output, "" if absent.
std::string fact(const std::string& out, const std::string& key);

// An h2c connection from `source` whose one request (GET /, stream 1) was
// answered and read to its end: raw bytes, so a test can go on with its own.
std::unique_ptr<RawClient> served_h2_connection(std::uint16_t port, const char* source);

}  // namespace relais::testing
