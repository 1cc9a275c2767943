// Delta records of the manifest (version 1.1, MANIFEST.md "Dictionary
// deltas"): the dcz variants of a file (dictionary_delta.h), each compressed
// against an earlier version of that file.
//
// A record follows its file line:
//   delta<TAB>DICTIONARY-SHA256<TAB>DICTIONARY-BLOB<TAB>dcz:HASH:SIZE
// DICTIONARY-SHA256 is what a client names in Available-Dictionary;
// DICTIONARY-BLOB is the XXH3-128 of the same bytes, the identity blob of the
// earlier version, which the next publish reads to make its own deltas (edges
// need not hold it). HASH and SIZE name the dcz blob, like any variant.
// A 1.0 reader skips these lines (an unknown record of a newer minor version).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "origin-sync/content_hash.h"
#include "origin-sync/dictionary_delta.h"

namespace relais {

// At most this many delta records per file: bounds what a hostile manifest
// makes an edge hold per entry, and the publisher's --dictionary-versions.
inline constexpr std::size_t kManifestMaxDeltas = 8;
inline constexpr std::string_view kDeltaRecordKind = "delta";

struct DeltaVariant {
  DictionaryHash dictionary;    // SHA-256 of the earlier version's bytes
  ContentHash dictionary_blob;  // XXH3-128 of the same bytes: its identity blob
  ContentHash hash;             // the dcz blob
  std::uint64_t size = 0;       // of the dcz blob, header included

  friend bool operator==(const DeltaVariant&, const DeltaVariant&) = default;
};

// Appends the record's line, LF included.
void append_delta_record(std::string& out, const DeltaVariant& delta);

// Parses what follows "delta<TAB>" on a record line. On failure returns
// false and says what is wrong in `what`.
bool parse_delta_record(std::string_view fields, DeltaVariant& out, std::string& what);

}  // namespace relais
