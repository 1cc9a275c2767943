// Text trace reader: one request per line, "timestamp id size".
//
// The plain format of public CDN and cache traces (libCacheSim's txt/csv
// readers, the Wikimedia CDN traces): fields separated by spaces, tabs,
// commas or semicolons (runs count as one separator). Which field holds the
// object id and which the size is configurable (1-based; default 2 and 3),
// so "id size" files and the Wikimedia 2019 upload trace
// ("time hashed_path image_type size ttfb": id 2, size 4) read as they are.
// The id may be any token (number, hash, URL); the size is a decimal byte
// count. Empty lines and '#' comments are ignored; other lines that do not
// parse (a header row, a truncated last line) are skipped and counted in
// Trace::skipped_lines, never fatal. An object's size is the largest one
// its requests report. Reads at most max_requests requests.
#pragma once

#include <cstdint>
#include <istream>
#include <string>

#include "bench/sim/trace.h"
#include "origin-sync/result.h"

namespace relais::sim {

struct TextTraceFormat {
  unsigned id_column = 2;    // 1-based
  unsigned size_column = 3;  // 1-based
};

// Error if the columns are invalid or no line held a request.
Result<Trace> read_text_trace(std::istream& in, const TextTraceFormat& format, std::string name,
                              std::uint64_t max_requests);
Result<Trace> read_text_trace_file(const std::string& path, const TextTraceFormat& format,
                                   std::uint64_t max_requests);

}  // namespace relais::sim
