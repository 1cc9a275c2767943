#include "origin-sync/manifest_blobs.h"

#include <algorithm>

namespace relais {
namespace {

// Every variant in manifest order, duplicates included; deduplicated after
// the scan, when the checksum and the sizes have been checked.
class BlobCollector final : public ManifestVisitor {
 public:
  explicit BlobCollector(ManifestBlobs& out) : out_(out) {}
  Status header(const ManifestHeader& h) override {
    out_.header = h;
    return {};
  }
  Status entry(const ManifestEntryView& e) override {
    ++out_.files;
    for (const Variant& v : e.variants)
      out_.blobs.push_back(ManifestBlob{v.hash, v.size, static_cast<std::uint32_t>(e.offset), v.encoding});
    // Deltas are pulled, verified and kept like any variant; the dictionary
    // blobs they name are not: an edge never serves them.
    for (const DeltaVariant& d : e.deltas)
      out_.blobs.push_back(ManifestBlob{d.hash, d.size, static_cast<std::uint32_t>(e.offset), Encoding::identity, true});
    return {};
  }
  Status trust(const ManifestTrust& t) override {
    out_.trust = t;
    return {};
  }

 private:
  ManifestBlobs& out_;
};

// Keeps the first occurrence of each hash, in order: the order pull fetches
// and verify checks in, as when both walked a Manifest. Sorting 4-byte
// indices rather than the blobs keeps the extra memory small.
void keep_first_of_each(std::vector<ManifestBlob>& blobs) {
  std::vector<std::uint32_t> order(blobs.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const ContentHash& x = blobs[a].hash;
    const ContentHash& y = blobs[b].hash;
    if (x.high != y.high) return x.high < y.high;
    if (x.low != y.low) return x.low < y.low;
    return a < b;
  });
  std::vector<bool> keep(blobs.size(), false);
  for (std::size_t i = 0; i < order.size(); ++i)
    keep[order[i]] = i == 0 || !(blobs[order[i]].hash == blobs[order[i - 1]].hash);
  order = {};
  std::size_t out = 0;
  for (std::size_t i = 0; i < blobs.size(); ++i)
    if (keep[i]) blobs[out++] = blobs[i];
  blobs.resize(out);
}

class HashCollector final : public ManifestVisitor {
 public:
  explicit HashCollector(HashSet& into) : into_(into) {}
  Status entry(const ManifestEntryView& e) override {
    for (const Variant& v : e.variants) into_.insert(v.hash);
    for (const DeltaVariant& d : e.deltas) into_.insert(d.hash);
    return {};
  }

 private:
  HashSet& into_;
};

}  // namespace

std::string_view blob_coding_name(const ManifestBlob& blob) {
  return blob.delta ? kDictionaryDeltaEncoding : encoding_name(blob.encoding);
}

Result<ManifestBlobs> scan_manifest_blobs(std::string_view text) {
  ManifestBlobs out;
  BlobCollector collector(out);
  if (auto s = scan_manifest(text, collector); !s) return s.error();
  keep_first_of_each(out.blobs);
  return out;
}

Result<ManifestBlobs> read_manifest_blobs(const std::string& dir, std::string& text) {
  auto read = read_manifest_text(dir);
  if (!read) return read.error();
  text = std::move(read.value());
  auto m = scan_manifest_blobs(text);
  if (!m) return Error{m.error().source, false, dir + "/" + std::string(kManifestFileName) + ": " + m.error().message};
  return m;
}

Status add_manifest_hashes(std::string_view text, HashSet& into) {
  HashCollector collector(into);
  return scan_manifest(text, collector);
}

void add_manifest_hashes(const ManifestBlobs& m, HashSet& into) {
  for (const ManifestBlob& b : m.blobs) into.insert(b.hash);
}

}  // namespace relais
