#include "origin-sync/tree_walk.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "origin-sync/manifest.h"
#include "origin-sync/utf8.h"

namespace relais {
namespace {

struct DirClose {
  void operator()(DIR* d) const { ::closedir(d); }
};

std::optional<std::string> real_path(const std::string& path) {
  std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
  if (!resolved) return std::nullopt;
  return std::string(resolved.get());
}

bool is_under(const std::string& path, const std::string& root) {
  return path == root || (path.size() > root.size() && path.starts_with(root) &&
                          (root == "/" || path[root.size()] == '/'));
}

class Walker {
 public:
  explicit Walker(std::string root_real) : root_(std::move(root_real)) {}

  void directory(const std::string& real_dir, const std::string& prefix, std::size_t depth) {
    struct stat st {};
    if (::stat(real_dir.c_str(), &st) != 0) return warn(prefix, std::strerror(errno));
    const auto id = std::pair{st.st_dev, st.st_ino};
    if (std::find(ancestors_.begin(), ancestors_.end(), id) != ancestors_.end())
      return warn(prefix, "symlink loop (points back to a directory being walked), not followed");
    if (depth > kMaxTreeDepth) return warn(prefix, "deeper than " + std::to_string(kMaxTreeDepth) + " levels");
    std::unique_ptr<DIR, DirClose> dir(::opendir(real_dir.c_str()));
    if (!dir) return warn(prefix.empty() ? "." : prefix, std::string("cannot read directory: ") + std::strerror(errno));
    std::vector<std::string> names;
    while (dirent* d = ::readdir(dir.get())) {
      const std::string_view name = d->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    dir.reset();
    std::sort(names.begin(), names.end());
    ancestors_.push_back(id);
    for (const auto& name : names) entry(real_dir + "/" + name, prefix.empty() ? name : prefix + "/" + name, depth);
    ancestors_.pop_back();
  }

  TreeWalk take() {
    std::sort(walk_.files.begin(), walk_.files.end(),
              [](const SourceFile& a, const SourceFile& b) { return a.relative_path < b.relative_path; });
    return std::move(walk_);
  }

 private:
  void warn(const std::string& relative, const std::string& why) {
    walk_.warnings.push_back("skipping " + escape_for_display(relative) + ": " + why);
  }

  void entry(const std::string& full, const std::string& relative, std::size_t depth) {
    if (!is_valid_utf8(relative)) return warn(relative, "name is not valid UTF-8");
    if (!is_valid_manifest_path(relative))
      return warn(relative, relative.size() > kManifestMaxPathBytes
                                ? "path longer than " + std::to_string(kManifestMaxPathBytes) + " bytes"
                                : "name cannot be a URL path (control character or backslash)");
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0) return warn(relative, std::strerror(errno));
    std::string target = full;
    if (S_ISLNK(st.st_mode)) {
      auto resolved = real_path(full);
      if (!resolved) {
        return warn(relative, errno == ELOOP ? "symlink loop" : std::string("broken symlink: ") + std::strerror(errno));
      }
      if (!is_under(*resolved, root_)) return warn(relative, "symlink points outside the source directory, not followed");
      target = std::move(*resolved);
      if (::stat(target.c_str(), &st) != 0) return warn(relative, std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) return directory(target, relative, depth + 1);
    if (!S_ISREG(st.st_mode)) return warn(relative, "not a regular file");
    if (walk_.files.size() >= kMaxTreeFiles) return warn(relative, "more than " + std::to_string(kMaxTreeFiles) + " files");
    walk_.files.push_back({relative, std::move(target)});
  }

  std::string root_;
  std::vector<std::pair<dev_t, ino_t>> ancestors_;
  TreeWalk walk_;
};

}  // namespace

Result<TreeWalk> walk_tree(const std::string& root) {
  auto root_real = real_path(root);
  if (!root_real) return Error::config("source directory " + root + ": " + std::strerror(errno));
  struct stat st {};
  if (::stat(root_real->c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error::config("source directory " + root + ": not a directory");
  Walker walker(*root_real);
  walker.directory(*root_real, "", 0);
  return walker.take();
}

}  // namespace relais
