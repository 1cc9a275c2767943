// LocalBlobFetcher: an origin that is a directory on this machine (a publish
// OUT_DIR, an NFS mount, a USB disk carried to a school), read through the
// same BlobFetcher interface as an HTTP origin, so the puller verifies it
// just the same: a local origin is not trusted more than a remote one.
#pragma once

#include <string>

#include "origin-sync/resumable_fetcher.h"
#include "origin-sync/store_pull.h"

namespace relais {

class LocalBlobFetcher final : public ResumableBlobFetcher {
 public:
  explicit LocalBlobFetcher(std::string origin_dir) : dir_(std::move(origin_dir)) {}

  std::string describe() const override { return dir_; }
  Result<std::string> fetch_manifest() override;
  Status fetch_blob(const ContentHash& hash, std::uint64_t max_bytes, BlobSink& sink) override;
  Status fetch_blob_from(const ContentHash& hash, std::uint64_t offset, std::uint64_t max_bytes,
                         ResumableBlobSink& sink) override;

 private:
  std::string dir_;
};

// Whether an --origin value names an HTTP(S) origin rather than a directory.
bool is_http_origin(const std::string& origin);

// pull_into_store() from a LocalBlobFetcher.
Result<PullReport> pull_from_directory(const std::string& origin_dir, const std::string& store_dir, unsigned jobs);

}  // namespace relais
