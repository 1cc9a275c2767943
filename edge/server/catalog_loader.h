// CatalogLoader: turns the store's manifest into the published Catalog.
//
// Runs off the serving threads (start-up, SIGHUP, the admin thread for a
// purge). Keeps the catalog it last published so a purge can rebuild it
// without that path (it keeps no copy of the manifest: that was as large
// again as the catalog). A manifest that fails to load leaves the current
// catalog in service: a bad publish never takes the edge down.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "edge/cache/catalog.h"
#include "origin-sync/manifest.h"
#include "origin-sync/result.h"

namespace relais {

class CatalogLoader {
 public:
  CatalogLoader(std::string store, CatalogHolder& holder) : store_(std::move(store)), holder_(holder) {}

  // Reads STORE/manifest and publishes it (unless it is the generation
  // already in service).
  Status reload();
  // Removes one path, or every path under a prefix ending in '/', from the
  // catalog in service. Returns how many entries were removed.
  Result<std::size_t> purge(std::string_view path);

 private:
  std::string store_;
  CatalogHolder& holder_;
  std::mutex mutex_;
  std::shared_ptr<const Catalog> loaded_;
};

}  // namespace relais
