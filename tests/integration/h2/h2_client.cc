#include "tests/integration/h2/h2_client.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>

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

ProcessResult run_h2_client(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/python3", kClient};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv, std::chrono::seconds(90));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r;
}

std::vector<H2Response> parse_h2_responses(const std::string& text, std::size_t count) {
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

std::vector<H2Response> h2_fetch(std::uint16_t port, const std::vector<std::string>& specs) {
  std::vector<std::string> args = {"fetch", std::to_string(port)};
  args.insert(args.end(), specs.begin(), specs.end());
  return parse_h2_responses(run_h2_client(args).out, specs.size());
}

H2Response h2_fetch_one(std::uint16_t port, const std::string& spec) { return h2_fetch(port, {spec}).at(0); }

std::string fact(const std::string& out, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex("(^|\\n|\\s)" + key + "=(\\S*)"))) return "";
  return m[2];
}

std::unique_ptr<RawClient> served_h2_connection(std::uint16_t port, const char* source) {
  auto c = std::make_unique<RawClient>(port, source);
  // HPACK, static table only: :method GET, :scheme http, :path /, :authority localhost.
  const std::string block = std::string("\x82\x86\x84\x01\x09", 5) + "localhost";
  std::string frames = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + std::string("\0\0\0\x04\0\0\0\0\0", 9);
  frames += std::string("\0\0", 2) + static_cast<char>(block.size()) + std::string("\x01\x05\0\0\0\x01", 6) + block;
  EXPECT_TRUE(c->send(frames));
  // Until the DATA frame that ends stream 1 (type 0, END_STREAM) has come.
  std::string got;
  const std::string end_of_stream("\0\x01\0\0\0\x01", 6);
  pollfd p{c->native_handle(), POLLIN, 0};
  while (got.find(end_of_stream) == std::string::npos && ::poll(&p, 1, 10'000) == 1) {
    char buffer[65536];
    const ssize_t n = ::recv(c->native_handle(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  EXPECT_NE(got.find(end_of_stream), std::string::npos);
  return c;
}

}  // namespace relais::testing
