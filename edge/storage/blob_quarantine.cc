#include "edge/storage/blob_quarantine.h"

namespace relais {

bool BlobQuarantine::add(const ContentHash& hash, FileIdentity file) {
  std::lock_guard lock(mutex_);
  if (entries_->size() >= kMaxEntries && !entries_->contains(hash)) return false;
  // Copy on write: readers keep the snapshot they hold. Adding is rare (a
  // corrupt blob on a read-only store), so the copy costs nothing that matters.
  auto next = std::make_shared<Snapshot>(*entries_);
  (*next)[hash] = file;
  entries_ = std::move(next);
  version_.fetch_add(1, std::memory_order_release);
  return true;
}

std::shared_ptr<const BlobQuarantine::Snapshot> BlobQuarantine::snapshot() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

}  // namespace relais
