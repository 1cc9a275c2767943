// Signing a publish: the signed trailer (manifest_trust.h) for a manifest
// the publisher built, with the SHA-256 of every blob it names.
//
// Digests come from the previous signed manifest of the same OUT for the
// blobs it already vouched for (a blob altered in OUT since is then caught
// by every edge, instead of being signed anew), else from reading the blob
// in OUT once, on `jobs` threads, checking its XXH3-128 and size in the same
// pass (a corrupted OUT is never signed). The private key is only used here,
// on the manifest's bytes.
#pragma once

#include <cstdint>
#include <string>

#include <string_view>

#include "origin-sync/manifest.h"
#include "origin-sync/manifest_trust.h"
#include "origin-sync/result.h"
#include "origin-sync/signing_key.h"

namespace relais {

// The trailer of a previous manifest's text if `key` signed it and its
// signature verifies; empty otherwise (an unsigned manifest, or one that
// whoever can write OUT edited or signed otherwise: its SHA-256 lines are then
// not taken on trust, every blob is hashed again).
ManifestTrust previous_trust(std::string_view text, const SigningKey& key);

// Whether a manifest's text is signed (any key, verified or not): an unsigned
// publish over it would silently turn a signed origin unsigned.
bool manifest_is_signed(std::string_view text);

// The whole text of `m` (whose minor version must be at least
// kSignedManifestMinorVersion) with its signed trailer and end line.
// Storage error when a blob in OUT is missing or does not match its name.
Result<std::string> serialize_signed_manifest(const Manifest& m, const std::string& out_dir, const ManifestTrust& previous,
                                              const SigningKey& key, std::int64_t expires, unsigned jobs);

}  // namespace relais
