#include "edge/upstream/origin_head.h"

#include "edge/cache/freshness/cache_control.h"
#include "edge/http/whitespace.h"
#include "edge/upstream/origin_request.h"

namespace relais::upstream {
namespace {

// "HTTP/1.1 200 OK" -> 200; 0 if not a status line (curl already refused
// worse, this guards our own reading of it).
int parse_status(std::string_view line) {
  if (!line.starts_with("HTTP/")) return 0;
  const std::size_t sp = line.find(' ');
  if (sp == std::string_view::npos || line.size() < sp + 4) return 0;
  int status = 0;
  for (std::size_t i = sp + 1; i < sp + 4; ++i) {
    if (line[i] < '0' || line[i] > '9') return 0;
    status = status * 10 + (line[i] - '0');
  }
  return status >= 100 ? status : 0;
}

}  // namespace

HeadCollector::State HeadCollector::add_line(std::string_view line) {
  if (state_ != State::reading) return state_;
  bytes_ += line.size();
  if (bytes_ > max_bytes_) return state_ = State::too_large;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (expect_status_) {
    head_ = OriginHead{};
    head_.status = parse_status(line);
    if (head_.status == 0) return state_ = State::bad;
    expect_status_ = false;
    return state_;
  }
  if (line.empty()) {
    // The end of a head; an interim one is followed by the real one.
    if (head_.status < 200) {
      expect_status_ = true;
      return state_;
    }
    return state_ = State::complete;
  }
  if (http::is_ows(line.front())) return state_ = State::bad;  // obs-fold
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !freshness::is_token(line.substr(0, colon))) return state_ = State::bad;
  if (head_.fields.size() == kMaxOriginFields) return state_ = State::too_large;
  const std::string_view value = http::trim_ows(line.substr(colon + 1));
  if (!is_safe_field_value(value)) return state_ = State::bad;  // a bare CR or NUL inside a value
  head_.fields.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return state_;
}

}  // namespace relais::upstream
