#include "edge/storage/blob_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "origin-sync/blob_path.h"

namespace relais {

namespace {
Error size_mismatch(const std::string& path, std::uint64_t actual, std::uint64_t expected) {
  return Error::storage("blob " + path + " has " + std::to_string(actual) + " bytes, expected " +
                        std::to_string(expected) + " (truncated or replaced)");
}

// pread until expected bytes or end of file; EINTR and short reads retried.
Result<std::string> read_all(int fd, const std::string& path, std::uint64_t expected) {
  std::string bytes(expected, '\0');
  std::uint64_t done = 0;
  while (done < expected) {
    ssize_t n = ::pread(fd, bytes.data() + done, expected - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::storage("cannot read blob " + path + ": " + std::strerror(errno));
    if (n == 0) return size_mismatch(path, done, expected);
    done += static_cast<std::uint64_t>(n);
  }
  // A file that grew after fstat() is not the blob either.
  char extra;
  ssize_t n;
  do {
    n = ::pread(fd, &extra, 1, static_cast<off_t>(expected));
  } while (n < 0 && errno == EINTR);
  if (n > 0) return Error::storage("blob " + path + " is longer than " + std::to_string(expected) + " bytes");
  return bytes;
}
}  // namespace

BlobStore::BlobStore(std::string root, std::size_t max_open_files, const BlobQuarantine* quarantine,
                     std::optional<BlobOwners> owners)
    : root_(std::move(root)),
      max_open_(max_open_files),
      owners_(owners ? *owners : BlobOwners::of_store(root_)),
      quarantine_(quarantine) {
  by_hash_.reserve(max_open_files);
}

Result<FileRef> BlobStore::open(const ContentHash& hash, std::uint64_t expected_size) {
  refresh_quarantine();
  if (auto it = by_hash_.find(hash); it != by_hash_.end()) {
    const FileRef& file = it->second->file;
    if (file->size != expected_size) return size_mismatch(blob_path(root_, hash), file->size, expected_size);
    // One fstat() per disk-tier hit: a cached fd must not promise a
    // Content-Length the file no longer has (issue 21, item 7).
    if (still_whole(*file)) {
      lru_.splice(lru_.begin(), lru_, it->second);
      return file;
    }
    drop(it);  // and look at the path again: a sync may have put a good copy there
  }
  Result<FileRef> file = open_file(hash, expected_size);
  if (file.ok()) remember(hash, file.value());
  return file;
}

Result<std::string> BlobStore::read_verified(const ContentHash& hash, std::uint64_t expected_size) {
  refresh_quarantine();
  FileRef file;
  if (auto it = by_hash_.find(hash); it != by_hash_.end()) file = it->second->file;
  if (!file || file->size != expected_size) {
    Result<FileRef> opened = open_file(hash, expected_size);
    if (!opened.ok()) return opened.error();
    file = std::move(opened).value();
  }
  const std::string path = blob_path(root_, hash);
  Result<std::string> bytes = read_all(file->fd.get(), path, expected_size);
  if (bytes.ok() && hash_bytes(std::string_view(bytes.value())) != hash) {
    ++stats_.corrupt;
    bytes = Error::storage("blob " + path + " is corrupt: content does not match its XXH3-128");
  }
  if (!bytes.ok()) {
    forget(hash);
    return bytes;
  }
  verified_.insert(hash);
  return bytes;
}

void BlobStore::forget(const ContentHash& hash) {
  // One table of folded keys cannot drop one blob: all are re-checked.
  if (verified_.contains(hash)) verified_.clear();
  if (auto it = by_hash_.find(hash); it != by_hash_.end()) drop(it);
}

void BlobStore::short_file(const OpenBlob& file) {
  ++stats_.short_files;
  if (verified_.contains(file.hash)) verified_.clear();
  // Only this fd: a report that arrives after a newer fd was cached (the
  // file was re-fetched meanwhile) must not close the good one.
  if (auto it = by_hash_.find(file.hash); it != by_hash_.end() && it->second->file.get() == &file) drop(it);
}

bool BlobStore::holds(const OpenBlob& file) const {
  auto it = by_hash_.find(file.hash);
  return it != by_hash_.end() && it->second->file.get() == &file;
}

bool BlobStore::still_whole(const OpenBlob& file) {
  struct stat st {};
  if (::fstat(file.fd.get(), &st) != 0) return false;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < file.size) {
    ++stats_.short_files;
    return false;
  }
  // Grown, or unlinked (the re-hasher removed it as corrupt, GC collected
  // it, a sync replaced it by rename): the fd is no longer the store's blob.
  return size == file.size && st.st_nlink > 0;
}

Result<FileRef> BlobStore::open_file(const ContentHash& hash, std::uint64_t expected_size) {
  std::string path = blob_path(root_, hash);
  BlobOpenFailure failure;
  Result<BlobFile> opened = open_blob_file(path, owners_, &failure);
  if (!opened.ok()) {
    if (failure == BlobOpenFailure::refused) ++stats_.refused;
    return opened.error();
  }
  BlobFile& f = opened.value();
  if (quarantined_) {
    if (auto q = quarantined_->find(hash); q != quarantined_->end() && q->second == f.identity) {
      ++stats_.refused;
      return Error::storage("blob " + path + " was found corrupt and could not be removed: refused until a sync replaces it");
    }
  }
  if (f.size != expected_size) return size_mismatch(path, f.size, expected_size);
  auto blob = std::make_shared<OpenBlob>();
  blob->fd = std::move(f.fd);
  blob->size = f.size;
  blob->hash = hash;
  blob->identity = f.identity;
  return FileRef(std::move(blob));
}

void BlobStore::refresh_quarantine() {
  if (quarantine_ == nullptr) return;
  const std::uint64_t version = quarantine_->version();
  if (version == quarantine_version_) return;
  quarantine_version_ = version;
  quarantined_ = quarantine_->snapshot();
  // Rare (a corrupt blob on a read-only store): the whole list is walked.
  for (const auto& [hash, identity] : *quarantined_) {
    auto it = by_hash_.find(hash);
    if (it != by_hash_.end() && it->second->file->identity == identity) drop(it);
    if (verified_.contains(hash)) verified_.clear();
  }
}

// Most recent at the front; the least recent fd is closed once nothing else
// holds it (a response sending from it keeps its own FileRef).
void BlobStore::remember(const ContentHash& hash, FileRef file) {
  if (max_open_ == 0) return;
  while (by_hash_.size() >= max_open_) {
    by_hash_.erase(lru_.back().hash);
    lru_.pop_back();
  }
  lru_.push_front(Slot{hash, std::move(file)});
  by_hash_.emplace(hash, lru_.begin());
}

void BlobStore::drop(SlotMap::iterator it) {
  lru_.erase(it->second);
  by_hash_.erase(it);
}

}  // namespace relais
