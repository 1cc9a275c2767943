// HashSet: a set of content hashes as one sorted vector.
//
// The blob collectors (blob_gc.h, manifest_pin.h, store_sync.h) hold the
// blobs of up to three manifests at once; for 1 M-entry manifests a node-based
// std::unordered_set cost ~60 bytes per hash, this costs 16. Lifecycle: fill
// with insert() (appends, duplicates allowed), then seal() (sorts, drops
// duplicates); contains(), size() and == are only for a sealed set, which a
// RELAIS_ASSERT checks. A default-constructed or list-constructed set is sealed.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <vector>

#include "origin-sync/content_hash.h"

namespace relais {

class HashSet {
 public:
  HashSet() = default;
  HashSet(std::initializer_list<ContentHash> hashes);

  void insert(const ContentHash& hash) {
    hashes_.push_back(hash);
    sealed_ = false;
  }
  void seal();

  bool contains(const ContentHash& hash) const;
  std::size_t size() const;
  bool empty() const { return hashes_.empty(); }

  friend bool operator==(const HashSet& a, const HashSet& b);

 private:
  std::vector<ContentHash> hashes_;
  bool sealed_ = true;
};

}  // namespace relais
