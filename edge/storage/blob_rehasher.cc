#include "edge/storage/blob_rehasher.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace relais {

namespace {
constexpr unsigned kFanouts = 256;  // blobs/00 .. blobs/ff (blob_path.h)

std::string fanout_name(unsigned i) {
  char name[3];
  std::snprintf(name, sizeof name, "%02x", i);
  return name;
}
}  // namespace

BlobRehasher::BlobRehasher(std::string root, BlobQuarantine& quarantine, RehashStats& stats, Log log,
                           BlobOwners owners)
    : root_(std::move(root)), quarantine_(quarantine), stats_(stats), log_(std::move(log)), owners_(owners) {}

RehashStep BlobRehasher::step(std::uint64_t budget) {
  RehashStep result;
  budget = std::max<std::uint64_t>(budget, 1);
  while (result.bytes < budget) {
    if (!file_.fd.valid() && !open_next()) {
      result.pass_finished = true;
      stats_.passes.fetch_add(1, std::memory_order_relaxed);
      return result;
    }
    if (buffer_.empty()) buffer_.resize(kChunkBytes);
    const std::uint64_t want = std::min<std::uint64_t>({file_.size - offset_, budget - result.bytes, kChunkBytes});
    ssize_t n = 0;
    if (want > 0) {
      do {
        n = ::pread(file_.fd.get(), buffer_.data(), want, static_cast<off_t>(offset_));
      } while (n < 0 && errno == EINTR);
    }
    if (n < 0) {  // an I/O error is the disk's to report; the worker's read gets it too
      log_("relais-edge: rehash: cannot read blob " + path_ + ": " + std::strerror(errno));
      file_.fd.reset();
      continue;
    }
    hasher_.update(buffer_.data(), static_cast<std::size_t>(n));
    offset_ += static_cast<std::uint64_t>(n);
    result.bytes += static_cast<std::uint64_t>(n);
    stats_.bytes_hashed.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
    if (offset_ == file_.size) {
      finish(false);
    } else if (n == 0) {
      finish(true);  // truncated since it was opened
    }
  }
  return result;
}

bool BlobRehasher::open_next() {
  for (;;) {
    while (next_name_ < names_.size()) {
      const std::string& name = names_[next_name_++];
      path_ = root_ + "/blobs/" + name.substr(0, 2) + "/" + name;
      // Gone since the listing (collected, replaced) or refused: the workers
      // refuse the same files, there is nothing to hash.
      Result<BlobFile> opened = open_blob_file(path_, owners_);
      if (!opened.ok()) continue;
      file_ = std::move(opened).value();
      expected_ = *ContentHash::from_hex(name);
      offset_ = 0;
      hasher_.reset();
      return true;
    }
    if (next_fanout_ == kFanouts) {
      next_fanout_ = 0;
      names_.clear();
      next_name_ = 0;
      return false;
    }
    list_directory(next_fanout_++);
  }
}

void BlobRehasher::list_directory(unsigned fanout) {
  names_.clear();
  next_name_ = 0;
  const std::string prefix = fanout_name(fanout);
  const std::string dir = root_ + "/blobs/" + prefix;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;  // no blob starts with these two digits (yet)
  while (const dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    // Blob names only; temporary files and .part downloads are not blobs yet.
    if (name.size() != ContentHash::kHexLength || !name.starts_with(prefix)) continue;
    auto hash = ContentHash::from_hex(name);
    if (!hash || hash->hex() != name) continue;  // upper case is not a name the pull writes
    names_.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names_.begin(), names_.end());  // a stable order across passes
}

void BlobRehasher::finish(bool short_read) {
  stats_.blobs_checked.fetch_add(1, std::memory_order_relaxed);
  if (short_read) {
    found_corrupt("it is shorter than when it was opened");
  } else if (ContentHash actual = hasher_.digest(); actual != expected_) {
    found_corrupt("its content hashes to " + actual.hex());
  }
  file_ = BlobFile{};
}

void BlobRehasher::found_corrupt(std::string_view why) {
  stats_.corrupt_found.fetch_add(1, std::memory_order_relaxed);
  std::string line = "relais-edge: rehash: blob " + path_ + " is corrupt (" + std::string(why) + "): ";
  // Remove only the inode that was hashed: a sync may have renamed a good
  // copy over it meanwhile.
  struct stat st {};
  const bool same = ::lstat(path_.c_str(), &st) == 0 && FileIdentity{st.st_dev, st.st_ino} == file_.identity;
  if (!same) {
    log_(line + "already replaced");
    return;
  }
  if (::unlink(path_.c_str()) == 0) {
    log_(line + "removed, no longer served; the next sync fetches it again");
    return;
  }
  const std::string reason = std::strerror(errno);
  if (quarantine_.add(expected_, file_.identity)) {
    log_(line + "cannot remove it (" + reason + "), no longer served until a sync replaces it");
  } else {
    log_(line + "cannot remove it (" + reason + ") and the quarantine is full: STILL SERVED, replace the disk");
  }
}

}  // namespace relais
