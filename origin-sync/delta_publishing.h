// Delta publishing: the dcz variants a publish adds to a changed text file
// (RFC 9842; dictionary_delta.h for the coding, manifest_delta.h for the
// records).
//
// Where the earlier versions come from: the previous manifest at OUT. Its
// entry for the same path names the version before this one (its identity
// blob) and, in its delta records, the versions before that (their
// dictionary blobs). The new list is that one's identity followed by its
// dictionaries, newest first, without the new version itself, cut to
// `versions`: so a pupil who skipped a week or two still gets a delta.
// Publish never deletes blobs in OUT, so the earlier identities are there; a
// missing or damaged one is skipped, never fatal.
//
// A delta is kept only if variant_worth_keeping() holds against the best
// variant the file already has (usually br): a delta that saves a few bytes
// over br costs a blob on every edge for nothing. An unchanged file keeps
// its previous deltas, so an unchanged tree rewrites no manifest.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "origin-sync/blob_writer.h"
#include "origin-sync/manifest.h"
#include "origin-sync/result.h"

namespace relais {

// Default and bound of `relais-sync publish --dictionary-versions`.
inline constexpr unsigned kDefaultDictionaryVersions = 3;
inline constexpr unsigned kMaxDictionaryVersions = kManifestMaxDeltas;

// The previous manifest's entry for `path`, or nullptr (entries are sorted).
const ManifestEntry* previous_entry(const Manifest* previous, std::string_view path);

// Fills entry.deltas for `content` (whose identity and variants are in
// `entry`), against the earlier versions of `old` (may be nullptr), writing
// new delta blobs through `blobs`. `out_dir` is where the earlier identity
// blobs are read. Returns how many deltas were computed (0 when reused).
// Storage error only when writing a blob fails.
Result<std::size_t> add_dictionary_deltas(ManifestEntry& entry, std::string_view content, const ManifestEntry* old,
                                          unsigned versions, const std::string& out_dir, BlobWriter& blobs);

}  // namespace relais
