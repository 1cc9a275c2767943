// Opening one blob file of the store the way the edge may trust it.
//
// The store directory is the edge's only input from disk, and whoever can
// write into it can otherwise make the edge serve any file it can read
// (issue 21, item 8): a symlink to /dev/zero-like content of the right size,
// a FIFO that blocks open(), a device, a hard link to another user's file.
// So a blob is opened with O_NOFOLLOW (a symlink is refused, never followed),
// O_NONBLOCK (a FIFO or device cannot block the worker in open()), and
// O_CLOEXEC, then fstat()ed: anything but a regular file is refused, and so
// is a file owned by anyone but the store's owner or the edge itself (the
// embedded sync writes as the edge; `relais-sync pull` as the store's owner).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "edge/storage/blob_quarantine.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

// Who may own a blob file.
struct BlobOwners {
  uid_t store = 0;  // owner of the store directory
  uid_t self = 0;   // the edge's effective uid
  // The store root's owner (the edge's uid if the root cannot be stat()ed
  // yet: the first sync creates it as the edge) and geteuid().
  static BlobOwners of_store(const std::string& root);
  bool allow(uid_t uid) const { return uid == store || uid == self; }
};

struct BlobFile {
  UniqueFd fd;
  std::uint64_t size = 0;
  FileIdentity identity;
};

enum class BlobOpenFailure : unsigned char {
  none,
  missing,  // no such file (not fetched yet, collected, or removed as corrupt)
  refused,  // exists but is no blob we may serve: symlink, not regular, foreign owner
  io,       // any other error of open() or fstat()
};

// failure (optional) says which kind of error came back.
Result<BlobFile> open_blob_file(const std::string& path, const BlobOwners& owners,
                                BlobOpenFailure* failure = nullptr);

}  // namespace relais
