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
//
// With trusted keys, a manifest loads only if it is signed by one of them
// and no older than both the store's newest accepted publication
// (STORE/.publication, written by the pulls) and the one in service: a store
// whose manifest was put back to an older one is refused, also at start-up.
// The publication in service (time, expiry) is readable from any thread for
// /healthz and /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <string_view>

#include "edge/cache/catalog.h"
#include "origin-sync/content_hash.h"
#include "origin-sync/manifest.h"
#include "origin-sync/manifest_pin.h"
#include "origin-sync/publication_state.h"
#include "origin-sync/signing_key.h"
#include "origin-sync/result.h"

namespace relais {

class CatalogLoader {
 public:
  // Null or empty keys: unsigned manifests load.
  CatalogLoader(std::string store, CatalogHolder& holder, std::shared_ptr<const TrustedKeys> keys = nullptr)
      : store_(std::move(store)), holder_(holder), keys_(std::move(keys)) {}

  // The signed publication in service, nothing when unsigned or none loaded.
  struct Publication {
    std::int64_t published = 0;
    std::int64_t expires = 0;
  };
  std::optional<Publication> publication() const;

  // Reads STORE/manifest and publishes it, unless its bytes are those of the
  // manifest already in service.
  Status reload();
  // Removes one path, or every path under a prefix ending in '/', from the
  // catalog in service. Returns how many entries were removed.
  Result<std::size_t> purge(std::string_view path);

 private:
  // Refuses a manifest without a trusted signature or older than the floor.
  Result<std::optional<PublicationStamp>> check_trust(std::string_view bytes) const;

  std::string store_;
  CatalogHolder& holder_;
  std::shared_ptr<const TrustedKeys> keys_;
  std::optional<PublicationState> in_service_;  // under mutex_
  std::atomic<bool> signed_{false};
  std::atomic<std::int64_t> published_{0}, expires_{0};
  std::mutex mutex_;
  std::shared_ptr<const Catalog> loaded_;
  ContentHash digest_;  // of the manifest bytes in service
  ManifestPin pin_;     // holds those bytes' inode in the store
  bool warned_unpinned_ = false;
};

}  // namespace relais
