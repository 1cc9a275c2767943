// Validation of stored responses (RFC 9111 §4.3, RFC 9110 §13 as it applies
// to a cache): the conditional request we send, the client's conditional
// request we answer from the cache, which stored responses a 304 updates and
// how their fields are merged, and what a HEAD response does to a stored GET.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/freshness/response_facts.h"
#include "edge/http/preconditions.h"
#include "edge/http/request.h"

namespace relais::freshness {

// A stored field line, owned.
struct StoredField {
  std::string name;
  std::string value;
};

// §4.3.1: the validators we send when revalidating. If-None-Match lists the
// entity-tags of every stored response for the URI (each as stored, weak
// ones included: If-None-Match compares weakly); If-Modified-Since is the
// Last-Modified of the stored response, copied as received (RFC 9110 §13.1.3
// prefers it over Date). Empty strings: send no such field.
struct ConditionalFields {
  std::string if_none_match;
  std::string if_modified_since;
};
ConditionalFields conditional_fields(std::span<const ResponseFacts* const> stored);

// The validators of a stored (or just received) response as the published
// path's precondition code takes them (http/preconditions.h): its ETag as
// sent (weak ones too), its Last-Modified (kNoDate: none), and what
// If-Modified-Since compares with: Last-Modified, else Date, else the time
// the response was received (§4.3.2).
http::Validators validators_of(const ResponseFacts& response, std::int64_t response_time);

// §4.3.2 with RFC 9110 §13.2.2: a client's conditional GET/HEAD answered for
// a stored response, or for a response whose head just came (a cold key),
// by the published path's evaluate_preconditions (one implementation):
// If-Match (strong comparison: a weak tag never matches; "*" matches any),
// else If-Unmodified-Since (against Last-Modified; ignored without one or
// with an unparseable date) fail with 412; then If-None-Match (weak
// comparison, "*" matches), else If-Modified-Since (validators_of) give a
// 304. Only for a 2xx response (RFC 9110 §13.2.1): proceed for any other.
http::Precondition client_preconditions(const http::Request& request, int status, const ResponseFacts& response,
                                        std::int64_t response_time);

// §4.3.3: what the answer to a revalidation means for the stored response.
enum class ValidationResult : unsigned char {
  freshen,        // 304: update the selected stored responses (§4.3.4), serve one
  replace,        // a full response: it is the new one (stored if storable), served
  origin_error,   // 500, 502, 503, 504 or no answer: serve stale if allowed (reuse.h), else forward
};
// status 0 means no response at all (connect failure, timeout, dropped).
ValidationResult classify_validation_response(int status);

// §4.3.4: which stored responses (indexes into stored) a 304 freshens, by
// the first rule that applies: the 304 has a strong entity-tag: those with
// that strong entity-tag, none otherwise (MUST NOT update: it describes
// another representation); it has a weak entity-tag or a Last-Modified:
// those whose entity-tag matches it weakly and whose Last-Modified is that
// date (each validator the 304 carries must correspond); it has neither:
// the only stored response, if it has no validator either. Empty: none (the
// 304 must not be used to update).
std::vector<std::size_t> select_for_update(const ResponseFacts& not_modified,
                                           std::span<const ResponseFacts* const> stored);

// §3.2 / §4.3.4: adds the 304's fields to the stored ones, replacing every
// stored line of each name it carries, except the fields a cache must keep:
// Content-Length (§3.2), what the stored body depends on (Content-Encoding,
// Content-Range, Content-Type cannot change without a new body: ours), and the
// hop-by-hop fields (§3.1).
void merge_not_modified(std::vector<StoredField>& stored, Fields not_modified);

// §3.1 / §3.2: the field lines to store from an origin's response: all but
// the names in strip (StoreDecision::strip, lower-case), values OWS-trimmed.
std::vector<StoredField> fields_to_store(Fields response, std::span<const std::string> strip);

// §4.3.5: a HEAD response whose Content-Length, ETag or Last-Modified differs
// from the stored GET response invalidates it (true); otherwise its fields
// may be merged as for a 304.
bool head_invalidates(const ResponseFacts& head, const ResponseFacts& stored);

}  // namespace relais::freshness
