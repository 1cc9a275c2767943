#include "edge/server/request_log_line.h"

#include <charconv>
#include <ctime>

#include "edge/proto/h1/request_parser.h"
#include "origin-sync/utf8.h"

namespace relais {
namespace {

constexpr std::size_t kMaxLoggedField = 512;
constexpr char kHex[] = "0123456789abcdef";

std::string_view bounded(std::string_view text) {
  return text.size() > kMaxLoggedField ? text.substr(0, kMaxLoggedField) : text;
}

void append_combined_escaped(std::string& out, std::string_view text) {
  if (text.empty()) {
    out.push_back('-');
    return;
  }
  for (unsigned char c : bounded(text)) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  append_json_escaped(out, bounded(text));
  out.push_back('"');
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

// Seconds with millisecond resolution, like nginx's $request_time: "0.012".
void append_seconds(std::string& out, std::uint64_t microseconds) {
  const std::uint64_t ms = microseconds / 1000;
  append_number(out, ms / 1000);
  const unsigned frac = static_cast<unsigned>(ms % 1000);
  const char digits[4] = {'.', static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                          static_cast<char>('0' + frac % 10)};
  out.append(digits, 4);
}

std::string_view tier_name(const http::ResponseSummary& s) {
  if (!s.pull.empty()) return s.pull;
  return s.from_memory ? "memory" : s.from_disk ? "disk" : "none";
}

std::tm utc(std::uint64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return tm;
}

// Each returns where in out the body byte count starts.
std::size_t append_combined_head(std::string& out, const LogLineHead& h) {
  const http::Request& request = *h.request;
  const http::ResponseSummary& summary = *h.summary;
  char address[64];
  out.append(address, h.peer->format(address));
  const std::tm tm = utc(h.unix_seconds);
  char when[40];
  out.append(when, std::strftime(when, sizeof when, " - - [%d/%b/%Y:%H:%M:%S +0000] \"", &tm));
  append_combined_escaped(out, request.method_token);
  out.push_back(' ');
  append_combined_escaped(out, request.target);
  out.push_back(' ');
  out.append(h.protocol).append("\" ");
  append_number(out, summary.status);
  out.push_back(' ');
  const std::size_t bytes_at = out.size();
  append_number(out, summary.body_bytes);
  out.append(" \"");
  append_combined_escaped(out, find_header(request, "Referer"));
  out.append("\" \"");
  append_combined_escaped(out, find_header(request, "User-Agent"));
  out.append("\" ");
  out.append(summary.from_memory || summary.from_disk || !summary.pull.empty() ? tier_name(summary) : "-");
  // With [site.*] sections, the site that answered (names are [A-Za-z0-9_-]: no escaping).
  if (h.named_sites) out.append(" ").append(h.site);
  return bytes_at;
}

// ,"name":"value" with the value escaped (names are ours: plain ASCII).
void append_json_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(",\"").append(name).append("\":");
  append_json_string(out, value);
}

// ,"name":number
void append_json_number(std::string& out, std::string_view name, std::uint64_t value) {
  out.append(",\"").append(name).append("\":");
  append_number(out, value);
}

std::size_t append_json_head(std::string& out, const LogLineHead& h) {
  const http::Request& request = *h.request;
  const http::ResponseSummary& summary = *h.summary;
  const std::tm tm = utc(h.unix_seconds);
  char when[80];
  out.append(when, std::strftime(when, sizeof when, "{\"time\":\"%Y-%m-%dT%H:%M:%SZ\",\"remote_addr\":\"", &tm));
  char address[64];
  out.append(address, h.peer->format(address));  // digits, dots, colons: nothing to escape
  out.push_back('"');
  append_json_field(out, "method", request.method_token);
  append_json_field(out, "target", request.target);
  append_json_field(out, "protocol", h.protocol);
  append_json_number(out, "status", summary.status);
  out.append(",\"bytes\":");
  const std::size_t bytes_at = out.size();
  append_number(out, summary.body_bytes);
  append_json_field(out, "tier", tier_name(summary));
  append_json_field(out, "content_encoding", summary.content_encoding);
  append_json_field(out, "user_agent", find_header(request, "User-Agent"));
  append_json_field(out, "referer", find_header(request, "Referer"));
  append_json_field(out, "site", h.site);
  return bytes_at;
}

}  // namespace

bool parse_access_log_format(std::string_view text, AccessLogFormat& format) {
  if (text == "combined") {
    format = AccessLogFormat::combined;
  } else if (text == "json") {
    format = AccessLogFormat::json;
  } else {
    return false;
  }
  return true;
}

std::string_view access_log_format_name(AccessLogFormat format) {
  return format == AccessLogFormat::json ? "json" : "combined";
}

void append_json_escaped(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const std::size_t length = c < 0x80 ? 0 : utf8_sequence_length(text, i);
    if (length > 0) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    out.append("\\u00");
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
    ++i;
  }
}

std::size_t append_log_line_head(std::string& out, AccessLogFormat format, const LogLineHead& head) {
  return format == AccessLogFormat::json ? append_json_head(out, head) : append_combined_head(out, head);
}

void append_log_line_tail(std::string& out, AccessLogFormat format, const ExchangeTiming& timing) {
  if (format == AccessLogFormat::json) {
    out.append(",\"request_time\":");
    append_seconds(out, timing.duration_us);
    out.append(",\"ttfb\":");
    append_seconds(out, timing.ttfb_us);
    out.append("}\n");
  } else {
    out.push_back(' ');
    append_seconds(out, timing.duration_us);
    out.push_back('\n');
  }
}

}  // namespace relais
