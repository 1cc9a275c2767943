// BlobFetcher: where a pull gets a manifest and blobs from.
//
// The pull algorithm (store_pull.h) only sees this interface, so the local
// directory origin (local_pull.h) and the HTTP origin of a later issue share
// every verification step. A fetcher only moves bytes: it never decides
// whether they are right; the puller hashes everything before it becomes
// visible in the store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "origin-sync/content_hash.h"
#include "origin-sync/result.h"

namespace relais {

// Receives a blob's bytes in order; an error stops the fetch.
class BlobSink {
 public:
  virtual ~BlobSink() = default;
  virtual Status write(std::string_view chunk) = 0;
};

class BlobFetcher {
 public:
  virtual ~BlobFetcher() = default;

  // For messages: the origin URL or directory.
  virtual std::string describe() const = 0;

  // The origin's manifest, raw; at most kManifestMaxBytes (a hostile origin
  // must not make the edge buffer without bound).
  virtual Result<std::string> fetch_manifest() = 0;

  // Streams blob `hash` into sink. Must stop with an error once more than
  // max_bytes were delivered, for the same reason.
  virtual Status fetch_blob(const ContentHash& hash, std::uint64_t max_bytes, BlobSink& sink) = 0;
};

}  // namespace relais
