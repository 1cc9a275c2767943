// Dictionary negotiation: Compression Dictionary Transport (RFC 9842) at the
// edge, for the dcz deltas that publish precomputed (manifest_delta.h).
//
// Two halves, both plain functions of the request, the catalog entry and
// the policy:
//   - offering: a 200 for a path the policy names (by path prefix or by
//     content type; HTML, CSS and JavaScript by default) carries
//     `Use-As-Dictionary: match="<its own path>", id="<identity hash>"`, so
//     the browser keeps this version to announce on the next request;
//   - using: a request with `Available-Dictionary: :<base64 SHA-256>:` and
//     `dcz` in Accept-Encoding, for an entry with a delta against exactly
//     that dictionary, gets the delta (Content-Encoding: dcz, Vary:
//     accept-encoding, available-dictionary).
// Both only in a secure context (TLS, or a Host that is localhost or a
// loopback address), as browsers use dictionaries nowhere else (RFC 9842
// §8 and Chromium). A malformed Available-Dictionary, an unknown dictionary
// or a range request simply get the usual best variant: never an error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/catalog.h"
#include "edge/http/response.h"
#include "edge/http/request.h"

namespace relais::http {

struct DictionaryPolicy {
  // An entry is offered as a dictionary when its request path starts with
  // one of `path_prefixes` or its content type with one of `content_types`.
  std::vector<std::string> path_prefixes;
  std::vector<std::string> content_types = {"text/html", "text/css", "text/javascript", "application/javascript"};

  bool offers(std::string_view request_path, std::string_view content_type) const;
};

// RFC 9842 §2.2: Available-Dictionary is an RFC 8941 byte sequence,
// ":" base64 ":", holding a SHA-256 (32 bytes, so 44 base64 characters with
// padding). Anything else (parameters, other lengths, bad characters) is
// nullopt.
std::optional<DictionaryHash> parse_available_dictionary(std::string_view value);

// True if Accept-Encoding lists `coding` (case-insensitive) with a q above 0.
bool accepts_coding(std::string_view accept_encoding, std::string_view coding);

// Browsers treat https and http://localhost (and loopback literals) as
// secure contexts; nothing else gets dictionaries.
bool secure_context(bool tls, std::string_view host);

// What the responder does with dictionaries for one request.
struct DictionaryOffer {
  bool offer = false;                  // send Use-As-Dictionary
  bool varies = false;                 // the entry has deltas: responses vary on Available-Dictionary
  const DeltaVariant* delta = nullptr;  // serve this instead of the chosen variant
  std::string_view request_path;       // for the match pattern
};

DictionaryOffer negotiate_dictionary(const DictionaryPolicy& policy, const Request& request, const CatalogEntry& entry,
                                     std::string_view request_path, bool secure);

// The dictionary fields of a 200 that the representation's fields do not
// carry: Use-As-Dictionary, and Vary: available-dictionary on a response
// that is not itself a delta (a delta's own Vary names both). The
// Use-As-Dictionary value is formatted into value_space, which must outlive
// the response's send; a path whose escaped pattern does not fit gets no
// offer (no allocation per response, and such a URL is no lesson page).
inline constexpr std::size_t kUseAsDictionaryMax = 512;
void add_dictionary_fields(Response& r, const DictionaryOffer& offer, const CatalogEntry& entry,
                           std::span<char, kUseAsDictionaryMax> value_space);

}  // namespace relais::http
