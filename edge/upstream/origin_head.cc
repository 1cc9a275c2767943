#include "edge/upstream/origin_head.h"

#include <utility>
#include <vector>

#include "edge/cache/freshness/cache_control.h"
#include "edge/cache/freshness/field_list.h"
#include "edge/http/ascii_case.h"
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
  // RFC 9110 §15: three digits, 100 to 599, then the end or a space.
  if (line.size() > sp + 4 && line[sp + 4] != ' ') return 0;
  return status >= 100 && status <= 599 ? status : 0;
}

// One Content-Length value: digits only, at most 18 of them.
bool valid_length(std::string_view v) {
  if (v.empty() || v.size() > 18) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

// RFC 9112 §6.3: the framing the edge passes on must be the one the body was
// read with, or the bytes after it become the next response on the client's
// connection. With Transfer-Encoding (which curl decodes) every
// Content-Length goes (item 3); without it, Content-Length lines and list
// members must all be one valid value (kept once), else the response is bad:
// 502 (item 5). curl takes off chunked and no other transfer coding: a
// body sent "gzip, chunked" would reach the cache as gzip bytes labelled as
// the identity (RFC 9112 §6.1: chunked, once, is the only coding we read).
bool settle_framing(OriginHead& head) {
  bool chunked_or_coded = false;
  int codings = 0;
  bool only_chunked = true;
  std::string_view length;
  for (const OriginField& f : head.fields) {
    if (!http::equals_ignore_case(f.name, "transfer-encoding")) continue;
    chunked_or_coded = true;
    freshness::for_each_list_element(f.value, [&](std::string_view member) {
      ++codings;
      only_chunked = only_chunked && http::equals_ignore_case(member, "chunked");
    });
  }
  if (chunked_or_coded && (codings != 1 || !only_chunked)) return false;
  std::vector<OriginField> kept;
  kept.reserve(head.fields.size());
  bool length_kept = false;
  for (OriginField& f : head.fields) {
    if (!http::equals_ignore_case(f.name, "content-length")) {
      kept.push_back(std::move(f));
      continue;
    }
    if (chunked_or_coded) continue;
    // By hand, not for_each_list_element: an empty member ("5, , 5") is a
    // bad length here, where a list would skip it.
    std::string_view rest = f.value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view member = http::trim_ows(rest.substr(0, comma));
      if (!valid_length(member) || (!length.empty() && member != length)) return false;
      length = member;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (!length_kept) kept.push_back(OriginField{f.name, std::string(length)});
    length_kept = true;
  }
  head.fields = std::move(kept);
  return true;
}

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
      // A few interim heads are normal (100, 103); a stream of them would
      // hold the client past the first-byte timeout, which stops at the first.
      if (++interim_ > kMaxInterimHeads) return state_ = State::bad;
      expect_status_ = true;
      return state_;
    }
    return state_ = settle_framing(head_) ? State::complete : State::bad;
  }
  if (http::is_ows(line.front())) return state_ = State::bad;  // obs-fold
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !freshness::is_token(line.substr(0, colon))) return state_ = State::bad;
  if (head_.fields.size() == kMaxOriginFields) return state_ = State::too_large;
  const std::string_view value = http::trim_ows(line.substr(colon + 1));
  // A bare CR or NUL inside a value. No length of its own: the head as a
  // whole is bounded (max_head_bytes, 64 KiB), and a Content-Security-Policy
  // or Link line over 4 KiB is common (outside attack: they were 502s).
  if (!is_field_text(value)) return state_ = State::bad;
  head_.fields.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return state_;
}

}  // namespace relais::upstream
