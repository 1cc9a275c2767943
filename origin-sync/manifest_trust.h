// The signed trailer of a manifest (format 1.2, MANIFEST.md "Signed
// publications"): what lets an edge serve only what the publisher signed.
//
//   sha256<TAB>BLOB<TAB>SHA256      one per distinct blob, sorted by BLOB
//   expires<TAB>SECONDS             after it, the publication is stale
//   signature<TAB>ed25519<TAB>KEYID<TAB>SIG
//   end<TAB>COUNT<TAB>CHECKSUM      (as in 1.0)
//
// SIG is the Ed25519 signature (128 hex digits) of every byte before the
// signature line: header, file records, sha256 records and expires. So the
// signed bytes are exactly the manifest's own text, the end line's checksum
// still covers everything before it (signature included), and the catalog id
// (XXH3-128 of the whole file) changes when a publication is re-signed.
// The trailer is all or nothing: a manifest with any of its records has all
// of them, a sha256 record for every blob it names and none for another.
// This file parses and writes the trailer; scan_manifest() calls the parser
// for these record kinds, so a 1.0 reader (which skips record kinds of a
// newer minor version) still loads a signed manifest, unverified.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "origin-sync/content_hash.h"
#include "origin-sync/sha256.h"
#include "origin-sync/signing_key.h"

namespace relais {

// The first minor version that knows the trailer (1 is the delta records').
inline constexpr std::uint32_t kSignedManifestMinorVersion = 2;

struct BlobSha256 {
  ContentHash blob;
  Sha256 sha256;
};

struct ManifestSignature {
  std::string key_id;  // kKeyIdHexLength hex digits
  Ed25519Signature bytes{};
};

struct ManifestTrust {
  std::vector<BlobSha256> sha256;  // sorted by blob hash, one per blob
  std::optional<std::int64_t> expires;
  std::optional<ManifestSignature> signature;
  std::size_t signed_length = 0;  // bytes the signature covers

  bool is_signed() const { return signature.has_value(); }
  // The SHA-256 the manifest gives the blob, null when none.
  const Sha256* sha256_of(const ContentHash& blob) const;
};

// Parses the trailer records one line at a time, for scan_manifest().
// Errors are the text after "manifest line N: ".
class TrustRecordParser {
 public:
  static bool handles(std::string_view kind) { return kind == "sha256" || kind == "expires" || kind == "signature"; }

  // `line` is the whole record (kind included), starting at byte `offset`.
  std::optional<std::string> record(std::string_view kind, std::string_view line, std::size_t offset);
  // A file record may not follow the trailer.
  std::optional<std::string> file_record() const;
  // After the last line: coverage of `blobs` (every distinct blob hash the
  // file records name, sorted) and consistency with `published`.
  std::optional<std::string> finish(std::span<const ContentHash> blobs, std::int64_t published);

  ManifestTrust& trust() { return trust_; }

 private:
  enum class Stage : unsigned char { none, sha256, expires, signature };
  Stage stage_ = Stage::none;
  ManifestTrust trust_;
};

// The signature record alone (the whole line, without its LF).
std::optional<ManifestSignature> parse_signature_record(std::string_view line);

// Appends the trailer to `out`, which holds a manifest's header and file
// records (append_manifest_body), then signs: the caller appends the end line.
// `sha256` must be sorted by blob and cover every blob the records name.
void append_signed_trailer(std::string& out, std::span<const BlobSha256> sha256, std::int64_t expires,
                           const SigningKey& key);

}  // namespace relais
