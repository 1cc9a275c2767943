// Store space: what a pull will add to the disk, and what the disk has left.
//
// Checked before the first blob is fetched (store_sync.h), so a generation
// that cannot fit fails at once with one line saying how much is missing,
// instead of filling the disk, failing with ENOSPC half-way and leaving
// partial files behind. The need is computed from the sizes the manifest
// declares (a blob larger than declared is refused while it downloads,
// partial_blob.h), counted in whole file-system blocks, minus what partial
// downloads of the same blobs already hold. The probe is injectable so tests
// need no full disk.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "origin-sync/manifest_blobs.h"
#include "origin-sync/result.h"

namespace relais {

struct FreeSpace {
  std::uint64_t available = 0;   // bytes an unprivileged writer may still use
  std::uint64_t block_size = 1;  // allocation unit: a file takes whole blocks
};
using FreeSpaceProbe = std::function<Result<FreeSpace>(const std::string& dir)>;

// statvfs(dir): f_bavail * f_frsize. Storage error if it fails.
Result<FreeSpace> statvfs_free_space(const std::string& dir);

struct SpaceNeed {
  std::uint64_t bytes = 0;  // in whole blocks
  std::uint64_t blobs = 0;  // distinct blobs still to fetch
};

// What pulling `incoming` into store_dir adds: each distinct blob that is not
// there yet (its declared size, less its partial file), and the new manifest
// file (manifest_bytes), which exists next to the old one until the rename.
SpaceNeed space_needed(const std::string& store_dir, const ManifestBlobs& incoming, std::uint64_t manifest_bytes,
                       std::uint64_t block_size);

// "not enough space: need X, have Y in DIR (N blobs to fetch)", a storage error.
Error not_enough_space(const std::string& store_dir, const SpaceNeed& need, const FreeSpace& have);

}  // namespace relais
