// Manifest: the list of files a publish produced, and the blobs behind them.
//
// One manifest describes one generation of the published tree. It is written
// by `relais-sync publish`, hosted by any static HTTP server next to the
// blobs, pulled by every edge, and turned into an immutable Catalog there.
// The text format is specified in origin-sync/MANIFEST.md; readers reject an
// unknown major version and any truncated or malformed manifest as a whole.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "origin-sync/content_hash.h"
#include "origin-sync/encoding.h"
#include "origin-sync/manifest_delta.h"
#include "origin-sync/result.h"

namespace relais {

struct ManifestTrust;  // manifest_trust.h

inline constexpr std::uint32_t kManifestMajorVersion = 1;
// Minor versions (MANIFEST.md): 1 added delta records (manifest_delta.h),
// 2 the signed trailer (manifest_trust.h). The writer writes the lowest one
// that holds what it writes.
inline constexpr std::uint32_t kManifestMinorVersion = 0;  // an unsigned publish without deltas
inline constexpr std::uint32_t kManifestDeltaMinorVersion = 1;
// The newest minor version this reader knows; record kinds of a higher one
// are skipped.
inline constexpr std::uint32_t kManifestReaderMinorVersion = 2;
// Name of the manifest file at the root of a publish output or of a store.
inline constexpr std::string_view kManifestFileName = "manifest";
// Bound on what a reader accepts, so a hostile origin cannot make an edge
// allocate without limit: 16 M entries of ~200 bytes is far above any course.
inline constexpr std::size_t kManifestMaxBytes = 1ull << 30;
inline constexpr std::size_t kManifestMaxPathBytes = 1024;

struct Variant {
  Encoding encoding = Encoding::identity;
  ContentHash hash;
  std::uint64_t size = 0;

  friend bool operator==(const Variant&, const Variant&) = default;
};

struct ManifestEntry {
  // Relative UTF-8 path with '/' separators, no leading '/', no '.' or '..'
  // segment, no empty segment, no NUL: exactly the normalised request path
  // without its leading '/'.
  std::string path;
  std::string content_type;        // e.g. "text/html; charset=utf-8"
  std::int64_t last_modified = 0;  // seconds since the epoch (source mtime)
  // variants[0] is always the identity; the others are only those smaller
  // than it, at most one per encoding.
  std::vector<Variant> variants;
  // dcz variants against earlier versions, newest dictionary first, at most
  // kManifestMaxDeltas, each smaller than the identity, dictionaries distinct.
  std::vector<DeltaVariant> deltas{};

  const Variant& identity() const { return variants.front(); }

  friend bool operator==(const ManifestEntry&, const ManifestEntry&) = default;
};

struct Manifest {
  std::uint32_t major = kManifestMajorVersion;
  // The writer writes the lowest minor version that holds the content (1.0
  // without delta records, so older readers take it as they always did),
  // and never less than this.
  std::uint32_t minor = 0;
  std::uint64_t generation = 0;   // grows by one at every publish that changes something
  std::int64_t published_at = 0;  // seconds since the epoch
  std::vector<ManifestEntry> entries;  // sorted by path, paths unique
};

// What a manifest says before its first file record; the entry count and
// checksum come from its end line, which is checked before the body.
struct ManifestHeader {
  std::uint32_t major = kManifestMajorVersion;
  std::uint32_t minor = kManifestMinorVersion;
  std::uint64_t generation = 0;
  std::int64_t published_at = 0;
  std::uint64_t entry_count = 0;
  ContentHash checksum;  // of every byte before the end line
};

// One file record, as the scanner reads it. The views live only for the
// duration of the call: a consumer copies what it keeps.
struct ManifestEntryView {
  std::string_view path;          // decoded
  std::string_view content_type;
  std::int64_t last_modified = 0;
  std::span<const Variant> variants;  // [0] is the identity
  std::span<const DeltaVariant> deltas;  // the delta records after the file line
  std::size_t line = 0;
  std::size_t offset = 0;  // of the record's first byte in the text
};

// Receives a manifest as it is scanned, without the whole of it ever being
// held as objects (a 1 M-entry manifest is ~64 MB of text; as a vector of
// ManifestEntry it is ~250 MB). header() is called once, before any entry;
// an error from either call stops the scan and is returned by it.
class ManifestVisitor {
 public:
  virtual ~ManifestVisitor() = default;
  virtual Status header(const ManifestHeader&) { return {}; }
  virtual Status entry(const ManifestEntryView& entry) = 0;
  // Once, after the whole manifest checked out: its signed trailer (empty
  // for an unsigned manifest). The reference lives only for the call.
  virtual Status trust(const ManifestTrust&) { return {}; }
};

// Checks a manifest path against the rules above.
bool is_valid_manifest_path(std::string_view path);

std::string serialize_manifest(const Manifest& manifest);
// serialize_manifest() in two steps, for a writer that adds records before
// the end line (the signed trailer): the header and file records, then the
// end line with its checksum of everything in `out`.
void append_manifest_body(const Manifest& manifest, std::string& out);
void append_manifest_end(std::string& out, std::size_t entries);
// Checks the whole manifest (end line, checksum, every line, and that a blob
// hash is never declared with two sizes) and hands each file record to the
// visitor in order. The visitor may have seen entries of a manifest that then
// turns out to be invalid: it must drop them when this fails. Origin error
// (not retryable) naming the line and what is wrong.
Status scan_manifest(std::string_view text, ManifestVisitor& visitor);
// The decoded path of the file record at `offset` (a ManifestEntryView's) in
// a text that scan_manifest() accepted.
std::string manifest_record_path(std::string_view text, std::size_t offset);
// scan_manifest() into a Manifest.
Result<Manifest> parse_manifest(std::string_view text);

// Reads DIR/manifest into memory, refusing one over kManifestMaxBytes. A
// missing file is a storage error.
Result<std::string> read_manifest_text(const std::string& dir);
// Reads and parses DIR/manifest. A missing file is a storage error.
Result<Manifest> read_manifest_file(const std::string& dir);
// Writes DIR/manifest atomically: temp file, fsync, rename, fsync(DIR).
Status write_manifest_file(const std::string& dir, const Manifest& manifest);

}  // namespace relais
