#include "bench/sim/text_trace_reader.h"

#include <charconv>
#include <fstream>
#include <string_view>
#include <utility>

namespace relais::sim {

namespace {

bool is_separator(char c) { return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '\r'; }

// The 1-based column-th field of line, or empty if the line is shorter.
std::string_view field(std::string_view line, unsigned column) {
  std::size_t i = 0;
  for (unsigned c = 1;; ++c) {
    while (i < line.size() && is_separator(line[i])) ++i;
    std::size_t start = i;
    while (i < line.size() && !is_separator(line[i])) ++i;
    if (start == i) return {};
    if (c == column) return line.substr(start, i - start);
  }
}

bool parse_bytes(std::string_view text, std::uint64_t& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

}  // namespace

Result<Trace> read_text_trace(std::istream& in, const TextTraceFormat& format, std::string name,
                              std::uint64_t max_requests) {
  if (format.id_column == 0 || format.size_column == 0 || format.id_column == format.size_column) {
    return Error::config(name + ": id and size columns must be distinct and 1-based");
  }
  TraceBuilder trace(name);
  std::string line;
  while (trace.requests() < max_requests && std::getline(in, line)) {
    std::string_view view = line;
    std::size_t first = view.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || view[first] == '#') continue;
    std::string_view id = field(view, format.id_column);
    std::uint64_t bytes = 0;
    if (id.empty() || !parse_bytes(field(view, format.size_column), bytes)) {
      trace.skip_line();
      continue;
    }
    if (!trace.add(key_of(id), bytes)) break;
  }
  if (trace.requests() == 0) {
    return Error::config(name + ": no request line (expected 'timestamp id size' per line)");
  }
  return std::move(trace).finish();
}

Result<Trace> read_text_trace_file(const std::string& path, const TextTraceFormat& format,
                                   std::uint64_t max_requests) {
  std::ifstream in(path);
  if (!in) return Error::config(path + ": cannot open trace file");
  return read_text_trace(in, format, path, max_requests);
}

}  // namespace relais::sim
