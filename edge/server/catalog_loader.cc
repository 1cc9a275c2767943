#include "edge/server/catalog_loader.h"

#include <cstdio>

namespace relais {

Status CatalogLoader::reload() {
  std::string bytes;
  Result<ManifestPin> pin = ManifestPin::take(store_, bytes);
  if (!pin.ok()) return pin.error();
  // A catalog is known by its bytes, not by its generation: a publish into a
  // fresh output directory restarts at generation 1 with other files.
  const ContentHash digest = hash_bytes(bytes);
  // Held throughout: a SIGHUP and the sync reloading at once must not
  // publish out of order (a purge waits for the load; all off the serving threads).
  std::lock_guard lock(mutex_);
  // The same bytes: nothing new (the pin just taken is dropped, the one
  // held stays), and a purge made since must stick until the manifest changes.
  if (loaded_ && digest == digest_) return {};
  auto stamp = check_trust(bytes);
  if (!stamp.ok()) return stamp.error();
  // The text and the catalog being built are the only large things alive
  // here: no Manifest of the whole file is made (catalog.h).
  auto catalog = Catalog::load(bytes);
  if (!catalog.ok()) {
    const Error& e = catalog.error();
    if (e.source == ErrorSource::storage) return e;  // names the file already
    return Error{e.source, false, store_ + "/" + std::string(kManifestFileName) + ": " + e.message};
  }
  // Freed before the swap, while the old catalog is still alive.
  std::string().swap(bytes);
  if (!pin->pinned() && !warned_unpinned_) {
    warned_unpinned_ = true;
    std::fprintf(stderr, "relais-edge: %s; blob collectors on %s only have gc-grace to spare the catalog in service\n",
                 pin->unpinned_reason().c_str(), store_.c_str());
  }
  digest_ = digest;
  loaded_ = *catalog;
  holder_.publish(std::move(catalog.value()));
  // After the publish: until then the previous pin covers the previous catalog.
  pin_ = std::move(pin.value());
  if (stamp.value()) {
    in_service_ = PublicationState{stamp.value()->published, digest};
    expires_.store(stamp.value()->expires);
    published_.store(stamp.value()->published);
  }
  signed_.store(stamp.value().has_value());
  return {};
}

Result<std::optional<PublicationStamp>> CatalogLoader::check_trust(std::string_view bytes) const {
  if (!keys_ || keys_->empty()) return std::optional<PublicationStamp>();
  const std::string manifest = store_ + "/" + std::string(kManifestFileName);
  auto stamp = verify_publication(bytes, *keys_);
  if (!stamp) return Error{ErrorSource::origin, false, manifest + ": " + stamp.error().message};
  auto floor = read_publication_state(store_);
  if (!floor) return floor.error();
  // The pulls keep the file; the catalog in service is a floor of its own
  // (a store edited by hand, or filled by a pull without --trusted-key).
  std::optional<PublicationState> effective = *floor;
  if (in_service_ && (!effective || in_service_->published > effective->published)) effective = in_service_;
  if (auto order = order_against(effective, *stamp); !order) return Error{ErrorSource::origin, false, manifest + ": " + order.error().message};
  return std::optional(*stamp);
}

std::optional<CatalogLoader::Publication> CatalogLoader::publication() const {
  if (!signed_.load()) return std::nullopt;
  return Publication{published_.load(), expires_.load()};
}

Result<std::size_t> CatalogLoader::purge(std::string_view path) {
  if (path.starts_with("/")) path.remove_prefix(1);
  if (path.empty()) return Error::client("purge: empty path");
  std::lock_guard lock(mutex_);
  if (!loaded_) return Error::client("purge: no catalog loaded");
  std::size_t removed = 0;
  auto next = loaded_->without(path, removed);
  if (removed > 0) {
    loaded_ = next;
    holder_.publish(std::move(next));
  }
  return removed;
}

}  // namespace relais
