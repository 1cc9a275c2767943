#include "edge/server/request_log_line.h"

#include <charconv>
#include <ctime>

#include "edge/proto/h1/request_parser.h"

namespace relais {
namespace {

constexpr std::size_t kMaxLoggedField = 512;

void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (text.empty()) {
    out.push_back('-');
    return;
  }
  if (text.size() > kMaxLoggedField) text = text.substr(0, kMaxLoggedField);
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

std::string_view find_header(const http::Request& request, std::string_view name) {
  for (std::size_t i = 0; i < request.header_count; ++i) {
    if (http::equals_ignore_case(request.headers[i].name, name)) return request.headers[i].value;
  }
  return {};
}

void append_number(std::string& out, std::uint64_t v) {
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v);
  (void)ec;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

}  // namespace

void append_request_log_line(std::string& out, std::int64_t unix_seconds, const PeerAddress& peer,
                             const http::Request& request, const http::ResponseSummary& summary) {
  char address[64];
  out.append(address, peer.format(address));
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char when[40];
  std::size_t n = std::strftime(when, sizeof when, " - - [%d/%b/%Y:%H:%M:%S +0000] \"", &tm);
  out.append(when, n);
  append_escaped(out, request.method_token);
  out.push_back(' ');
  append_escaped(out, request.target);
  out.append(request.version_major == 2 ? " HTTP/2.0\" " : request.version_minor == 0 ? " HTTP/1.0\" " : " HTTP/1.1\" ");
  append_number(out, summary.status);
  out.push_back(' ');
  append_number(out, summary.body_bytes);
  out.append(" \"");
  append_escaped(out, find_header(request, "Referer"));
  out.append("\" \"");
  append_escaped(out, find_header(request, "User-Agent"));
  out.append(summary.from_memory ? "\" memory\n" : summary.from_disk ? "\" disk\n" : "\" -\n");
}

}  // namespace relais
