// Catalog: the immutable, in-memory index of one manifest generation.
//
// Built once from a Manifest (off the serving threads), never modified after,
// shared read-only by every worker: lookups take no lock. A new generation is
// published through CatalogHolder; requests that hold the old snapshot finish
// on it and the last one to let go frees it.
//
// Lookups allocate nothing: the indexes are keyed by string_views into the
// entries' own paths, which never move after build(). Entries without any
// variant cannot be served and are left out; a duplicate path keeps its first
// entry (the manifest parser rejects both, this is the last line of defence).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "origin-sync/manifest.h"

namespace relais {

struct CatalogEntry {
  std::string path;          // manifest path (no leading '/')
  std::string content_type;
  std::int64_t last_modified = 0;
  std::vector<Variant> variants;  // [0] is identity
  std::vector<std::string> etags; // per variant: strong ETag, quoted ("\"<hex>\"")
                                  // (the variant's 32 hex digits: unique per representation)
};

class Catalog {
 public:
  static std::shared_ptr<const Catalog> build(Manifest manifest);

  // Indexes point into entries_: a copy would dangle.
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  // path: normalised request path without its leading '/', e.g. "cours/a.html".
  // Exact match only; nullptr if absent.
  const CatalogEntry* find(std::string_view path) const;
  // For "/" and directory paths: dir ("" for the root, else "a/b/" with the
  // trailing slash) + "index.html" + suffix (the allow-listed query, "?k=v",
  // or empty); nullptr if the manifest has none.
  const CatalogEntry* find_index(std::string_view dir, std::string_view suffix = {}) const;
  // True if some entry's path starts with path + "/" (a directory without the
  // slash: the edge answers 301 to "path/").
  bool is_directory(std::string_view path) const;

  std::uint64_t generation() const { return generation_; }
  // Unique per Catalog built by this process (two builds of one generation
  // differ): what may key data derived from an entry's address.
  std::uint64_t serial() const { return serial_; }
  std::size_t size() const { return entries_.size(); }
  const std::vector<CatalogEntry>& entries() const { return entries_; }

 private:
  struct StringViewHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept;
  };
  Catalog() = default;
  void index();

  std::uint64_t generation_ = 0;
  std::uint64_t serial_ = 0;
  std::vector<CatalogEntry> entries_;
  std::unordered_map<std::string_view, const CatalogEntry*, StringViewHash, std::equal_to<>> by_path_;
  std::unordered_set<std::string_view, StringViewHash, std::equal_to<>> directories_;  // "a", "a/b"
};

// CatalogHolder: where the current Catalog is published and picked up.
//
// Workers poll version() (one relaxed atomic load) once per loop turn and call
// current() only when it moved, so the hit path touches no lock and no
// shared reference count. publish() may be called from any thread; the
// previous snapshot is released outside the lock (freeing a large catalog
// must not stall a worker's current()), and lives on while anyone holds it.
// version() is 0 until the first publish and grows by one per publish.
class CatalogHolder {
 public:
  void publish(std::shared_ptr<const Catalog> catalog);
  std::shared_ptr<const Catalog> current() const;
  std::uint64_t version() const { return version_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Catalog> catalog_;
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace relais
