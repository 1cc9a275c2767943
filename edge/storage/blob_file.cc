#include "edge/storage/blob_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace relais {

BlobOwners BlobOwners::of_store(const std::string& root) {
  BlobOwners owners;
  owners.self = ::geteuid();
  struct stat st {};
  owners.store = ::stat(root.c_str(), &st) == 0 ? st.st_uid : owners.self;
  return owners;
}

Result<BlobFile> open_blob_file(const std::string& path, const BlobOwners& owners, BlobOpenFailure* failure) {
  auto fail = [failure](BlobOpenFailure why, std::string message) -> Error {
    if (failure != nullptr) *failure = why;
    return Error::storage(std::move(message));
  };
  if (failure != nullptr) *failure = BlobOpenFailure::none;
  int raw;
  do {
    raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) {
    const int err = errno;
    // O_NOFOLLOW on a symlink fails with ELOOP: say what it is, not "too many levels".
    if (err == ELOOP) return fail(BlobOpenFailure::refused, "blob " + path + " is a symbolic link: refused");
    return fail(err == ENOENT ? BlobOpenFailure::missing : BlobOpenFailure::io,
                "cannot open blob " + path + ": " + std::strerror(err));
  }
  BlobFile file;
  file.fd = UniqueFd(raw);
  struct stat st {};
  if (::fstat(raw, &st) != 0) {
    return fail(BlobOpenFailure::io, "cannot stat blob " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return fail(BlobOpenFailure::refused, "blob " + path + " is not a regular file: refused");
  if (!owners.allow(st.st_uid)) {
    return fail(BlobOpenFailure::refused, "blob " + path + " is owned by uid " + std::to_string(st.st_uid) +
                                              ", not by the store's owner (uid " + std::to_string(owners.store) +
                                              "): refused");
  }
  file.size = static_cast<std::uint64_t>(st.st_size);
  file.identity = FileIdentity{st.st_dev, st.st_ino};
  return file;
}

}  // namespace relais
