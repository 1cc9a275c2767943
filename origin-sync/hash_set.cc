#include "origin-sync/hash_set.h"

#include <algorithm>

#include "origin-sync/assert.h"

namespace relais {
namespace {

bool less(const ContentHash& a, const ContentHash& b) { return a.high != b.high ? a.high < b.high : a.low < b.low; }

}  // namespace

HashSet::HashSet(std::initializer_list<ContentHash> hashes) : hashes_(hashes), sealed_(false) { seal(); }

void HashSet::seal() {
  if (sealed_) return;
  std::sort(hashes_.begin(), hashes_.end(), less);
  hashes_.erase(std::unique(hashes_.begin(), hashes_.end()), hashes_.end());
  sealed_ = true;
}

bool HashSet::contains(const ContentHash& hash) const {
  RELAIS_ASSERT(sealed_);
  return std::binary_search(hashes_.begin(), hashes_.end(), hash, less);
}

std::size_t HashSet::size() const {
  RELAIS_ASSERT(sealed_);
  return hashes_.size();
}

bool operator==(const HashSet& a, const HashSet& b) {
  RELAIS_ASSERT(a.sealed_ && b.sealed_);
  return a.hashes_ == b.hashes_;
}

}  // namespace relais
