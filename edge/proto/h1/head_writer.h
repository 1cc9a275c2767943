// HeadWriter: appends a status line and header fields to a ResponseBuffer's text.
//
// Appends into a string whose capacity is reused across requests, so writing
// a response head allocates nothing once a connection's buffer is warm.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "edge/http/response_buffer.h"

namespace relais::http {

class HeadWriter {
 public:
  explicit HeadWriter(ResponseBuffer& out) : out_(out), text_(out.text()), from_(text_.size()) {}

  void status_line(std::uint16_t status, std::string_view reason);
  void field(std::string_view name, std::string_view value);
  void field(std::string_view name, std::uint64_t value);
  // Raw bytes (a part header of a multipart body, a CRLF).
  void raw(std::string_view bytes) { text_.append(bytes); }
  void number(std::uint64_t value);
  // Ends the head (empty line) and hands the text to the buffer.
  void finish();
  // Hands what was written so far to the buffer without an empty line.
  void flush();

 private:
  ResponseBuffer& out_;
  std::string& text_;
  std::size_t from_;
};

}  // namespace relais::http
