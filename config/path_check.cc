#include "config/path_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace relais {
namespace {

std::filesystem::path existing_ancestor(std::filesystem::path path) {
  std::error_code ec;
  path = std::filesystem::absolute(path, ec);
  while (path.has_parent_path() && path != path.parent_path() && !std::filesystem::exists(path, ec))
    path = path.parent_path();
  return path;
}

std::string quoted(const char* option, const std::string& path) { return std::string(option) + ": '" + path + "'"; }

}  // namespace

std::optional<std::string> check_directory(const char* option, const std::string& path, int access_mode, bool may_create) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return quoted(option, path) + " is not a directory";
    if (::access(path.c_str(), access_mode) != 0) return quoted(option, path) + ": " + std::strerror(errno);
    return std::nullopt;
  }
  if (errno != ENOENT || !may_create) return quoted(option, path) + ": " + std::strerror(errno);
  const std::string ancestor = existing_ancestor(path).string();
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0)
    return quoted(option, path) + " does not exist and cannot be created in '" + ancestor + "': " + std::strerror(errno);
  return std::nullopt;
}

std::optional<std::string> check_appendable_file(const char* option, const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode)) return quoted(option, path) + " is not a regular file";
    if (::access(path.c_str(), W_OK) != 0) return quoted(option, path) + ": " + std::strerror(errno);
    return std::nullopt;
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  if (::access(dir.empty() ? "." : dir.c_str(), W_OK | X_OK) != 0)
    return std::string(option) + ": cannot create '" + path + "': " + std::strerror(errno);
  return std::nullopt;
}

}  // namespace relais
