#include "origin-sync/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace relais {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string temp_name_for(const std::string& final_path) {
  static std::atomic<std::uint64_t> counter{0};
  const std::string dir = parent_directory(final_path);
  const auto slash = final_path.rfind('/');
  const std::string base = slash == std::string::npos ? final_path : final_path.substr(slash + 1);
  return dir + "/.tmp." + base + "." + std::to_string(::getpid()) + "." +
         std::to_string(counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

std::string parent_directory(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

AtomicFile::AtomicFile(std::string final_path, std::string temp_path, UniqueFd fd)
    : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), fd_(std::move(fd)) {}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : final_path_(std::move(o.final_path_)),
      temp_path_(std::move(o.temp_path_)),
      fd_(std::move(o.fd_)),
      written_(o.written_),
      committed_(std::exchange(o.committed_, true)) {}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

Result<AtomicFile> AtomicFile::create(std::string final_path) {
  std::string temp = temp_name_for(final_path);
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return Error::storage("cannot create " + temp + ": " + errno_text());
  return AtomicFile(std::move(final_path), std::move(temp), std::move(fd));
}

Status AtomicFile::write(std::string_view bytes) {
  RELAIS_ASSERT(!committed_ && fd_.valid());
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::storage("cannot write " + final_path_ + ": " + (n < 0 ? errno_text() : "short write"));
    bytes.remove_prefix(static_cast<std::size_t>(n));
    written_ += static_cast<std::uint64_t>(n);
  }
  return {};
}

Status AtomicFile::commit(bool sync_directory) {
  RELAIS_ASSERT(!committed_ && fd_.valid());
  // fsync before rename: otherwise a crash can leave the new name pointing at
  // an empty or partial file (the ext4 "zero-length file" problem).
  if (::fsync(fd_.get()) != 0) return Error::storage("cannot fsync " + final_path_ + ": " + errno_text());
  if (::close(fd_.release()) != 0) return Error::storage("cannot close " + final_path_ + ": " + errno_text());
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0)
    return Error::storage("cannot rename into " + final_path_ + ": " + errno_text());
  committed_ = true;
  if (sync_directory) return fsync_directory(parent_directory(final_path_));
  return {};
}

Status write_file_atomically(const std::string& path, std::string_view bytes) {
  auto file = AtomicFile::create(path);
  if (!file) return file.error();
  if (auto s = file->write(bytes); !s) return s;
  return file->commit(/*sync_directory=*/true);
}

Status fsync_directory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Error::storage("cannot open directory " + dir + ": " + errno_text());
  if (::fsync(fd.get()) != 0) return Error::storage("cannot fsync directory " + dir + ": " + errno_text());
  return {};
}

Status make_directories(const std::string& path) {
  if (path.empty()) return {};
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (prefix.empty()) continue;
    if (::mkdir(prefix.c_str(), 0755) == 0) continue;
    if (errno != EEXIST) return Error::storage("cannot create directory " + prefix + ": " + errno_text());
    struct stat st {};
    if (::stat(prefix.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return Error::storage("cannot create directory " + prefix + ": a non-directory is in the way");
  }
  return {};
}

}  // namespace relais
