// OpenBlob: an open, size-checked blob file, as a response holds it.
//
// What a body sent from disk refers to: the fd stays open while a FileRef
// is alive, even after the store evicted it from its fd cache or a purge
// forgot it. Apart from BlobStore (which makes them) so that the layers
// above can hold a file body without depending on the store itself.
#pragma once

#include <cstdint>
#include <memory>

#include "edge/storage/blob_quarantine.h"
#include "origin-sync/content_hash.h"
#include "origin-sync/unique_fd.h"

namespace relais {

struct OpenBlob {
  UniqueFd fd;
  std::uint64_t size = 0;  // at open, checked against the manifest
  // Where the body begins in the file: 0 for a published blob; a pulled
  // object's record (edge/pull/pulled_record.h) has its header and head
  // first. Offsets handed to a ResponseBuffer are the body's; it adds this.
  std::uint64_t start = 0;
  ContentHash hash;        // which blob: a sender reports a short file by it
  FileIdentity identity;
};
using FileRef = std::shared_ptr<const OpenBlob>;

}  // namespace relais
