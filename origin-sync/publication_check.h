// Verifying a signed publication: the check an edge and `relais-sync pull`
// make before they fetch any blob a manifest names or load its catalog.
//
// verify_publication() looks only at the ends of the text: the signature
// record (the line before the end line), the Ed25519 signature of every byte
// before it by a trusted key, then, from those authenticated bytes, the
// generation, published and expires lines. It does not check the body:
// scan_manifest() does that, before anything is fetched or served. Cost: one
// pass of Ed25519's SHA-512 over the text (twice: R and the challenge), no
// allocation per line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "origin-sync/content_hash.h"
#include "origin-sync/result.h"
#include "origin-sync/signing_key.h"

namespace relais {

// What a verified signature vouches for.
struct PublicationStamp {
  std::uint64_t generation = 0;
  std::int64_t published = 0;  // seconds since the epoch: the rollback order
  std::int64_t expires = 0;    // seconds since the epoch
  std::string key_id;          // which trusted key signed it
  ContentHash digest;          // XXH3-128 of the whole text: the catalog id
};

// Origin error, not retryable, saying which: "manifest is not signed",
// "manifest is signed by key K, which is not trusted (trusted: …)",
// "manifest signature does not verify with key K".
Result<PublicationStamp> verify_publication(std::string_view text, const TrustedKeys& keys);

}  // namespace relais
