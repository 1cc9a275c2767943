// Where a blob lives under a store or publish root: blobs/ab/<32 hex digits>.
//
// Two hex digits of fan-out keep directories small (256 of them, ~40 entries
// each for a 10 000-file course) without a deeper tree to walk.
#pragma once

#include <string>

#include "origin-sync/content_hash.h"

namespace relais {

// "blobs/ab/abcdef..." relative to the root.
std::string blob_relative_path(const ContentHash& hash);
// root + "/" + blob_relative_path(hash)
std::string blob_path(const std::string& root, const ContentHash& hash);

}  // namespace relais
