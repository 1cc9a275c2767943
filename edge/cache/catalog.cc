#include "edge/cache/catalog.h"

#include <algorithm>
#include <iterator>
#include <unordered_map>
#include <utility>

#include "origin-sync/assert.h"

namespace relais {

namespace {
constexpr std::string_view kIndexName = "index.html";
// The shortest valid file line of a manifest (see manifest.cc): bounds what a
// lying end line can make the builder reserve.
constexpr std::size_t kMinFileLineBytes = 56;
constexpr std::size_t kMaxContentTypeBytes = 255;

Error refuse(const std::string& what) { return Error::origin("catalog: " + what, /*retry=*/false); }

Error too_many_files(std::uint64_t count) {
  return refuse("the manifest lists " + std::to_string(count) + " files, more than the " +
                std::to_string(kCatalogMaxEntries) + " an edge accepts (kCatalogMaxEntries)");
}
}  // namespace

// Fills a Catalog from a manifest scan (or a Manifest, or another catalog),
// entry by entry: copies each entry's strings and variants into the arena and
// indexes it at once, so nothing per entry outlives the call but the catalog.
class CatalogBuilder final : public ManifestVisitor {
 public:
  // text_bytes: the manifest's size, to bound what a header may reserve.
  explicit CatalogBuilder(std::size_t text_bytes) : text_bytes_(text_bytes), catalog_(new Catalog()) {}

  Status header(const ManifestHeader& h) override {
    if (h.entry_count > kCatalogMaxEntries) return too_many_files(h.entry_count);
    catalog_->generation_ = h.generation;
    catalog_->checksum_ = h.checksum;
    reserve(static_cast<std::size_t>(std::min<std::uint64_t>(h.entry_count, text_bytes_ / kMinFileLineBytes + 1)));
    return {};
  }

  Status entry(const ManifestEntryView& e) override {
    return add(e.path, e.content_type, e.last_modified, e.variants, e.deltas);
  }

  void reserve(std::size_t entries) {
    catalog_->entries_.reserve(entries);
    catalog_->files_ = PathIndex(entries);
  }

  Status add(std::string_view path, std::string_view content_type, std::int64_t last_modified,
             std::span<const Variant> variants, std::span<const DeltaVariant> deltas = {}) {
    if (variants.empty()) return {};  // cannot be served (catalog.h)
    Catalog& c = *catalog_;
    if (c.entries_.size() >= kCatalogMaxEntries) return too_many_files(c.entries_.size() + 1);
    // The parser enforces these; a Manifest built in process is checked too.
    if (path.empty() || path.size() > kManifestMaxPathBytes) return refuse("invalid path");
    if (content_type.size() > kMaxContentTypeBytes) return refuse("content type longer than 255 bytes");
    if (variants.size() > UINT8_MAX) return refuse("too many variants");
    if (deltas.size() > kManifestMaxDeltas) return refuse("too many deltas");

    const auto id = static_cast<std::uint32_t>(c.entries_.size());
    const std::string_view stored = c.arena_.copy(path);
    CatalogEntry e;
    e.path_ = stored.data();
    e.path_size_ = static_cast<std::uint16_t>(stored.size());
    e.content_type_ = intern(content_type).data();
    e.content_type_size_ = static_cast<std::uint8_t>(content_type.size());
    e.variants_ = c.arena_.copy(variants).data();
    e.variant_count_ = static_cast<std::uint8_t>(variants.size());
    e.deltas_ = c.arena_.copy(deltas).data();
    e.delta_count_ = static_cast<std::uint8_t>(deltas.size());
    e.last_modified_ = last_modified;
    c.entries_.push_back(e);

    const auto key_of = [&c](std::uint32_t i) { return c.path_of(i); };
    if (!c.files_.insert(stored, PathIndex::hash(stored), id, key_of)) return {};  // duplicate: first wins
    // Directories shared with the previous path (sorted manifests share
    // most) are in already: only the prefixes past the common part are new.
    std::size_t common = 0;
    while (common < previous_.size() && common < stored.size() && previous_[common] == stored[common]) ++common;
    for (std::size_t slash = stored.find('/'); slash != std::string_view::npos; slash = stored.find('/', slash + 1)) {
      if (slash < common) continue;
      const std::string_view dir = stored.substr(0, slash);
      c.directories_.insert(dir, PathIndex::hash(dir), id, key_of);
    }
    if (c.directories_.size() > kCatalogMaxDirectories)
      return refuse("more than " + std::to_string(kCatalogMaxDirectories) +
                    " directories (kCatalogMaxDirectories)");
    previous_ = stored;
    return {};
  }

  std::shared_ptr<const Catalog> finish() {
    static std::atomic<std::uint64_t> builds{0};
    catalog_->serial_ = builds.fetch_add(1, std::memory_order_relaxed) + 1;
    interned_ = {};
    return std::move(catalog_);
  }

  Catalog& catalog() { return *catalog_; }

 private:
  // One copy per distinct content type: a million entries share a handful.
  std::string_view intern(std::string_view content_type) {
    auto it = interned_.find(content_type);
    if (it != interned_.end()) return it->second;
    const std::string_view stored = catalog_->arena_.copy(content_type);
    interned_.emplace(stored, stored);
    return stored;
  }

  std::size_t text_bytes_;
  std::shared_ptr<Catalog> catalog_;
  std::unordered_map<std::string_view, std::string_view> interned_;
  std::string_view previous_;
};

Result<std::shared_ptr<const Catalog>> Catalog::load(std::string_view manifest_text) {
  CatalogBuilder builder(manifest_text.size());
  if (auto s = scan_manifest(manifest_text, builder); !s) return s.error();
  return builder.finish();
}

Result<std::shared_ptr<const Catalog>> Catalog::from_manifest(const Manifest& manifest) {
  CatalogBuilder builder(manifest.entries.size() * kMinFileLineBytes);
  if (manifest.entries.size() > kCatalogMaxEntries) return too_many_files(manifest.entries.size());
  builder.catalog().generation_ = manifest.generation;
  builder.reserve(manifest.entries.size());
  for (const ManifestEntry& e : manifest.entries) {
    if (auto s = builder.add(e.path, e.content_type, e.last_modified, e.variants, e.deltas); !s) return s.error();
  }
  return builder.finish();
}

std::shared_ptr<const Catalog> Catalog::without(std::string_view path, std::size_t& removed) const {
  const bool prefix = path.ends_with("/");
  CatalogBuilder builder(0);
  builder.catalog().generation_ = generation_;
  builder.catalog().checksum_ = checksum_;
  builder.reserve(entries_.size());
  removed = 0;
  for (const CatalogEntry& e : entries_) {
    if (prefix ? e.path().starts_with(path) : e.path() == path) {
      ++removed;
      continue;
    }
    // Within the bounds this catalog was built under: cannot fail.
    Status s = builder.add(e.path(), e.content_type(), e.last_modified(), e.variants(), e.deltas());
    RELAIS_ASSERT(s.ok());
  }
  return builder.finish();
}

const CatalogEntry* Catalog::find(std::string_view path) const {
  auto id = files_.find(path, [this](std::uint32_t i) { return path_of(i); });
  return id ? &entries_[*id] : nullptr;
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
  return directories_.find(path, [this](std::uint32_t i) { return path_of(i); }).has_value();
}

std::size_t Catalog::memory_bytes() const {
  return arena_.reserved_bytes() + entries_.capacity() * sizeof(CatalogEntry) + files_.memory_bytes() +
         directories_.memory_bytes();
}

EntityTag entity_tag(const CatalogEntry& entry, std::size_t variant) {
  const std::span<const Variant> variants = entry.variants();
  const Variant& v = variants[variant];
  EntityTag tag;
  char* out = tag.text;
  *out++ = '"';
  v.hash.write_hex(out);
  out += ContentHash::kHexLength;
  // Two variants of one entry never share bytes under the manifest rules
  // (a coded variant is strictly smaller, a hash has one size); if a
  // manifest breaks that, keep the tags distinct anyway.
  const bool shared = std::any_of(variants.begin(), variants.end(),
                                  [&](const Variant& other) { return &other != &v && other.hash == v.hash; });
  if (shared) {
    *out++ = '-';
    const std::string_view name = encoding_name(v.encoding);
    out = std::copy(name.begin(), name.end(), out);
  }
  *out++ = '"';
  tag.size = static_cast<std::uint8_t>(out - tag.text);
  return tag;
}

void CatalogHolder::publish(std::shared_ptr<const Catalog> catalog) {
  std::lock_guard<std::mutex> lock(mutex_);
  catalog_.swap(catalog);
  // Bumped under the lock, after the store: a worker that sees the new
  // version and then calls current() gets this catalog or a newer one.
  version_.fetch_add(1, std::memory_order_release);
  // `catalog` now holds the previous snapshot: workers may still hold it,
  // and the last of them must not be the one to free it.
  if (catalog) retired_.push_back(std::move(catalog));
}

std::size_t CatalogHolder::release_retired() {
  std::vector<std::shared_ptr<const Catalog>> unused;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    // use_count() 1: only this list holds it, and no one can take a new
    // reference (current() hands out catalog_ only), so it cannot grow again.
    auto last = std::partition(retired_.begin(), retired_.end(),
                               [](const std::shared_ptr<const Catalog>& c) { return c.use_count() > 1; });
    std::move(last, retired_.end(), std::back_inserter(unused));
    retired_.erase(last, retired_.end());
  }
  return unused.size();  // freed here, outside the lock
}

std::shared_ptr<const Catalog> CatalogHolder::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return catalog_;
}

}  // namespace relais
