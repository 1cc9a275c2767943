// Resuming a blob download where a previous attempt (or a killed process)
// left off, for fetchers that can start mid-blob (HTTP Range, lseek).
//
// The puller keeps a partial blob as STORE/blobs/ab/.tmp.<hex>.part and asks
// for the bytes after it. An origin may ignore the Range and send the whole
// blob (200 instead of 206): the fetcher then calls restart() before the
// first byte, and the sink starts the file and its hash again from zero. The
// hash always covers every byte of the file, resumed or not, so a resume can
// never smuggle unverified bytes into a blob.
#pragma once

#include <cstdint>

#include "origin-sync/blob_fetcher.h"

namespace relais {

class ResumableBlobSink : public BlobSink {
 public:
  // Drop what the partial file holds; the bytes that follow start at offset 0.
  virtual Status restart() = 0;
};

class ResumableBlobFetcher : public BlobFetcher {
 public:
  // Streams blob `hash` from byte `offset` into sink (calling sink.restart()
  // first when it can only deliver from 0). Stops with an error once more
  // than max_bytes - offset bytes arrive.
  virtual Status fetch_blob_from(const ContentHash& hash, std::uint64_t offset, std::uint64_t max_bytes,
                                 ResumableBlobSink& sink) = 0;
};

}  // namespace relais
