#include "edge/server/catalog_loader.h"

namespace relais {

Status CatalogLoader::reload() {
  // The text and the catalog being built are the only large things alive
  // here: no Manifest of the whole file is made (catalog.h).
  // The text is freed before the swap, while the old catalog is still alive.
  auto catalog = [&]() -> Result<std::shared_ptr<const Catalog>> {
    Result<std::string> text = read_manifest_text(store_);
    if (!text.ok()) return text.error();
    return Catalog::load(*text);
  }();
  if (!catalog.ok()) {
    const Error& e = catalog.error();
    if (e.source == ErrorSource::storage) return e;  // names the file already
    return Error{e.source, false, store_ + "/" + std::string(kManifestFileName) + ": " + e.message};
  }
  std::lock_guard lock(mutex_);
  // Same generation: nothing new, and a purge made since must stick until
  // the publisher ships a new generation.
  if (loaded_ && (*catalog)->generation() == loaded_->generation()) return {};
  loaded_ = *catalog;
  holder_.publish(std::move(catalog.value()));
  return {};
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
