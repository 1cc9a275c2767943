#include "origin-sync/manifest_pin.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "origin-sync/manifest_blobs.h"

namespace relais {
namespace {

// A collector may sweep a fresh pin between its link() and its flock() (it
// looks like a dead edge's); each such race costs one more attempt. More
// than this many in a row means something else is deleting our files.
constexpr int kPinAttempts = 8;

std::atomic<std::uint64_t> pin_counter{0};

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// Reads the whole regular file behind fd, refusing more than the manifest limit.
Status read_all(int fd, const std::string& path, std::string& out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return Error::storage(path + " is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kManifestMaxBytes)
    return Error::storage(path + " is larger than the 1 GiB manifest limit");
  out.assign(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::storage("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return {};
}

Status read_unpinned(const std::string& manifest, std::string& bytes) {
  UniqueFd fd(::open(manifest.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Error::storage("cannot open " + manifest + ": " + std::strerror(errno));
  return read_all(fd.get(), manifest, bytes);
}

}  // namespace

ManifestPin::ManifestPin(ManifestPin&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::move(other.fd_)), unpinned_reason_(std::move(other.unpinned_reason_)) {
  other.path_.clear();
}

ManifestPin& ManifestPin::operator=(ManifestPin&& other) noexcept {
  if (this != &other) {
    release();
    path_ = std::exchange(other.path_, {});
    fd_ = std::move(other.fd_);
    unpinned_reason_ = std::move(other.unpinned_reason_);
  }
  return *this;
}

ManifestPin::~ManifestPin() { release(); }

void ManifestPin::release() {
  // Unlink first, then drop the lock: a collector never sees our name unlocked.
  if (fd_.valid() && !path_.empty()) ::unlink(path_.c_str());
  fd_.reset();
  path_.clear();
}

Result<ManifestPin> ManifestPin::take(const std::string& store_dir, std::string& bytes) {
  const std::string manifest = store_dir + "/" + std::string(kManifestFileName);
  ManifestPin pin;
  for (int attempt = 0; attempt < kPinAttempts; ++attempt) {
    const std::string path = store_dir + "/" + std::string(kPinFilePrefix) + std::to_string(::getpid()) + "." +
                             std::to_string(pin_counter.fetch_add(1));
    if (::link(manifest.c_str(), path.c_str()) != 0) {
      if (errno == ENOENT) return Error::storage("cannot open " + manifest + ": " + std::strerror(errno));
      if (errno == EEXIST) continue;  // a dead edge's pin under our pid: the collectors remove it
      pin.unpinned_reason_ = "cannot link " + manifest + " to " + path + ": " + std::strerror(errno);
      if (auto s = read_unpinned(manifest, bytes); !s) return s.error();
      return pin;
    }
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid()) {
      if (errno == ENOENT) continue;  // swept already
      const int err = errno;
      ::unlink(path.c_str());
      // ELOOP: STORE/manifest is a symlink, link() pinned the link and not the file.
      pin.unpinned_reason_ = "cannot open " + path + ": " + std::strerror(err);
      if (auto s = read_unpinned(manifest, bytes); !s) return s.error();
      return pin;
    }
    if (::flock(fd.get(), LOCK_SH) != 0) {
      ::unlink(path.c_str());
      return Error::storage("cannot lock " + path + ": " + std::strerror(errno));
    }
    // Locked: no collector can remove the name from now on. Is it still ours?
    struct stat by_fd {}, by_name {};
    if (::fstat(fd.get(), &by_fd) != 0 || ::stat(path.c_str(), &by_name) != 0 || !same_file(by_fd, by_name)) continue;
    pin.path_ = path;
    pin.fd_ = std::move(fd);
    if (auto s = read_all(pin.fd_.get(), manifest, bytes); !s) return s.error();  // ~ManifestPin unpins
    return pin;
  }
  return Error::storage("cannot pin " + manifest + ": " + std::to_string(kPinAttempts) + " pins in a row were removed");
}

Result<HashSet> pinned_blobs(const std::string& store_dir) {
  struct stat current {};
  const bool have_current = ::stat((store_dir + "/" + std::string(kManifestFileName)).c_str(), &current) == 0;
  std::vector<std::string> names;
  if (DIR* d = ::opendir(store_dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      if (std::string_view(e->d_name).starts_with(kPinFilePrefix)) names.emplace_back(e->d_name);
    }
    ::closedir(d);
  }
  HashSet in_use;
  for (const std::string& name : names) {
    const std::string path = store_dir + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid()) {
      if (errno == ENOENT) continue;  // its edge let go meanwhile
      return Error::storage("cannot open the catalog pin " + path + ": " + std::strerror(errno));
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
      ::unlink(path.c_str());  // no edge holds it: it died; unlinked under our lock (see take())
      continue;
    }
    if (errno != EWOULDBLOCK) return Error::storage("cannot lock " + path + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && have_current && same_file(st, current)) continue;
    std::string bytes;
    if (auto s = read_all(fd.get(), path, bytes); !s) return s.error();
    if (auto s = add_manifest_hashes(bytes, in_use); !s)
      return Error::storage("the catalog in service pinned by " + path + " cannot be read: " + s.error().message);
  }
  in_use.seal();
  return in_use;
}

}  // namespace relais
