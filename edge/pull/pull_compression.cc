#include "edge/pull/pull_compression.h"

#include <array>

#include "edge/cache/freshness/cache_control.h"
#include "edge/cache/freshness/field_list.h"
#include "edge/http/accept_encoding.h"
#include "edge/http/ascii_case.h"
#include "edge/pull/pulled_response.h"
#include "origin-sync/content_type.h"

namespace relais::pull {
namespace {

// "identity" is no content coding (RFC 9110 §8.4.1), yet origins send it.
bool identity_coded(std::string_view content_encoding) {
  bool coded = false;
  freshness::for_each_list_element(content_encoding, [&](std::string_view coding) {
    if (!http::equals_ignore_case(coding, "identity")) coded = true;
  });
  return !coded;
}

bool nominates_accept_encoding(std::string_view vary) {
  bool found = false;
  freshness::for_each_list_element(vary, [&](std::string_view name) {
    if (http::equals_ignore_case(name, "accept-encoding")) found = true;
  });
  return found;
}

}  // namespace

CompressVerdict compression_verdict(const PulledObject& object, std::uint64_t max_bytes) {
  if (max_bytes == 0) return CompressVerdict::off;
  if (object.status != 200) return CompressVerdict::not_ok;
  const std::vector<freshness::FieldView> views = field_views(object.fields);
  bool coding_present = false;
  const std::string coding = freshness::combined_field(views, "content-encoding", &coding_present);
  bool range_present = false;
  (void)freshness::combined_field(views, "content-range", &range_present);
  if ((coding_present && !identity_coded(coding)) || range_present) return CompressVerdict::already_coded;
  if (compressibility_of_media_type(freshness::combined_field(views, "content-type")) != Compressibility::always)
    return CompressVerdict::not_compressible;
  // RFC 9111 §5.2.2.6: no-transform in Cache-Control binds every
  // intermediary, also when a CDN-Cache-Control decides freshness.
  freshness::CacheDirectives cache_control;
  freshness::parse_cache_control(freshness::combined_field(views, "cache-control"), cache_control);
  if (cache_control.no_transform || object.stored.facts.directives.no_transform) return CompressVerdict::no_transform;
  if (nominates_accept_encoding(object.stored.facts.vary)) return CompressVerdict::varies_on_encoding;
  const std::uint64_t size = object.body != nullptr ? object.body->bytes.size() : 0;
  if (size < kCompressMinBytes) return CompressVerdict::too_small;
  if (size > max_bytes) return CompressVerdict::too_large;
  return CompressVerdict::compress;
}

std::string coded_etag(std::string_view etag, Encoding encoding) {
  // RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE; the suffix
  // goes inside the quotes so the tag stays valid and the weakness is kept.
  if (etag.size() < 2 || etag.back() != '"') return std::string(etag);
  std::string out(etag.substr(0, etag.size() - 1));
  out.push_back('-');
  out.append(encoding_name(encoding));
  out.push_back('"');
  return out;
}

std::string vary_with_accept_encoding(std::string_view vary) {
  if (http::trim_ows(vary).empty()) return "Accept-Encoding";
  std::string out(vary);
  out.append(", Accept-Encoding");
  return out;
}

CodingChoice choose_coding(const PulledObject& object, const http::Request& request) {
  CodingChoice choice;
  if (object.coded == nullptr || object.coded->bodies.empty()) return choice;
  const http::AcceptEncoding accept = http::parse_accept_encoding(request.accept_encoding, request.has_accept_encoding);
  // As published content (responder.cc): a range is served on the identity
  // whenever the client accepts it (RFC 9110 §14).
  if (!request.range.empty() && accept.q[static_cast<int>(Encoding::identity)] > 0) return choice;
  std::array<Variant, kEncodingCount> variants{};
  std::size_t n = 0;
  variants[n++] = Variant{Encoding::identity, {}, object.body->bytes.size()};
  for (const CodedBody& b : object.coded->bodies) {
    if (n == variants.size()) break;
    variants[n++] = Variant{b.encoding, {}, b.body->bytes.size()};
  }
  const int chosen = http::choose_variant(accept, std::span<const Variant>(variants.data(), n));
  if (chosen < 0) {
    choice.acceptable = false;
  } else if (chosen > 0) {
    choice.coded = &object.coded->bodies[static_cast<std::size_t>(chosen - 1)];
  }
  return choice;
}

void apply_coding(std::vector<http::HeaderField>& fields, const PulledObject& object, const CodedBody* coded,
                  CodedFieldValues& storage) {
  if (object.coded == nullptr || object.coded->bodies.empty()) return;
  storage.vary = vary_with_accept_encoding(object.stored.facts.vary);
  if (coded != nullptr) storage.etag = coded_etag(object.stored.facts.etag, coded->encoding);
  std::erase_if(fields, [&](const http::HeaderField& f) {
    return http::equals_ignore_case(f.name, "vary") || http::equals_ignore_case(f.name, "content-encoding") ||
           (coded != nullptr && http::equals_ignore_case(f.name, "etag"));
  });
  // First: a protocol that passes on only so many forwarded fields (HTTP/2's
  // bound on an origin's 128) must never drop the one naming the coding.
  std::vector<http::HeaderField> ours;
  if (coded != nullptr) {
    ours.push_back(http::HeaderField{"Content-Encoding", encoding_name(coded->encoding)});
    if (!storage.etag.empty()) ours.push_back(http::HeaderField{"ETag", storage.etag});
  }
  ours.push_back(http::HeaderField{"Vary", storage.vary});
  fields.insert(fields.begin(), ours.begin(), ours.end());
}

}  // namespace relais::pull
