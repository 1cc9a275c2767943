// PulledTable: the memory tier of pulled objects (pull-through, docs/PULL_THROUGH.md):
// what an origin answered and RFC 9111 let us store, by primary key (site and
// path) and, under it, one variant per secondary key (the request fields the
// response's Vary nominates, secondary_key.h).
//
// Owns each stored response as an immutable PulledObject, shared with the
// responses being sent from it (a body stays valid after an eviction or a
// replacement, as MemoryRef does for published blobs). Bounded by bytes
// (body, fields, keys and kObjectOverheadBytes per object), evicted least
// recently used first; an object larger than the capacity is not kept.
// At most kMaxVariants variants per primary key: beyond, the least recently
// used variant of that key goes (an origin answering `Vary: User-Agent`, or
// a client cycling a nominated field, would otherwise fill the table with
// one URL and make each lookup of it walk every variant).
// One table per worker: no lock on the hit path; the price is one origin
// fetch and one copy per worker for a key (docs/PULL_THROUGH.md).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "edge/cache/freshness/reuse.h"
#include "edge/cache/freshness/validation.h"
#include "edge/cache/memory_tier.h"
#include "edge/pull/coded_variants.h"
#include "edge/storage/open_blob.h"

namespace relais::pull {

// A body left in its record file on the disk tier (pulled_disk.h) rather
// than read into RAM: a disk hit larger than `memory-object-max` is sent from
// here with sendfile() (a file range, as a large published blob is). The fd
// stays open while a response holds it, so an eviction or a purge that
// unlinks the file meanwhile does not cut the response (POSIX unlink).
struct PulledFile {
  FileRef body;          // the body's range of the record file (OpenBlob::start)
  std::string head;      // the record's head bytes, as on disk...
  ContentHash checksum;  // ...and its checksum of head and body: a copy (a 304 rewrites the record) re-checks the source
};

struct PulledObject {
  int status = 0;
  std::vector<freshness::StoredField> fields;  // as stored (fields_to_store), Date included
  freshness::StoredResponse stored;            // facts read from fields, exchange times
  std::string secondary;                       // the key under stored.facts.vary
  MemoryRef body;                              // never null (empty when file is set)
  std::shared_ptr<const PulledFile> file;      // the body on disk instead of in body; never in a table
  std::shared_ptr<const CodedVariants> coded;  // br/zstd/gzip of an identity text body, or null (pull_compression.h)
  // A sliced object's head (pull_slices.h): its body is empty, the
  // representation's `length` bytes are slices of slice_size stored apart.
  std::uint64_t slice_size = 0;
  std::uint64_t length = 0;
  bool sliced() const { return slice_size != 0; }
  std::uint64_t body_size() const { return file != nullptr ? file->body->size : body->bytes.size(); }
  std::uint64_t charge() const;
};
using PulledRef = std::shared_ptr<const PulledObject>;

// The purge's rule, in RAM and on disk (pulled_disk_index.h): key is
// primary, primary with a query ("primary?..."), one of primary's slices
// ("primary\n#slice ...", pull_slices.h: a purged object's slices never wait
// on disk for a head of the same ETag), or with prefix any key that starts
// with primary.
bool purge_matches(std::string_view key, std::string_view primary, bool prefix);

class PulledTable {
 public:
  static constexpr std::uint64_t kObjectOverheadBytes = 256;
  static constexpr std::size_t kMaxVariants = 16;

  explicit PulledTable(std::uint64_t capacity_bytes) : capacity_(capacity_bytes) {}

  // The variant of primary whose secondary key the request's fields give;
  // nullptr if none. any_variant: whether primary has any (uri-miss vs vary-miss).
  PulledRef find(const std::string& primary, freshness::Fields request_fields, bool* any_variant = nullptr);
  // Stores object (replacing the variant with its secondary key) and evicts
  // to the capacity. False if it is larger than the whole table, or its
  // body is left in its file (PulledFile: never kept here).
  bool put(const std::string& primary, PulledRef object);
  // The variant of primary stored under exactly that secondary key, without
  // touching the LRU order; nullptr if none.
  PulledRef peek(const std::string& primary, std::string_view secondary) const;
  // Drops that exact object if it is still stored (a revalidation found it gone).
  void erase(const std::string& primary, const PulledObject* object);
  // Purge: drops every variant of `primary` and of it with a query
  // ("primary?..."); with prefix, of every primary key that starts with it.
  // Returns how many objects went. A linear walk: an operator's purge, not
  // the request path.
  std::size_t purge(std::string_view primary, bool prefix);
  // RFC 9111 §4.4: drops every variant of exactly `primary` (not of it with a
  // query: /search?q=1 is another resource than /search). One lookup, no
  // walk: a client's POST triggers it. Its slices, keyed by entity-tag,
  // serve only a head of that tag (pull_slices.h), so they may stay.
  std::size_t invalidate(const std::string& primary);

  std::uint64_t used_bytes() const { return used_; }
  std::size_t objects() const { return lru_.size(); }

 private:
  struct Slot {
    std::string primary;
    PulledRef object;
  };
  using Lru = std::list<Slot>;  // most recently used first
  void drop(Lru::iterator it);

  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  Lru lru_;
  // A key's variants, least recently used first.
  std::unordered_map<std::string, std::vector<Lru::iterator>> by_primary_;
};

}  // namespace relais::pull
