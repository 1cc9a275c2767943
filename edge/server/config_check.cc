#include "edge/server/config_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "edge/server/socket_address.h"

namespace relais {
namespace {

struct Bound {
  const char* option;
  SocketAddress address;
};

bool is_wildcard(const SocketAddress& a) {
  if (a.family() == AF_INET) return reinterpret_cast<const sockaddr_in*>(&a.storage)->sin_addr.s_addr == INADDR_ANY;
  return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(&a.storage)->sin6_addr);
}

// Two listeners that cannot both bind: same family and port, and the same
// address or a wildcard. Port 0 (the kernel picks) never collides.
bool collide(const SocketAddress& a, const SocketAddress& b) {
  if (a.family() != b.family() || a.port() != b.port() || a.port() == 0) return false;
  if (is_wildcard(a) || is_wildcard(b)) return true;
  return a.to_string() == b.to_string();
}

// The nearest existing ancestor of a path that does not exist yet.
std::filesystem::path existing_ancestor(std::filesystem::path path) {
  std::error_code ec;
  path = std::filesystem::absolute(path, ec);
  while (path.has_parent_path() && path != path.parent_path() && !std::filesystem::exists(path, ec))
    path = path.parent_path();
  return path;
}

void check_directory(const char* option, const std::string& path, int access_mode, bool may_create,
                     std::vector<Error>& errors) {
  struct stat st{};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) errors.push_back(Error::config(std::string(option) + ": '" + path + "' is not a directory"));
    else if (::access(path.c_str(), access_mode) != 0)
      errors.push_back(Error::config(std::string(option) + ": '" + path + "': " + std::strerror(errno)));
    return;
  }
  if (errno != ENOENT || !may_create) {
    errors.push_back(Error::config(std::string(option) + ": '" + path + "': " + std::strerror(errno)));
    return;
  }
  const std::string ancestor = existing_ancestor(path).string();
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0)
    errors.push_back(Error::config(std::string(option) + ": '" + path + "' does not exist and cannot be created in '" +
                                   ancestor + "': " + std::strerror(errno)));
}

}  // namespace

void check_addresses(const EdgeConfig& c, std::vector<Error>& errors) {
  std::vector<Bound> bound;
  auto add = [&](const char* option, const std::string& text) {
    auto a = parse_socket_address(text);
    if (!a.ok()) {
      errors.push_back(Error::config(std::string(option) + " " + a.error().message));
      return;
    }
    for (const Bound& other : bound) {
      if (collide(other.address, a.value()))
        errors.push_back(Error::config(std::string(option) + " " + text + ": the same address and port as " +
                                       other.option + " " + other.address.to_string()));
    }
    bound.push_back({option, a.value()});
  };
  for (const std::string& text : c.listen) add("--listen", text);
  for (const std::string& text : c.tls_listen) add("--tls-listen", text);
  add("--admin-listen", c.admin_listen);
}

void check_paths(const EdgeConfig& c, std::vector<Error>& errors) {
  // The edge only reads a store it does not sync; a sync writes into it.
  const bool syncs = !c.origin.empty();
  check_directory("--store", c.store, syncs ? R_OK | W_OK | X_OK : R_OK | X_OK, true, errors);
  if (syncs && !c.origin.starts_with("http://") && !c.origin.starts_with("https://"))
    check_directory("--origin", c.origin, R_OK | X_OK, false, errors);
  if (c.access_log != "-" && c.access_log != "off") {
    struct stat st{};
    if (::stat(c.access_log.c_str(), &st) == 0) {
      if (!S_ISREG(st.st_mode)) errors.push_back(Error::config("--access-log: '" + c.access_log + "' is not a regular file"));
      else if (::access(c.access_log.c_str(), W_OK) != 0)
        errors.push_back(Error::config("--access-log: '" + c.access_log + "': " + std::strerror(errno)));
    } else {
      const std::string dir = std::filesystem::path(c.access_log).parent_path().string();
      if (::access(dir.empty() ? "." : dir.c_str(), W_OK | X_OK) != 0)
        errors.push_back(Error::config("--access-log: cannot create '" + c.access_log + "': " + std::strerror(errno)));
    }
  }
}

}  // namespace relais
