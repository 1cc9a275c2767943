#include "edge/cache/catalog.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace relais {

namespace {
constexpr std::string_view kIndexName = "index.html";

// RFC 9110 §8.8.3: entity-tag = DQUOTE *etagc DQUOTE. Hex digits are etagc,
// and the variant's hash names its exact bytes, so the tag is strong.
std::string make_etag(const Variant& v, bool hash_shared_with_sibling) {
  std::string tag;
  tag.reserve(ContentHash::kHexLength + 12);
  tag += '"';
  tag += v.hash.hex();
  // Two variants of one entry never share bytes under the manifest rules
  // (a coded variant is strictly smaller); if a manifest breaks that, keep
  // the tags distinct anyway so a cache cannot mix up representations.
  if (hash_shared_with_sibling) {
    tag += '-';
    tag += encoding_name(v.encoding);
  }
  tag += '"';
  return tag;
}

CatalogEntry make_entry(ManifestEntry&& m) {
  CatalogEntry e;
  e.path = std::move(m.path);
  e.content_type = std::move(m.content_type);
  e.last_modified = m.last_modified;
  e.variants = std::move(m.variants);
  e.etags.reserve(e.variants.size());
  for (std::size_t i = 0; i < e.variants.size(); ++i) {
    bool shared = std::any_of(e.variants.begin(), e.variants.end(), [&](const Variant& other) {
      return &other != &e.variants[i] && other.hash == e.variants[i].hash;
    });
    e.etags.push_back(make_etag(e.variants[i], shared));
  }
  return e;
}
}  // namespace

std::size_t Catalog::StringViewHash::operator()(std::string_view s) const noexcept {
  return std::hash<std::string_view>{}(s);
}

std::shared_ptr<const Catalog> Catalog::build(Manifest manifest) {
  static std::atomic<std::uint64_t> builds{0};
  std::shared_ptr<Catalog> catalog(new Catalog());
  catalog->generation_ = manifest.generation;
  catalog->serial_ = builds.fetch_add(1, std::memory_order_relaxed) + 1;
  catalog->entries_.reserve(manifest.entries.size());
  for (ManifestEntry& m : manifest.entries) {
    if (m.variants.empty()) continue;
    catalog->entries_.push_back(make_entry(std::move(m)));
  }
  catalog->index();
  return catalog;
}

// Runs once entries_ is final: the keys are views into the entries' paths.
void Catalog::index() {
  by_path_.reserve(entries_.size());
  for (const CatalogEntry& e : entries_) {
    if (!by_path_.emplace(std::string_view(e.path), &e).second) continue;
    std::string_view path(e.path);
    for (std::size_t slash = path.find('/'); slash != std::string_view::npos;
         slash = path.find('/', slash + 1)) {
      directories_.insert(path.substr(0, slash));
    }
  }
}

const CatalogEntry* Catalog::find(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : it->second;
}

const CatalogEntry* Catalog::find_index(std::string_view dir, std::string_view suffix) const {
  // Built on the stack: no manifest path is longer than kManifestMaxPathBytes,
  // so a longer candidate cannot match and needs no buffer.
  char buffer[kManifestMaxPathBytes];
  const std::size_t size = dir.size() + kIndexName.size() + suffix.size();
  if (size > sizeof buffer) return nullptr;
  char* end = std::copy(dir.begin(), dir.end(), buffer);
  end = std::copy(kIndexName.begin(), kIndexName.end(), end);
  std::copy(suffix.begin(), suffix.end(), end);
  return find(std::string_view(buffer, size));
}

bool Catalog::is_directory(std::string_view path) const {
  return directories_.find(path) != directories_.end();
}

void CatalogHolder::publish(std::shared_ptr<const Catalog> catalog) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    catalog_.swap(catalog);
    // Bumped under the lock, after the store: a worker that sees the new
    // version and then calls current() gets this catalog or a newer one.
    version_.fetch_add(1, std::memory_order_release);
  }
  // `catalog` now holds the previous snapshot; if we held its last reference
  // it is freed here, outside the lock.
}

std::shared_ptr<const Catalog> CatalogHolder::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return catalog_;
}

}  // namespace relais
