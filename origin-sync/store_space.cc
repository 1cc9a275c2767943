#include "origin-sync/store_space.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>

#include "origin-sync/blob_writer.h"
#include "origin-sync/partial_blob.h"
#include "origin-sync/progress.h"

namespace relais {
namespace {

std::uint64_t whole_blocks(std::uint64_t bytes, std::uint64_t block) { return (bytes + block - 1) / block * block; }

}  // namespace

Result<FreeSpace> statvfs_free_space(const std::string& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return Error::storage("cannot statvfs " + dir + ": " + std::strerror(errno));
  FreeSpace out;
  out.block_size = st.f_frsize > 0 ? st.f_frsize : st.f_bsize > 0 ? st.f_bsize : 1;
  out.available = static_cast<std::uint64_t>(st.f_bavail) * out.block_size;
  return out;
}

SpaceNeed space_needed(const std::string& store_dir, const ManifestBlobs& incoming, std::uint64_t manifest_bytes,
                       std::uint64_t block_size) {
  const std::uint64_t block = block_size > 0 ? block_size : 1;
  const BlobWriter blobs(store_dir);
  SpaceNeed need;
  need.bytes = whole_blocks(manifest_bytes, block);
  for (const ManifestBlob& v : incoming.blobs) {  // distinct already
    if (blobs.present(v.hash, v.size)) continue;
    std::uint64_t held = 0;
    struct stat st {};
    // A partial file longer than declared is cut back to nothing when reopened.
    if (::stat(partial_blob_path(store_dir, v.hash).c_str(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) <= v.size)
      held = whole_blocks(static_cast<std::uint64_t>(st.st_size), block);
    need.bytes += whole_blocks(v.size, block) - held;
    ++need.blobs;
  }
  return need;
}

Error not_enough_space(const std::string& store_dir, const SpaceNeed& need, const FreeSpace& have) {
  std::string need_text = format_bytes(need.bytes), have_text = format_bytes(have.available);
  if (need_text == have_text) {  // rounded to the same figure: show the bytes
    need_text = std::to_string(need.bytes) + " bytes";
    have_text = std::to_string(have.available) + " bytes";
  }
  return Error::storage("not enough space: need " + need_text + ", have " + have_text + " in " + store_dir + " (" +
                        std::to_string(need.blobs) + " blobs to fetch)");
}

}  // namespace relais
