// CatalogLoader: turns the store's manifest into the published Catalog.
//
// Runs off the serving threads (start-up, SIGHUP, the admin thread for a
// purge). Keeps the catalog it last published so a purge can rebuild it
// without that path (it keeps no copy of the manifest: that was as large
// again as the catalog). A manifest that fails to load leaves the current
// catalog in service: a bad publish never takes the edge down.
//
// A catalog is identified by the XXH3-128 of its manifest's bytes, never by
// the generation (a publisher may restart its counter). The manifest in
// service stays pinned in the store (origin-sync/manifest_pin.h) until the
// next one replaces it, so that no blob collector, this edge's sync or a
// `relais-sync pull` by hand, deletes blobs the catalog in service needs.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "edge/cache/catalog.h"
#include "origin-sync/content_hash.h"
#include "origin-sync/manifest.h"
#include "origin-sync/manifest_pin.h"
#include "origin-sync/result.h"

namespace relais {

class CatalogLoader {
 public:
  CatalogLoader(std::string store, CatalogHolder& holder) : store_(std::move(store)), holder_(holder) {}

  // Reads STORE/manifest and publishes it, unless its bytes are those of the
  // manifest already in service.
  Status reload();
  // Removes one path, or every path under a prefix ending in '/', from the
  // catalog in service. Returns how many entries were removed.
  Result<std::size_t> purge(std::string_view path);

 private:
  std::string store_;
  CatalogHolder& holder_;
  std::mutex mutex_;
  std::shared_ptr<const Catalog> loaded_;
  ContentHash digest_;  // of the manifest bytes in service
  ManifestPin pin_;     // holds those bytes' inode in the store
  bool warned_unpinned_ = false;
};

}  // namespace relais
