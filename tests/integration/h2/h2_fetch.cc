#include "tests/integration/h2/h2_fetch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <sstream>

namespace relais::testing {
namespace {

const std::string kClient = std::string(RELAIS_SOURCE_DIR) + "/tests/integration/h2/h2_client.py";

std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace

ProcessResult run_client(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/python3", kClient};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv, std::chrono::seconds(90));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r;
}

std::vector<H2Response> parse_responses(const std::string& text, std::size_t count) {
  std::vector<H2Response> out(count);
  std::istringstream in(text);
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (line.size() > 4096 && line.rfind("body ", 0) != 0) continue;
    if (std::regex_match(line, m, std::regex(R"(response (\d+) status=(\S+) length=\d+)"))) {
      out.at(std::stoul(m[1])).status = m[2];
    } else if (std::regex_match(line, m, std::regex(R"(header (\d+) ([^:]+): (.*))"))) {
      out.at(std::stoul(m[1])).headers.emplace(m[2], m[3]);
    } else if (line.rfind("body ", 0) == 0) {  // no regex: std::regex recurses per character of a 6 MB line
      const std::size_t space = line.find(' ', 5);
      out.at(std::stoul(line.substr(5, space - 5))).body = space == std::string::npos ? "" : from_hex(line.substr(space + 1));
    }
  }
  return out;
}

std::vector<H2Response> fetch(std::uint16_t port, const std::vector<std::string>& specs) {
  std::vector<std::string> args = {"fetch", std::to_string(port)};
  args.insert(args.end(), specs.begin(), specs.end());
  return parse_responses(run_client(args).out, specs.size());
}

H2Response fetch_one(std::uint16_t port, const std::string& spec) { return fetch(port, {spec}).at(0); }

std::string fact(const std::string& out, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("(^|\\n|\\s)" + key + "=(\\S*)"))) return "";
  return m[2];
}

}  // namespace relais::testing
