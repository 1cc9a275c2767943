#include "edge/server/catalog_loader.h"

#include <algorithm>
#include <cstdio>

namespace relais {

Status CatalogLoader::reload() {
  std::string bytes;
  Result<ManifestPin> pin = ManifestPin::take(store_, bytes);
  if (!pin.ok()) return pin.error();
  // A catalog is known by its bytes, not by its generation: a publish into a
  // fresh output directory restarts at generation 1 with other files.
  const ContentHash digest = hash_bytes(bytes);
  std::lock_guard lock(mutex_);
  // The same bytes: nothing new (the pin just taken is dropped, the one held
  // stays), and a purge made since must stick until the manifest changes.
  if (loaded_ && digest == digest_) return {};
  Result<Manifest> manifest = parse_manifest(bytes);
  if (!manifest.ok()) return Error{manifest.error().source, false, store_ + "/manifest: " + manifest.error().message};
  if (!pin->pinned() && !warned_unpinned_) {
    warned_unpinned_ = true;
    std::fprintf(stderr, "relais-edge: %s; blob collectors on %s only have gc-grace to spare the catalog in service\n",
                 pin->unpinned_reason().c_str(), store_.c_str());
  }
  manifest_ = manifest.value();
  digest_ = digest;
  loaded_ = true;
  holder_.publish(Catalog::build(std::move(manifest.value())));
  // After the publish: until then the previous pin covers the previous catalog.
  pin_ = std::move(pin.value());
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
