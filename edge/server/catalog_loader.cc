#include "edge/server/catalog_loader.h"

#include <algorithm>

namespace relais {

Status CatalogLoader::reload() {
  Result<Manifest> manifest = read_manifest_file(store_);
  if (!manifest.ok()) return manifest.error();
  std::lock_guard lock(mutex_);
  // Same generation: nothing new, and a purge made since must stick until
  // the publisher ships a new generation.
  if (loaded_ && manifest->generation == manifest_.generation) return {};
  manifest_ = manifest.value();
  loaded_ = true;
  holder_.publish(Catalog::build(std::move(manifest.value())));
  return {};
}

Result<std::size_t> CatalogLoader::purge(std::string_view path) {
  if (path.starts_with("/")) path.remove_prefix(1);
  if (path.empty()) return Error::client("purge: empty path");
  std::lock_guard lock(mutex_);
  if (!loaded_) return Error::client("purge: no catalog loaded");
  bool prefix = path.ends_with("/");
  auto& entries = manifest_.entries;
  auto first = std::remove_if(entries.begin(), entries.end(), [&](const ManifestEntry& e) {
    return prefix ? std::string_view(e.path).starts_with(path) : e.path == path;
  });
  std::size_t removed = static_cast<std::size_t>(entries.end() - first);
  entries.erase(first, entries.end());
  if (removed > 0) holder_.publish(Catalog::build(manifest_));
  return removed;
}

}  // namespace relais
