#include "bench/sim/access_log_reader.h"

#include <charconv>
#include <fstream>
#include <string_view>
#include <utility>

namespace relais::sim {

namespace {

struct LogRequest {
  std::string_view method;
  std::string_view target;
  unsigned status = 0;
  std::uint64_t bytes = 0;
};

bool parse_number(std::string_view text, std::uint64_t& out) {
  if (text == "-") {  // combined log format: no body
    out = 0;
    return true;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

// Next space-delimited token of text from pos (pos moves past it).
std::string_view token(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  std::size_t start = pos;
  while (pos < text.size() && text[pos] != ' ') ++pos;
  return text.substr(start, pos - start);
}

// The quoted request line, then status and bytes. The edge escapes '"' inside
// fields as \x22, so the first two quotes delimit the request line.
bool parse_line(std::string_view line, LogRequest& out) {
  std::size_t open = line.find('"');
  if (open == std::string_view::npos) return false;
  std::size_t close = line.find('"', open + 1);
  if (close == std::string_view::npos) return false;
  std::string_view request = line.substr(open + 1, close - open - 1);
  std::size_t pos = 0;
  out.method = token(request, pos);
  out.target = token(request, pos);
  if (out.method.empty() || out.target.empty()) return false;
  std::string_view rest = line.substr(close + 1);
  pos = 0;
  std::uint64_t status = 0;
  if (!parse_number(token(rest, pos), status) || status < 100 || status > 599) return false;
  out.status = static_cast<unsigned>(status);
  return parse_number(token(rest, pos), out.bytes);
}

}  // namespace

Result<Trace> read_access_log(std::istream& in, std::string name, std::uint64_t max_requests) {
  TraceBuilder trace(name);
  std::string line;
  LogRequest r;
  while (trace.requests() < max_requests && std::getline(in, line)) {
    if (line.empty()) continue;
    if (!parse_line(line, r) || r.method != "GET" || (r.status != 200 && r.status != 206)) {
      trace.skip_line();
      continue;
    }
    std::string_view path = r.target.substr(0, r.target.find('?'));
    std::uint64_t key = key_of(path);
    bool added = r.status == 200 ? trace.add(key, r.bytes) : trace.add_unsized(key);
    if (!added) break;
  }
  if (trace.requests() == 0) return Error::config(name + ": no GET 200/206 line in combined log format");
  return std::move(trace).finish();
}

Result<Trace> read_access_log_file(const std::string& path, std::uint64_t max_requests) {
  std::ifstream in(path);
  if (!in) return Error::config(path + ": cannot open access log");
  return read_access_log(in, path, max_requests);
}

}  // namespace relais::sim
