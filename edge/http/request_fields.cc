#include "edge/http/request_fields.h"

#include "edge/http/ascii_case.h"

namespace relais::http {
namespace {

// A default view (null data) means "not seen yet".
void keep_first(std::string_view& slot, std::string_view value) {
  if (slot.data() == nullptr) slot = value;
}

}  // namespace

Method method_from_token(std::string_view t) {
  struct Entry { std::string_view name; Method method; };
  static constexpr Entry kMethods[] = {
      {"GET", Method::get},         {"HEAD", Method::head},   {"OPTIONS", Method::options},
      {"POST", Method::post},       {"PUT", Method::put},     {"DELETE", Method::del},
      {"CONNECT", Method::connect}, {"TRACE", Method::trace}, {"PATCH", Method::patch},
  };
  for (const Entry& e : kMethods) {
    if (e.name == t) return e.method;
  }
  return Method::other;
}

bool note_semantic_field(std::string_view n, std::string_view v, Request& r) {
  if (equals_ignore_case(n, "accept-encoding")) {
    if (!r.has_accept_encoding) r.accept_encoding = v;
    r.has_accept_encoding = true;
  } else if (equals_ignore_case(n, "range")) {
    keep_first(r.range, v);
  } else if (equals_ignore_case(n, "if-match")) {
    keep_first(r.if_match, v);
  } else if (equals_ignore_case(n, "if-none-match")) {
    keep_first(r.if_none_match, v);
  } else if (equals_ignore_case(n, "if-modified-since")) {
    keep_first(r.if_modified_since, v);
  } else if (equals_ignore_case(n, "if-unmodified-since")) {
    keep_first(r.if_unmodified_since, v);
  } else if (equals_ignore_case(n, "if-range")) {
    keep_first(r.if_range, v);
  } else {
    return false;
  }
  return true;
}

}  // namespace relais::http
