// CodedVariants: the content-coded copies (br, zstd, gzip) the edge made of a
// pulled identity text body (pull_compression.h), attached to its
// PulledObject so that a hit can answer a client that accepts them with a
// small response. Immutable once made, shared by the objects that freshen
// the same body and by the responses being sent from it.
#pragma once

#include <cstdint>
#include <vector>

#include "edge/cache/memory_tier.h"
#include "origin-sync/encoding.h"

namespace relais::pull {

struct CodedBody {
  Encoding encoding = Encoding::br;
  MemoryRef body;  // never null
};

struct CodedVariants {
  std::vector<CodedBody> bodies;  // each smaller than the identity, at most one per coding, in Encoding order
  std::uint64_t bytes() const {
    std::uint64_t n = 0;
    for (const CodedBody& b : bodies) n += b.body->bytes.size();
    return n;
  }
};

}  // namespace relais::pull
