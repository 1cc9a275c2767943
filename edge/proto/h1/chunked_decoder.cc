// ChunkedDecoder: see chunked_decoder.h for the grammar, bounds and lifecycle.
#include "edge/proto/h1/chunked_decoder.h"
#include "edge/http/whitespace.h"

#include <algorithm>

namespace relais::http {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}


// RFC 9110 §5.6.2 tchar, for trailer field names.
bool is_tchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  for (char t : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == t) return true;
  }
  return false;
}

// VCHAR, obs-text, SP, HTAB: what a chunk-ext or a field value may hold.
bool is_text(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7F);
}

}  // namespace

bool ChunkedDecoder::fail(std::string_view reason) {
  phase_ = Phase::failed;
  reason_ = reason;
  return false;
}

ChunkedDecoder::Step ChunkedDecoder::feed(std::string_view input, std::string* data) {
  std::size_t i = 0;
  while (i < input.size()) {
    if (phase_ == Phase::finished) return {State::done, i};
    if (phase_ == Phase::failed) return {State::error, i};
    if (phase_ == Phase::data) {
      // The bulk of the body: skip it without looking at it.
      const std::uint64_t take = std::min<std::uint64_t>(chunk_left_, input.size() - i);
      if (data != nullptr) data->append(input.data() + i, static_cast<std::size_t>(take));
      i += static_cast<std::size_t>(take);
      chunk_left_ -= take;
      if (chunk_left_ == 0) phase_ = Phase::data_cr;
      continue;
    }
    if (!step(input[i])) return {State::error, i};
    ++i;
  }
  if (phase_ == Phase::finished) return {State::done, i};
  if (phase_ == Phase::failed) return {State::error, i};
  return {State::more, i};
}

bool ChunkedDecoder::step(char c) {
  switch (phase_) {
    case Phase::size:
    case Phase::size_ws:
    case Phase::extension:
      // An unbounded chunk-ext makes a server work and wait for bytes that
      // carry no body (Node.js CVE-2024-22019), and lets a front end and a
      // back end disagree on where a chunk starts (request smuggling).
      if (++line_bytes_ > max_line_) return fail("chunk-size line too long");
      break;
    case Phase::trailer_name:
    case Phase::trailer_value:
      if (++line_bytes_ > max_line_) return fail("trailer line too long");
      break;
    default:
      break;
  }
  switch (phase_) {
    case Phase::size: {
      const int d = hex_digit(c);
      if (d >= 0) {
        // RFC 9112 §7.1: "anticipate potentially large hexadecimal numerals
        // and prevent parsing errors due to integer conversion overflows".
        if (++size_digits_ > 16) return fail("chunk size too long");
        chunk_left_ = chunk_left_ * 16 + static_cast<std::uint64_t>(d);
        if (chunk_left_ > max_body_ - body_bytes_) return fail("body too large");
        return true;
      }
      if (size_digits_ == 0) return fail("missing chunk size");
      if (c == ';') { phase_ = Phase::extension; return true; }
      if (is_ows(c)) { phase_ = Phase::size_ws; return true; }
      if (c == '\r') { phase_ = Phase::size_lf; return true; }
      return fail("invalid chunk size");
    }
    case Phase::size_ws:  // BWS is allowed only before ';' (RFC 9112 §7.1.1)
      if (is_ows(c)) return true;
      if (c == ';') { phase_ = Phase::extension; return true; }
      return fail("whitespace after chunk size");
    case Phase::extension:
      if (c == '\r') { phase_ = Phase::size_lf; return true; }
      return is_text(c) || fail("control byte in chunk extension");
    case Phase::size_lf:
      if (c != '\n') return fail("bare CR in chunk-size line");
      line_bytes_ = 0;
      size_digits_ = 0;
      body_bytes_ += chunk_left_;
      phase_ = chunk_left_ == 0 ? Phase::trailer_start : Phase::data;
      return true;
    case Phase::data_cr:  // RFC 9112 §7.1: chunk-data is followed by exactly CRLF
      return c == '\r' ? (phase_ = Phase::data_lf, true) : fail("chunk data longer than its size");
    case Phase::data_lf:
      return c == '\n' ? (phase_ = Phase::size, true) : fail("bare CR after chunk data");
    case Phase::trailer_start:
      if (c == '\r') { phase_ = Phase::final_lf; return true; }
      if (++trailer_lines_ > kMaxTrailerLines) return fail("too many trailer lines");
      if (!is_tchar(c)) return fail("invalid trailer field");  // also obs-fold, bare LF
      line_bytes_ = 1;
      phase_ = Phase::trailer_name;
      return true;
    case Phase::trailer_name:
      if (c == ':') { phase_ = Phase::trailer_value; return true; }
      return is_tchar(c) || fail("invalid trailer field name");
    case Phase::trailer_value:
      if (c == '\r') { phase_ = Phase::trailer_lf; return true; }
      return is_text(c) || fail("control byte in trailer");
    case Phase::trailer_lf:
      if (c != '\n') return fail("bare CR in trailer");
      line_bytes_ = 0;
      phase_ = Phase::trailer_start;
      return true;
    case Phase::final_lf:
      if (c != '\n') return fail("bare CR after trailers");
      phase_ = Phase::finished;
      return true;
    case Phase::data:
    case Phase::finished:
    case Phase::failed:
      break;
  }
  return false;  // unreachable: feed() handles these phases
}

}  // namespace relais::http
