#include "origin-sync/partial_blob.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "origin-sync/blob_path.h"

namespace relais {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Hashes the first `size` bytes of fd; false if they cannot all be read.
bool hash_prefix(int fd, std::uint64_t size, ContentHasher& hasher, Sha256Hasher* sha256) {
  std::vector<char> buffer(256 * 1024);
  std::uint64_t done = 0;
  while (done < size) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - done));
    ssize_t n = ::pread(fd, buffer.data(), want, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    hasher.update(buffer.data(), static_cast<std::size_t>(n));
    if (sha256 != nullptr) sha256->update(buffer.data(), static_cast<std::size_t>(n));
    done += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

std::string partial_blob_path(const std::string& store_dir, const ContentHash& hash) {
  const std::string rel = blob_relative_path(hash);  // blobs/ab/<hex>
  return store_dir + "/" + rel.substr(0, 9) + ".tmp." + hash.hex() + std::string(kPartialSuffix);
}

Result<PartialBlob> PartialBlob::open(const std::string& store_dir, const ContentHash& hash, std::uint64_t expected_size,
                                      const Sha256* expected_sha256) {
  PartialBlob p;
  p.path_ = partial_blob_path(store_dir, hash);
  p.final_path_ = blob_path(store_dir, hash);
  p.expected_hash_ = hash;
  p.expected_size_ = expected_size;
  p.hasher_ = std::make_unique<ContentHasher>();
  if (expected_sha256 != nullptr) {
    p.expected_sha256_ = *expected_sha256;
    p.sha256_ = std::make_unique<Sha256Hasher>();
  }
  // O_NOFOLLOW: a symlink planted in the store must not redirect our writes.
  p.fd_ = UniqueFd(::open(p.path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!p.fd_.valid()) return Error::storage("cannot open " + p.path_ + ": " + errno_text());
  struct stat st {};
  if (::fstat(p.fd_.get(), &st) != 0 || !S_ISREG(st.st_mode)) return Error::storage(p.path_ + " is not a regular file");
  const auto held = static_cast<std::uint64_t>(st.st_size);
  // A prefix longer than the blob cannot be right; an unreadable one is not trusted.
  if (held > expected_size || !hash_prefix(p.fd_.get(), held, *p.hasher_, p.sha256_.get())) {
    if (auto s = p.restart(); !s) return s.error();
  } else {
    p.size_ = held;
  }
  if (::lseek(p.fd_.get(), static_cast<off_t>(p.size_), SEEK_SET) < 0)
    return Error::storage("cannot seek in " + p.path_ + ": " + errno_text());
  return p;
}

Status PartialBlob::append(std::string_view bytes) {
  if (size_ + bytes.size() > expected_size_)
    return Error::origin("blob " + expected_hash_.hex() + " is larger than the manifest says (" +
                             std::to_string(expected_size_) + " bytes)", /*retry=*/true);
  hasher_->update(bytes.data(), bytes.size());
  if (sha256_) sha256_->update(bytes.data(), bytes.size());
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::storage("cannot write " + path_ + ": " + (n < 0 ? errno_text() : "short write"));
    bytes.remove_prefix(static_cast<std::size_t>(n));
    size_ += static_cast<std::uint64_t>(n);
  }
  return {};
}

Status PartialBlob::restart() {
  if (::ftruncate(fd_.get(), 0) != 0 || ::lseek(fd_.get(), 0, SEEK_SET) < 0)
    return Error::storage("cannot truncate " + path_ + ": " + errno_text());
  hasher_->reset();
  if (sha256_) sha256_->reset();
  size_ = 0;
  return {};
}

Status PartialBlob::commit() {
  if (size_ != expected_size_) {
    discard();
    return Error::origin("blob " + expected_hash_.hex() + ": got " + std::to_string(size_) + " bytes, expected " +
                             std::to_string(expected_size_), /*retry=*/true);
  }
  const ContentHash actual = hasher_->digest();
  if (actual != expected_hash_) {
    discard();
    return Error::origin("blob " + expected_hash_.hex() + ": content hashes to " + actual.hex(), /*retry=*/true);
  }
  // The XXH3-128 matched: only bytes crafted to collide with it get here.
  if (sha256_ && sha256_->digest() != *expected_sha256_) {
    discard();
    return Error::origin("blob " + expected_hash_.hex() + ": SHA-256 differs from the signed manifest's", /*retry=*/true);
  }
  // fsync before rename, as AtomicFile: the final name must never show a hole.
  if (::fsync(fd_.get()) != 0) return Error::storage("cannot fsync " + path_ + ": " + errno_text());
  fd_.reset();
  if (::rename(path_.c_str(), final_path_.c_str()) != 0)
    return Error::storage("cannot rename into " + final_path_ + ": " + errno_text());
  return {};
}

void PartialBlob::discard() {
  fd_.reset();
  ::unlink(path_.c_str());
}

}  // namespace relais
