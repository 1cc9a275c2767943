#include "edge/http/response.h"

#include <charconv>
#include <cstdio>

#include "edge/http/http_date.h"
#include "origin-sync/assert.h"

namespace relais::http {

void Response::add(const FieldName& name, std::string_view value) {
  RELAIS_ASSERT(count_ < kMaxFields);
  fields_[count_++] = Field{&name, value.data(), value.size()};
}

void Response::add_formatted(const FieldName& name, std::size_t length) {
  add(name, std::string_view(values_ + used_, length));
  used_ += length;
}

void Response::add(const FieldName& name, std::uint64_t value) {
  RELAIS_ASSERT(kValueBytes - used_ >= 20);  // 20 digits hold any uint64_t
  auto [end, ec] = std::to_chars(values_ + used_, values_ + used_ + 20, value);
  (void)ec;
  add_formatted(name, static_cast<std::size_t>(end - (values_ + used_)));
}

void Response::add_date(const FieldName& name, std::int64_t unix_seconds) {
  RELAIS_ASSERT(kValueBytes - used_ >= kHttpDateLength);
  format_http_date(unix_seconds, values_ + used_);
  add_formatted(name, kHttpDateLength);
}

void Response::add_content_range(const ByteRange* range, std::uint64_t size) {
  // "bytes " + three uint64 and two separators: at most 6 + 62 bytes.
  RELAIS_ASSERT(kValueBytes - used_ >= 69);
  const int n = range != nullptr
                    ? std::snprintf(values_ + used_, 69, "bytes %llu-%llu/%llu",
                                    static_cast<unsigned long long>(range->first),
                                    static_cast<unsigned long long>(range->last), static_cast<unsigned long long>(size))
                    : std::snprintf(values_ + used_, 69, "bytes */%llu", static_cast<unsigned long long>(size));
  add_formatted(field::content_range, static_cast<std::size_t>(n));
}

}  // namespace relais::http
