#include "edge/proto/h1/head_writer.h"

namespace relais::http {

void HeadWriter::status_line(std::uint16_t status, std::string_view reason) {
  text_.append("HTTP/1.1 ");
  number(status);
  text_.push_back(' ');
  text_.append(reason);
  text_.append("\r\n");
}

void HeadWriter::field(std::string_view name, std::string_view value) {
  text_.append(name);
  text_.append(": ");
  text_.append(value);
  text_.append("\r\n");
}

void HeadWriter::field(std::string_view name, std::uint64_t value) {
  text_.append(name);
  text_.append(": ");
  number(value);
  text_.append("\r\n");
}

void HeadWriter::number(std::uint64_t value) {
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;  // 20 digits always hold a uint64_t
  text_.append(digits, static_cast<std::size_t>(end - digits));
}

void HeadWriter::finish() {
  text_.append("\r\n");
  flush();
}

void HeadWriter::flush() {
  out_.commit_text(from_);
  from_ = text_.size();
}

}  // namespace relais::http
