#include "edge/storage/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "origin-sync/blob_path.h"

namespace relais {

namespace {
std::string describe_errno(int err) { return std::strerror(err); }

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
    if (n < 0) return Error::storage("cannot read blob " + path + ": " + describe_errno(errno));
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

BlobStore::BlobStore(std::string root, std::size_t max_open_files)
    : root_(std::move(root)), max_open_(max_open_files) {
  by_hash_.reserve(max_open_files);
}

Result<FileRef> BlobStore::open(const ContentHash& hash, std::uint64_t expected_size) {
  if (auto it = by_hash_.find(hash); it != by_hash_.end()) {
    if (it->second->file->size != expected_size) {
      return size_mismatch(blob_path(root_, hash), it->second->file->size, expected_size);
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->file;
  }
  Result<FileRef> file = open_file(hash, expected_size);
  if (file.ok()) remember(hash, file.value());
  return file;
}

Result<std::string> BlobStore::read_verified(const ContentHash& hash, std::uint64_t expected_size) {
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
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return;
  lru_.erase(it->second);
  by_hash_.erase(it);
}

Result<FileRef> BlobStore::open_file(const ContentHash& hash, std::uint64_t expected_size) const {
  std::string path = blob_path(root_, hash);
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) return Error::storage("cannot open blob " + path + ": " + describe_errno(errno));
  auto blob = std::make_shared<OpenBlob>();
  blob->fd = UniqueFd(raw);
  struct stat st;
  if (::fstat(raw, &st) != 0) return Error::storage("cannot stat blob " + path + ": " + describe_errno(errno));
  if (!S_ISREG(st.st_mode)) return Error::storage("blob " + path + " is not a regular file");
  auto actual = static_cast<std::uint64_t>(st.st_size);
  if (actual != expected_size) return size_mismatch(path, actual, expected_size);
  blob->size = actual;
  blob->hash = hash;
  return FileRef(std::move(blob));
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

}  // namespace relais
