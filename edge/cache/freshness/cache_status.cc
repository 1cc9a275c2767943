#include "edge/cache/freshness/cache_status.h"

#include <charconv>
#include <cstring>

#include "edge/cache/freshness/cache_control.h"
#include "origin-sync/assert.h"

namespace relais::freshness {
namespace {

std::string_view forward_name(Forward f) {
  switch (f) {
    case Forward::none: return "";
    case Forward::uri_miss: return "uri-miss";
    case Forward::vary_miss: return "vary-miss";
    case Forward::miss: return "miss";
    case Forward::request: return "request";
    case Forward::stale: return "stale";
    case Forward::bypass: return "bypass";
    case Forward::method: return "method";
  }
  return "miss";
}

// RFC 8941 §3.3.4: a token starts with ALPHA or '*'.
bool sf_token(std::string_view s) {
  if (s.empty()) return false;
  const char c = s.front();
  if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*')) return false;
  for (char ch : s) {
    if (!(is_token(std::string_view(&ch, 1)) || ch == ':' || ch == '/')) return false;
  }
  return true;
}

class Writer {
 public:
  explicit Writer(char* out) : out_(out) {}
  void text(std::string_view s) {
    RELAIS_ASSERT(len_ + s.size() <= kMaxCacheStatusBytes);
    std::memcpy(out_ + len_, s.data(), s.size());
    len_ += s.size();
  }
  void number(std::int64_t v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    text(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  // RFC 8941 §4.1.6: a string escapes '"' and '\'; other bytes outside
  // printable ASCII cannot be carried and are dropped.
  void string(std::string_view s) {
    text("\"");
    for (char c : s) {
      if (c < 0x20 || c > 0x7e) continue;
      if (c == '"' || c == '\\') text("\\");
      text(std::string_view(&c, 1));
    }
    text("\"");
  }
  std::size_t size() const { return len_; }

 private:
  char* out_;
  std::size_t len_ = 0;
};

}  // namespace

std::size_t format_cache_status(const CacheStatus& s, char (&out)[kMaxCacheStatusBytes]) {
  RELAIS_ASSERT(s.cache.size() <= 32 && s.detail.size() <= 32);
  Writer w(out);
  if (sf_token(s.cache)) w.text(s.cache);
  else w.string(s.cache);
  if (s.fwd == Forward::none) {
    w.text("; hit");
  } else {
    w.text("; fwd=");
    w.text(forward_name(s.fwd));
  }
  if (s.fwd_status) {
    w.text("; fwd-status=");
    w.number(*s.fwd_status);
  }
  if (s.ttl) {
    w.text("; ttl=");
    w.number(*s.ttl);
  }
  if (s.stored) w.text("; stored");
  if (s.collapsed) w.text("; collapsed");
  if (!s.detail.empty()) {
    w.text("; detail=");
    if (sf_token(s.detail)) w.text(s.detail);
    else w.string(s.detail);
  }
  return w.size();
}

}  // namespace relais::freshness
