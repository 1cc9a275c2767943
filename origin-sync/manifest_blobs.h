// ManifestBlobs: what pull, verify and the blob collectors need of a
// manifest, without its paths.
//
// A 1 M-entry manifest is ~150 MB of text; parsed into a Manifest (strings and
// a vector per entry) it was ~250 MB more. Fetching, verifying and collecting
// blobs only need each distinct blob once, with its size: here 32 bytes per
// blob, built by scan_manifest() without a Manifest ever existing. Where a
// message must name a path that uses a blob (verify), `record` locates the
// first file record naming it in the text, and manifest_record_path() reads
// the path back from there.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "origin-sync/content_hash.h"
#include "origin-sync/encoding.h"
#include "origin-sync/hash_set.h"
#include "origin-sync/manifest.h"
#include "origin-sync/manifest_trust.h"
#include "origin-sync/result.h"

namespace relais {

struct ManifestBlob {
  ContentHash hash;
  std::uint64_t size = 0;
  std::uint32_t record = 0;  // byte offset of the first line naming it (a manifest is under 1 GiB)
  Encoding encoding = Encoding::identity;  // in that line
  bool delta = false;  // a dcz delta (manifest_delta.h); `encoding` is then meaningless
};

struct ManifestBlobs {
  ManifestHeader header;
  std::uint64_t files = 0;
  std::vector<ManifestBlob> blobs;  // distinct, in the order the manifest first names them
  ManifestTrust trust;              // the signed trailer, empty when unsigned
};

// scan_manifest() (same checks, same errors) into ManifestBlobs.
Result<ManifestBlobs> scan_manifest_blobs(std::string_view text);

// Reads DIR/manifest into `text` and scans it; errors as read_manifest_file().
Result<ManifestBlobs> read_manifest_blobs(const std::string& dir, std::string& text);

// A blob's coding for messages: "dcz" for a delta, else its encoding's name.
std::string_view blob_coding_name(const ManifestBlob& blob);

// Validates the manifest text and adds the hash of every blob it names to
// `into` (not sealed). Same errors as scan_manifest(); on an error `into` may
// hold some of the manifest's hashes, and the caller must drop it.
Status add_manifest_hashes(std::string_view text, HashSet& into);

// Adds every blob of `m` to `into` (not sealed).
void add_manifest_hashes(const ManifestBlobs& m, HashSet& into);

}  // namespace relais
