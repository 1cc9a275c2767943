// Catalog: the immutable, in-memory index of one manifest generation.
//
// Loaded once from a manifest's text (off the serving threads), never
// modified after, shared read-only by every worker: lookups take no lock and
// allocate nothing. A new generation is published through CatalogHolder;
// requests that hold the old snapshot finish on it and the last one to let go
// frees it.
//
// Memory: within 2x of the manifest's text (issue 21: the map-of-strings
// catalog took ~9x). Paths, content types (interned: one copy per distinct
// type) and variants are packed into one CatalogArena; an entry is a 48-byte
// record of views into it (deltas, when a file has any, in the arena too); the files and the directories are two PathIndexes
// of 8-byte slots. ETags are not stored: entity_tag() formats one on the
// stack from the variant's hash. For 1 M entries: ~100 bytes each plus their
// paths, against ~65-200 bytes per line of manifest text.
//
// Bounds: at most kCatalogMaxEntries files (a larger manifest is refused with
// an error naming the limit, before its body is read) from a manifest of at
// most kManifestMaxBytes; each path at most kManifestMaxPathBytes.
//
// Entries without any variant cannot be served and are left out; a duplicate
// path keeps its first entry (the manifest parser rejects both, this is the
// last line of defence).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <vector>

#include "edge/cache/catalog_arena.h"
#include "edge/cache/catalog_lookup.h"
#include "edge/cache/path_index.h"
#include "origin-sync/manifest.h"
#include "origin-sync/result.h"

namespace relais {

// The largest catalog an edge accepts: 4 Mi files, ~0.5 GB of catalog with
// typical paths (a national course catalog has well under 1 M). A manifest
// declaring more is refused; the catalog in service stays.
inline constexpr std::size_t kCatalogMaxEntries = std::size_t{1} << 22;
// Distinct directories (every proper prefix of a path ending before a '/'):
// a manifest of deep, unique paths could otherwise declare ~500 per file.
inline constexpr std::size_t kCatalogMaxDirectories = kCatalogMaxEntries;

class CatalogEntry {
 public:
  std::string_view path() const { return {path_, path_size_}; }  // no leading '/'
  std::string_view content_type() const { return {content_type_, content_type_size_}; }
  std::int64_t last_modified() const { return last_modified_; }
  std::span<const Variant> variants() const { return {variants_, variant_count_}; }  // [0] is identity
  // dcz deltas against earlier versions (manifest_delta.h), newest first.
  std::span<const DeltaVariant> deltas() const { return {deltas_, delta_count_}; }

 private:
  friend class CatalogBuilder;
  const char* path_ = nullptr;
  const char* content_type_ = nullptr;
  const Variant* variants_ = nullptr;
  const DeltaVariant* deltas_ = nullptr;
  std::int64_t last_modified_ = 0;
  std::uint16_t path_size_ = 0;         // <= kManifestMaxPathBytes
  std::uint8_t content_type_size_ = 0;  // <= 255 (MANIFEST.md)
  std::uint8_t variant_count_ = 0;      // <= kEncodingCount
  std::uint8_t delta_count_ = 0;        // <= kManifestMaxDeltas
};

// RFC 9110 §8.8.3: entity-tag = DQUOTE *etagc DQUOTE. The variant's hash
// names its exact bytes, so the tag is strong: "\"<32 hex>\"", with
// "-<encoding>" before the closing quote when a sibling variant of the same
// entry declares the same hash (so a cache cannot mix up representations).
struct EntityTag {
  char text[ContentHash::kHexLength + 16];
  std::uint8_t size = 0;
  std::string_view view() const { return {text, size}; }
};
EntityTag entity_tag(const CatalogEntry& entry, std::size_t variant);

class Catalog final : public CatalogLookup {
 public:
  // Scans a manifest's text straight into a catalog: the text and the
  // catalog are the only large things alive while it runs (no intermediate
  // Manifest). Origin error naming the line, or the limit, on a bad manifest.
  static Result<std::shared_ptr<const Catalog>> load(std::string_view manifest_text);
  // From a Manifest built in process (tests). Same rules and limits.
  static Result<std::shared_ptr<const Catalog>> from_manifest(const Manifest& manifest);
  // A new catalog without `path`, or without every path under it when it
  // ends in '/'; removed says how many went.
  std::shared_ptr<const Catalog> without(std::string_view path, std::size_t& removed) const;

  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // path: normalised request path without its leading '/', e.g. "cours/a.html".
  // Exact match only; nullptr if absent.
  const CatalogEntry* find(std::string_view path) const override;
  // For "/" and directory paths: dir ("" for the root, else "a/b/" with the
  // trailing slash) + "index.html" + suffix (the allow-listed query, "?k=v",
  // or empty); nullptr if the manifest has none.
  const CatalogEntry* find_index(std::string_view dir, std::string_view suffix = {}) const override;
  // True if some entry's path starts with path + "/" (a directory without the
  // slash: the edge answers 301 to "path/").
  bool is_directory(std::string_view path) const override;

  std::uint64_t generation() const { return generation_; }
  // The manifest's checksum (its end line): names the content of the manifest.
  const ContentHash& checksum() const { return checksum_; }
  // Unique per Catalog built by this process (two builds of one generation
  // differ): what may key data derived from an entry's address.
  std::uint64_t serial() const override { return serial_; }
  std::size_t size() const { return entries_.size(); }
  std::span<const CatalogEntry> entries() const { return entries_; }
  // What this catalog holds on the heap (arena, entries, indexes).
  std::size_t memory_bytes() const;

 private:
  friend class CatalogBuilder;
  Catalog() = default;
  const char* path_of(std::uint32_t id) const { return entries_[id].path().data(); }

  std::uint64_t generation_ = 0;
  std::uint64_t serial_ = 0;
  ContentHash checksum_;
  CatalogArena arena_;
  std::vector<CatalogEntry> entries_;
  PathIndex files_;
  PathIndex directories_;  // "a", "a/b": ids of an entry whose path starts with it
};

// CatalogHolder: where the current Catalog is published and picked up.
//
// Workers poll version() (one relaxed atomic load) once per loop turn and call
// current() only when it moved, so the hit path touches no lock and no
// shared reference count. publish() may be called from any thread; the
// previous snapshot is retired, not freed: it lives on while a worker holds
// it, and release_retired() frees it on a thread that serves no request.
// version() is 0 until the first publish and grows by one per publish.
class CatalogHolder {
 public:
  void publish(std::shared_ptr<const Catalog> catalog);
  std::shared_ptr<const Catalog> current() const;
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // Frees the replaced catalogs no worker holds any more. Called from a
  // thread that serves no request (the edge's main thread, once a second):
  // a worker that dropped the last reference would otherwise free a
  // million-entry catalog between two requests (a 1 M-entry swap took the
  // p99 of a one-core edge from 4 ms to 260 ms, bench/catalog-swap.sh).
  // Returns how many were freed.
  std::size_t release_retired();

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Catalog> catalog_;
  // Replaced catalogs, kept until release_retired() finds this the last reference.
  std::vector<std::shared_ptr<const Catalog>> retired_;
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace relais
