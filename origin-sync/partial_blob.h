// PartialBlob: a blob being downloaded, kept across failures and crashes.
//
// Lives at STORE/blobs/ab/.tmp.<hex>.part: a stable name (unlike AtomicFile's
// per-process temp names) so that a pull that lost its connection, or a
// process killed with SIGKILL, resumes where it stopped instead of fetching
// the bytes again. Lifecycle:
//   open()    creates the file or reopens it and re-hashes what it holds
//             (the hash must cover the resumed prefix; a prefix longer than
//             the manifest's size is dropped);
//   append()  adds bytes, refusing any beyond the expected size (a hostile
//             origin cannot fill the disk through one blob);
//   commit()  checks size and XXH3-128 (and the SHA-256 of a signed
//             manifest, computed in the same pass), fsyncs, renames;
//             on a mismatch the file is deleted (never served, never resumed);
//   discard() deletes the file; dropping the object keeps it for a resume.
// Bytes that were in the page cache when the process died are intact after a
// kill -9; after a power loss the unsynced tail may be garbage, which the
// hash check at commit() catches (the blob is then refetched from zero).
// Not thread-safe: one PartialBlob per blob, one thread at a time (the
// store's sync lock keeps other processes away).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "origin-sync/content_hash.h"
#include "origin-sync/sha256.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

class PartialBlob {
 public:
  // expected_sha256: the signed manifest's digest of the blob, or null.
  static Result<PartialBlob> open(const std::string& store_dir, const ContentHash& hash, std::uint64_t expected_size,
                                  const Sha256* expected_sha256 = nullptr);

  PartialBlob(PartialBlob&&) noexcept = default;
  PartialBlob& operator=(PartialBlob&&) noexcept = default;

  std::uint64_t size() const { return size_; }
  Status append(std::string_view bytes);
  Status restart();
  // Origin error (retryable) on a size or hash mismatch, after deleting the file.
  Status commit();
  void discard();
  const std::string& path() const { return path_; }

 private:
  PartialBlob() = default;

  std::string path_, final_path_;
  ContentHash expected_hash_;
  std::uint64_t expected_size_ = 0;
  std::uint64_t size_ = 0;
  UniqueFd fd_;
  std::unique_ptr<ContentHasher> hasher_;
  std::optional<Sha256> expected_sha256_;
  std::unique_ptr<Sha256Hasher> sha256_;  // only with expected_sha256_
};

// Name of the partial file of `hash` under store_dir.
std::string partial_blob_path(const std::string& store_dir, const ContentHash& hash);
// Suffix that marks a partial download among the ".tmp." files.
inline constexpr std::string_view kPartialSuffix = ".part";

}  // namespace relais
