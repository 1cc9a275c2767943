#include "edge/server/config_check.h"

#include <unistd.h>

#include "config/path_check.h"
#include "config/site_options.h"
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
  auto note = [&errors](std::optional<std::string> problem) {
    if (problem) errors.push_back(Error::config(*problem));
  };
  // Each site's store and origin (the global ones without [site.*]).
  for (const SiteConfig& site : effective_sites(c)) {
    const std::string prefix = c.sites.empty() ? "--" : "--site." + site.name + ".";
    // The edge only reads a store it does not sync; a sync writes into it.
    const bool syncs = !site.origin.empty();
    note(check_directory((prefix + "store").c_str(), site.store, syncs ? R_OK | W_OK | X_OK : R_OK | X_OK, true));
    if (syncs && !site.origin.starts_with("http://") && !site.origin.starts_with("https://"))
      note(check_directory((prefix + "origin").c_str(), site.origin, R_OK | X_OK, false));
  }
  if (c.access_log != "-" && c.access_log != "off") note(check_appendable_file("--access-log", c.access_log));
}

}  // namespace relais
