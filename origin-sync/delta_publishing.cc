#include "origin-sync/delta_publishing.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <vector>

#include "origin-sync/blob_path.h"
#include "origin-sync/compressor.h"
#include "origin-sync/variant_selection.h"

namespace relais {
namespace {

struct EarlierVersion {
  ContentHash blob;
  std::optional<DictionaryHash> sha256;  // known when it came from a delta record
};

// Newest first: the version `old` published, then the ones its deltas were
// made against; without `current` (a file reverted to an earlier version
// needs no delta against itself) and without repeats.
std::vector<EarlierVersion> earlier_versions(const ManifestEntry& old, const ContentHash& current, unsigned versions) {
  std::vector<EarlierVersion> list;
  const auto add = [&](const ContentHash& blob, std::optional<DictionaryHash> sha) {
    if (list.size() >= versions || blob == current) return;
    if (std::any_of(list.begin(), list.end(), [&](const EarlierVersion& e) { return e.blob == blob; })) return;
    list.push_back({blob, sha});
  };
  add(old.identity().hash, std::nullopt);
  for (const DeltaVariant& d : old.deltas) add(d.dictionary_blob, d.dictionary);
  return list;
}

// The blob's bytes if it is there, within kDeltaMaxBytes and intact.
std::optional<std::string> read_dictionary(const std::string& out_dir, const ContentHash& blob) {
  std::ifstream in(blob_path(out_dir, blob), std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes;
  bytes.resize(kDeltaMaxBytes + 1);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (bytes.size() > kDeltaMaxBytes || hash_bytes(std::string_view(bytes)) != blob) return std::nullopt;
  return bytes;
}

}  // namespace

const ManifestEntry* previous_entry(const Manifest* previous, std::string_view path) {
  if (previous == nullptr) return nullptr;
  auto it = std::lower_bound(previous->entries.begin(), previous->entries.end(), path,
                             [](const ManifestEntry& e, std::string_view p) { return e.path < p; });
  return it != previous->entries.end() && it->path == path ? &*it : nullptr;
}

Result<std::size_t> add_dictionary_deltas(ManifestEntry& entry, std::string_view content, const ManifestEntry* old,
                                          unsigned versions, const std::string& out_dir, BlobWriter& blobs) {
  if (old == nullptr || versions == 0 || content.size() > kDeltaMaxBytes) return std::size_t{0};
  if (old->identity() == entry.identity()) {
    // Unchanged: the same deltas (newest first) whose blobs survive, as many
    // as `versions` allows, keep the manifest byte-identical (a republish of
    // an unchanged tree writes nothing). Dropping them all when the bound
    // shrank lost the file's history for good: the next change found no
    // earlier version but the last.
    for (const DeltaVariant& d : old->deltas) {
      if (entry.deltas.size() == versions) break;
      if (blobs.present(d.hash, d.size)) entry.deltas.push_back(d);
    }
    return std::size_t{0};
  }
  std::uint64_t best = entry.identity().size;
  for (const Variant& v : entry.variants) best = std::min(best, v.size);
  std::size_t computed = 0;
  for (const EarlierVersion& earlier : earlier_versions(*old, entry.identity().hash, versions)) {
    const std::optional<std::string> dictionary = read_dictionary(out_dir, earlier.blob);
    if (!dictionary) continue;
    const DictionaryHash sha = earlier.sha256 ? *earlier.sha256 : dictionary_hash(*dictionary);
    auto delta = make_dictionary_delta(content, *dictionary, sha, kZstdLevel);
    if (!delta) return delta.error();
    ++computed;
    if (!variant_worth_keeping(best, delta->size())) continue;
    const DeltaVariant record{sha, earlier.blob, hash_bytes(std::string_view(*delta)), delta->size()};
    if (auto w = blobs.write(record.hash, *delta); !w) return w.error();
    entry.deltas.push_back(record);
  }
  return computed;
}

}  // namespace relais
