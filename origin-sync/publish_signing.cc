#include "origin-sync/publish_signing.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "origin-sync/blob_path.h"
#include "origin-sync/publication_check.h"

namespace relais {
namespace {

class TrustOnly final : public ManifestVisitor {
 public:
  explicit TrustOnly(ManifestTrust& out) : out_(out) {}
  Status entry(const ManifestEntryView&) override { return {}; }
  Status trust(const ManifestTrust& t) override {
    out_ = t;
    return {};
  }

 private:
  ManifestTrust& out_;
};

bool hash_less(const ContentHash& a, const ContentHash& b) { return a.high != b.high ? a.high < b.high : a.low < b.low; }

}  // namespace

ManifestTrust previous_trust(std::string_view text, const SigningKey& key) {
  ManifestTrust trust;
  TrustOnly visitor(trust);
  if (!scan_manifest(text, visitor) || !trust.is_signed()) return ManifestTrust{};
  // Digests are reused only from what this key vouched for: OUT is served by
  // a plain web server, and whoever can write there could otherwise have the
  // publisher sign SHA-256 values of their choosing.
  if (!verify_publication(text, TrustedKeys({key.public_key()}))) return ManifestTrust{};
  return trust;
}

bool manifest_is_signed(std::string_view text) {
  ManifestTrust trust;
  TrustOnly visitor(trust);
  return scan_manifest(text, visitor) && trust.is_signed();
}

Result<std::string> serialize_signed_manifest(const Manifest& m, const std::string& out_dir, const ManifestTrust& previous,
                                              const SigningKey& key, std::int64_t expires, unsigned jobs) {
  RELAIS_ASSERT(m.minor >= kSignedManifestMinorVersion);
  // Each distinct blob once, sorted: the trailer's order.
  std::vector<BlobSha256> table;
  std::vector<std::uint64_t> sizes;
  {
    std::vector<std::pair<ContentHash, std::uint64_t>> blobs;
    for (const ManifestEntry& e : m.entries) {
      for (const Variant& v : e.variants) blobs.emplace_back(v.hash, v.size);
      for (const DeltaVariant& d : e.deltas) blobs.emplace_back(d.hash, d.size);  // pulled like variants
    }
    std::sort(blobs.begin(), blobs.end(), [](const auto& a, const auto& b) { return hash_less(a.first, b.first); });
    for (const auto& [hash, size] : blobs) {
      if (!table.empty() && table.back().blob == hash) continue;
      table.push_back({hash, {}});
      sizes.push_back(size);
    }
  }
  std::vector<std::size_t> to_read;
  for (std::size_t i = 0; i < table.size(); ++i) {
    const Sha256* known = previous.is_signed() ? previous.sha256_of(table[i].blob) : nullptr;
    if (known != nullptr) table[i].sha256 = *known;
    else to_read.push_back(i);
  }
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (std::size_t k; (k = next.fetch_add(1)) < to_read.size();) {
      const std::size_t i = to_read[k];
      const std::string path = blob_path(out_dir, table[i].blob);
      auto d = digest_file(path, /*with_sha256=*/true);
      std::optional<Error> bad;
      if (!d) bad = d.error();
      else if (d->hash != table[i].blob || d->size != sizes[i]) bad = Error::storage(path + " does not match its name: not signing it");
      if (bad) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = *bad;
        return;
      }
      table[i].sha256 = *d->sha256;
    }
  };
  const unsigned n = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(to_read.size(), 1))));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < n; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (first_error) return *first_error;

  std::string out;
  append_manifest_body(m, out);
  append_signed_trailer(out, table, expires, key);
  append_manifest_end(out, m.entries.size());
  return out;
}

}  // namespace relais
