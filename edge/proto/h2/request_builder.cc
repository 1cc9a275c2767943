#include "edge/proto/h2/request_builder.h"

#include "edge/http/ascii_case.h"
#include "edge/http/request_fields.h"
#include "edge/http/target_normalizer.h"

namespace relais::h2 {
namespace {

BuildOutcome fail(std::uint16_t status, std::string_view reason) { return BuildOutcome{status, reason}; }

// RFC 9113 §8.2.2: fields that only mean something to one HTTP/1 hop make a
// request malformed over HTTP/2 (they are how requests get smuggled when an
// HTTP/2 front end downgrades).
bool connection_specific(std::string_view name) {
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade";
}

bool has_upper_case(std::string_view name) {
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

struct Pseudo {
  std::string_view method, scheme, authority, path;
  bool method_seen = false, scheme_seen = false, authority_seen = false, path_seen = false;
};

// Notes one pseudo-header field; false if unknown or repeated.
bool note_pseudo(const http::HeaderField& f, Pseudo& p) {
  auto once = [](bool& seen, std::string_view& slot, std::string_view value) {
    if (seen) return false;
    seen = true;
    slot = value;
    return true;
  };
  if (f.name == ":method") return once(p.method_seen, p.method, f.value);
  if (f.name == ":scheme") return once(p.scheme_seen, p.scheme, f.value);
  if (f.name == ":authority") return once(p.authority_seen, p.authority, f.value);
  if (f.name == ":path") return once(p.path_seen, p.path, f.value);
  return false;  // :protocol (RFC 8441) and anything else: we offer no extended CONNECT
}

}  // namespace

BuildOutcome build_request(std::span<const http::HeaderField> fields, std::size_t max_target_bytes,
                           http::HeaderField* storage, http::Request& out) {
  Pseudo p;
  bool regular_seen = false;
  std::string_view host_field;
  bool host_seen = false;
  out = http::Request{};
  out.version_major = 2;
  out.headers = storage;
  for (const http::HeaderField& f : fields) {
    if (f.name.empty() || has_upper_case(f.name)) return fail(400, "bad field name");  // RFC 9113 §8.2.1
    if (f.name[0] == ':') {
      // RFC 9113 §8.3: pseudo-header fields come first, each at most once.
      if (regular_seen) return fail(400, "pseudo-header after a field");
      if (!note_pseudo(f, p)) return fail(400, "bad pseudo-header");
      continue;
    }
    regular_seen = true;
    if (connection_specific(f.name)) return fail(400, "connection-specific field");
    if (f.name == "te" && f.value != "trailers") return fail(400, "te other than trailers");  // RFC 9113 §8.2.2
    if (f.name == "host") {
      if (host_seen) return fail(400, "duplicate host");
      host_seen = true;
      host_field = f.value;
    } else {
      (void)http::note_semantic_field(f.name, f.value, out);
    }
    storage[out.header_count++] = f;
  }
  if (!p.method_seen || p.method.empty()) return fail(400, "missing :method");
  out.method_token = p.method;
  out.method = http::method_from_token(p.method);
  // RFC 9113 §8.5: CONNECT carries no :scheme and :path; we tunnel nothing.
  if (out.method == http::Method::connect) return fail(405, "CONNECT");
  if (!p.scheme_seen || (p.scheme != "https" && p.scheme != "http")) return fail(400, "bad :scheme");
  if (!p.path_seen || p.path.empty()) return fail(400, "missing :path");  // RFC 9113 §8.3.1
  out.target = p.path;
  if (out.target.size() > max_target_bytes) return fail(414, "target too long");
  // RFC 9113 §8.3.1: :authority is the target's authority; a host field that
  // disagrees with it makes the request malformed (two hosts, two answers).
  if (p.authority_seen) {
    if (host_seen && !http::equals_ignore_case(host_field, p.authority)) return fail(400, "host differs from :authority");
    out.host = p.authority;
  } else {
    out.host = host_field;
  }
  if (!out.host.empty() && !http::is_valid_host(out.host)) return fail(400, "invalid :authority");
  if (out.host.empty()) return fail(400, "missing :authority");  // a CDN needs a name, as over HTTP/1.1
  return BuildOutcome{};
}

}  // namespace relais::h2
