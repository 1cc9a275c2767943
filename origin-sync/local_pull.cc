#include "origin-sync/local_pull.h"

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "origin-sync/blob_path.h"
#include "origin-sync/manifest.h"
#include "origin-sync/unique_fd.h"

namespace relais {
namespace {

constexpr std::size_t kChunkBytes = 256 * 1024;

// Opens a regular file of the origin; O_NONBLOCK so a FIFO cannot hang us.
Result<UniqueFd> open_regular(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Error::origin("cannot open " + path + ": " + std::strerror(errno), errno != ENOENT);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return Error::origin(path + " is not a regular file", false);
  return fd;
}

// Reads fd in chunks into `each`, failing once more than max_bytes arrive.
template <typename F>
Status read_chunks(int fd, const std::string& path, std::uint64_t max_bytes, F&& each) {
  std::vector<char> buffer(kChunkBytes);
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::origin("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) return {};
    total += static_cast<std::uint64_t>(n);
    if (total > max_bytes) return Error::origin(path + " is larger than " + std::to_string(max_bytes) + " bytes", false);
    if (auto s = each(std::string_view(buffer.data(), static_cast<std::size_t>(n))); !s) return s;
  }
}

}  // namespace

Result<std::string> LocalBlobFetcher::fetch_manifest() {
  const std::string path = dir_ + "/" + std::string(kManifestFileName);
  auto fd = open_regular(path);
  if (!fd) return fd.error();
  std::string text;
  auto s = read_chunks(fd->get(), path, kManifestMaxBytes, [&](std::string_view chunk) -> Status {
    text.append(chunk);
    return {};
  });
  if (!s) return s.error();
  return text;
}

Status LocalBlobFetcher::fetch_blob(const ContentHash& hash, std::uint64_t max_bytes, BlobSink& sink) {
  const std::string path = blob_path(dir_, hash);
  auto fd = open_regular(path);
  if (!fd) return fd.error();
  return read_chunks(fd->get(), path, max_bytes, [&](std::string_view chunk) { return sink.write(chunk); });
}

Status LocalBlobFetcher::fetch_blob_from(const ContentHash& hash, std::uint64_t offset, std::uint64_t max_bytes,
                                         ResumableBlobSink& sink) {
  const std::string path = blob_path(dir_, hash);
  auto fd = open_regular(path);
  if (!fd) return fd.error();
  if (offset > max_bytes || ::lseek(fd->get(), static_cast<off_t>(offset), SEEK_SET) < 0) {
    if (auto s = sink.restart(); !s) return s;
    return read_chunks(fd->get(), path, max_bytes, [&](std::string_view chunk) { return sink.write(chunk); });
  }
  return read_chunks(fd->get(), path, max_bytes - offset, [&](std::string_view chunk) { return sink.write(chunk); });
}

bool is_http_origin(const std::string& origin) {
  return origin.starts_with("http://") || origin.starts_with("https://");
}

Result<PullReport> pull_from_directory(const std::string& origin_dir, const std::string& store_dir, unsigned jobs) {
  LocalBlobFetcher fetcher(origin_dir);
  return pull_into_store(fetcher, store_dir, jobs);
}

}  // namespace relais
