// ManifestPin: tells every collector of a store which manifest an edge serves.
//
// The store's manifest is replaced by every pull, but an edge keeps serving
// the catalog it loaded until it reloads (SIGHUP, or its own sync). A blob
// collector that only knew STORE/manifest would delete blobs that catalog
// still needs, and the edge would answer 503 for them. So an edge loads its
// catalog through a pin:
//
//   take()     hard-links STORE/manifest to STORE/.in-service.<pid>.<n>,
//              opens that name, takes a shared flock() on it and reads it.
//              The bytes read are the pinned inode's, so the pin names
//              exactly the catalog built from them, however many pulls
//              replace STORE/manifest meanwhile. No copy: the pin costs one
//              directory entry (and keeps the old manifest's inode alive);
//   ~ManifestPin (or assigning the next pin) unlinks the name and closes the
//              fd, which drops the lock.
//
// pinned_blobs() is the collectors' side: every ".in-service.*" file whose
// lock is held is the catalog of a live edge, and its blobs are in use. A
// file nobody holds a lock on belongs to an edge that died (flock() is
// released by the kernel, even after a kill -9) and is removed. A collector
// takes the lock exclusively to test it and unlinks while holding it; take()
// re-checks after locking that its name still points at its inode, so a pin
// swept between its link and its lock is simply taken again.
//
// When the store refuses the link (read-only, another file system's rules),
// take() still reads STORE/manifest and says it is not pinned: the edge
// serves it, and the collectors' grace period is the only protection left.
#pragma once

#include <cstdint>
#include <string>

#include "origin-sync/blob_gc.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

class ManifestPin {
 public:
  ManifestPin() = default;
  ManifestPin(ManifestPin&& other) noexcept;
  ManifestPin& operator=(ManifestPin&& other) noexcept;
  ManifestPin(const ManifestPin&) = delete;
  ManifestPin& operator=(const ManifestPin&) = delete;
  ~ManifestPin();

  // Pins STORE/manifest and puts its bytes (at most kManifestMaxBytes) in
  // `bytes`. A storage error when the manifest cannot be read at all.
  static Result<ManifestPin> take(const std::string& store_dir, std::string& bytes);

  bool pinned() const { return fd_.valid(); }
  // Why the manifest could not be pinned ("" when pinned()).
  const std::string& unpinned_reason() const { return unpinned_reason_; }

 private:
  void release();

  std::string path_;
  UniqueFd fd_;
  std::string unpinned_reason_;
};

// Blobs named by the manifests live edges have pinned in store_dir, except
// pins of the inode that is STORE/manifest now (the caller references that
// one already, and it may be large). Removes the pins of dead edges. A live
// pin that cannot be read or parsed is a storage error: nothing may be
// collected while a catalog in service is unknown. The set comes back sealed.
Result<HashSet> pinned_blobs(const std::string& store_dir);

// Prefix of pin names in the store's root.
inline constexpr std::string_view kPinFilePrefix = ".in-service.";

}  // namespace relais
