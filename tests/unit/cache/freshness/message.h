// Test support: a field list that owns its strings and lends FieldViews, and
// the fixed clock every conformance case runs at.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "edge/cache/freshness/response_facts.h"
#include "edge/http/http_date.h"

namespace relais::freshness::testing {

inline constexpr std::int64_t kNow = 1750000000;  // 2025-06-15, the clock of every case

inline std::string http_date(std::int64_t t) {
  std::string s(http::kHttpDateLength, '?');
  http::format_http_date(t, s.data());
  return s;
}

class Message {
 public:
  Message(std::initializer_list<std::pair<std::string, std::string>> lines) : lines_(lines) {
    for (const auto& [name, value] : lines_) views_.push_back({name, value});
  }
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;
  Fields fields() const { return views_; }

 private:
  std::vector<std::pair<std::string, std::string>> lines_;
  std::vector<FieldView> views_;
};

inline ResponseFacts facts(int status, const Message& m) { return read_response_facts(status, m.fields(), kNow); }

}  // namespace relais::freshness::testing
