// TreeWalk: the regular files under a publish source, as manifest paths.
//
// Walks SRC_DIR depth-first in byte order. What cannot be published is
// skipped with one warning line naming it, never fatal: names that are not
// valid UTF-8 or not valid URL paths (is_valid_manifest_path), FIFOs, sockets
// and devices, unreadable directories, dangling symlinks, symlinks that point
// outside SRC_DIR (not followed: a publish must not leak /etc through a
// stray link), and symlinks that would loop back into a directory being
// walked. Symlinks to files or directories inside SRC_DIR are followed and
// published under the link's own path.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "origin-sync/result.h"

namespace relais {

// Deeper trees are a loop or an accident; no course nests 64 levels.
inline constexpr std::size_t kMaxTreeDepth = 64;
// Bounds the work a symlink maze inside SRC_DIR can cause.
inline constexpr std::size_t kMaxTreeFiles = 4u << 20;

struct SourceFile {
  std::string relative_path;  // the manifest path (valid, '/'-separated)
  std::string open_path;      // what to open: under SRC_DIR, symlinks resolved
};

struct TreeWalk {
  std::vector<SourceFile> files;      // sorted by relative_path, unique
  std::vector<std::string> warnings;  // one line each, without prefix
};

// Config error when root is not a readable directory.
Result<TreeWalk> walk_tree(const std::string& root);

}  // namespace relais
