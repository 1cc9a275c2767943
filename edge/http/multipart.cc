#include "edge/http/multipart.h"

#include <cstdio>

#include "origin-sync/assert.h"

namespace relais::http {
namespace {

// "first-last/size" of a part's Content-Range, into out (64 bytes hold three uint64).
std::string_view range_span(const ByteRange& r, std::uint64_t size, char (&out)[64]) {
  int n = std::snprintf(out, sizeof out, "%llu-%llu/%llu", static_cast<unsigned long long>(r.first),
                        static_cast<unsigned long long>(r.last), static_cast<unsigned long long>(size));
  return std::string_view(out, static_cast<std::size_t>(n));
}

constexpr std::string_view kPartType = "\r\nContent-Type: ";
constexpr std::string_view kPartRange = "\r\nContent-Range: bytes ";

}  // namespace

std::uint64_t multipart_length(const ResponseBody& body) {
  RELAIS_ASSERT(body.multipart());
  std::uint64_t total = 0;
  for (const ByteRange& r : body.ranges) {
    char digits[64];
    const std::string_view span = range_span(r, body.size, digits);
    total += 4 + body.boundary.size() + kPartType.size() + body.part_type.size() + kPartRange.size() + span.size() +
             4 + r.length();
  }
  return total + 4 + body.boundary.size() + 4;
}

void append_part_header(std::string& out, const ResponseBody& body, const ByteRange& range) {
  char digits[64];
  out.append("\r\n--");
  out.append(body.boundary);
  out.append(kPartType);
  out.append(body.part_type);
  out.append(kPartRange);
  out.append(range_span(range, body.size, digits));
  out.append("\r\n\r\n");
}

void append_close_delimiter(std::string& out, const ResponseBody& body) {
  out.append("\r\n--");
  out.append(body.boundary);
  out.append("--\r\n");
}

}  // namespace relais::http
