#include "origin-sync/blob_writer.h"

#include <sys/stat.h>

#include "origin-sync/blob_path.h"
#include "origin-sync/hex.h"

namespace relais {
namespace {

std::string fanout_dir(const std::string& root, unsigned index) {
  return root + "/blobs/" + kLowerHexDigits[index >> 4] + kLowerHexDigits[index & 0xF];
}

unsigned fanout_index(const ContentHash& hash) { return static_cast<unsigned>(hash.high >> 56); }

}  // namespace

Status BlobWriter::prepare() {
  struct stat st {};
  const std::string blobs = root_ + "/blobs";
  const bool existed = ::stat(blobs.c_str(), &st) == 0;
  bool created_any = !existed;
  for (unsigned i = 0; i < 256; ++i) {
    const std::string dir = fanout_dir(root_, i);
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
    if (auto s = make_directories(dir); !s) return s;
    created_any = true;
  }
  if (!created_any) return {};
  // New directory entries must be durable before blobs inside them count.
  if (auto s = fsync_directory(blobs); !s) return s;
  return fsync_directory(root_);
}

bool BlobWriter::present(const ContentHash& hash, std::uint64_t size) const {
  struct stat st {};
  const std::string path = blob_path(root_, hash);
  // lstat: a symlink in the store is no blob (the edge refuses to follow
  // it), even to a file of the right size; fetching puts a real one there.
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) == size;
}

void BlobWriter::touched(const ContentHash& hash) {
  dirty_[fanout_index(hash)].store(true, std::memory_order_relaxed);
  written_.fetch_add(1, std::memory_order_relaxed);
}

Result<bool> BlobWriter::write(const ContentHash& hash, std::string_view bytes) {
  if (present(hash, bytes.size())) return false;
  auto file = AtomicFile::create(blob_path(root_, hash));
  if (!file) return file.error();
  if (auto s = file->write(bytes); !s) return s.error();
  if (auto s = file->commit(/*sync_directory=*/false); !s) return s.error();
  touched(hash);
  return true;
}

Result<AtomicFile> BlobWriter::begin(const ContentHash& hash) { return AtomicFile::create(blob_path(root_, hash)); }

Status BlobWriter::commit_streamed(AtomicFile& file, const ContentHash& expected_hash, std::uint64_t expected_size,
                                   const ContentHash& actual_hash) {
  if (file.bytes_written() != expected_size)
    return Error::origin("blob " + expected_hash.hex() + ": got " + std::to_string(file.bytes_written()) +
                         " bytes, expected " + std::to_string(expected_size), /*retry=*/true);
  if (actual_hash != expected_hash)
    return Error::origin("blob " + expected_hash.hex() + ": content hashes to " + actual_hash.hex(), /*retry=*/true);
  if (auto s = file.commit(/*sync_directory=*/false); !s) return s;
  touched(expected_hash);
  return {};
}

Status BlobWriter::sync_directories() {
  for (unsigned i = 0; i < 256; ++i) {
    if (!dirty_[i].exchange(false, std::memory_order_relaxed)) continue;
    if (auto s = fsync_directory(fanout_dir(root_, i)); !s) return s;
  }
  return {};
}

}  // namespace relais
