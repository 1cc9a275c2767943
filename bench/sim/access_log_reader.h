// Access-log reader: Relais's own access log (and any combined log format).
//
// edge/server/request_log_line.cc writes the combined log format plus the
// tier that served the body:
//   IP - - [date] "GET /path HTTP/1.1" status bytes "referer" "user-agent" tier
// The tier (memory, disk, -) and anything after the request line's status and
// bytes are ignored, so nginx/Apache combined logs read too.
//
// Choices (see README.md):
//   - key = the request target without its query string (the edge's catalog
//     is keyed by path; content variants br/zstd/gzip of a path are one object);
//   - only GET 200 and GET 206 are requests; HEAD, 304, 4xx, 5xx and unparsable
//     lines are skipped and counted in Trace::skipped_lines;
//   - a 200's bytes is the object's full size; an object's size is the
//     largest 200 seen for it anywhere in the log;
//   - a 206 is an access of the whole object (the edge serves a range from
//     the cached object); its bytes say nothing of the full size. A path that
//     only ever answered 206 keeps kUnknownSize and bypasses the memory tier:
//     range-only objects are in practice videos above memory-object-max.
// Reads at most max_requests requests.
#pragma once

#include <cstdint>
#include <istream>
#include <string>

#include "bench/sim/trace.h"
#include "origin-sync/result.h"

namespace relais::sim {

// Error if no line held a replayable request.
Result<Trace> read_access_log(std::istream& in, std::string name, std::uint64_t max_requests);
Result<Trace> read_access_log_file(const std::string& path, std::uint64_t max_requests);

}  // namespace relais::sim
