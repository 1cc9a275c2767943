#include "origin-sync/store_pull.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <vector>

#include "origin-sync/atomic_file.h"
#include "origin-sync/blob_writer.h"
#include "origin-sync/manifest.h"

namespace relais {
namespace {

// Hashes and counts what it writes; refuses bytes beyond the expected size
// so a hostile origin cannot fill the disk through one blob.
class VerifyingSink final : public BlobSink {
 public:
  VerifyingSink(AtomicFile& file, std::uint64_t expected_size) : file_(file), expected_size_(expected_size) {}

  Status write(std::string_view chunk) override {
    if (file_.bytes_written() + chunk.size() > expected_size_)
      return Error::origin("blob is larger than the manifest says (" + std::to_string(expected_size_) + " bytes)",
                           /*retry=*/true);
    hasher_.update(chunk.data(), chunk.size());
    return file_.write(chunk);
  }
  ContentHash digest() const { return hasher_.digest(); }

 private:
  AtomicFile& file_;
  std::uint64_t expected_size_;
  ContentHasher hasher_;
};

std::vector<Variant> distinct_variants(const Manifest& m) {
  std::vector<Variant> out;
  std::unordered_set<ContentHash, ContentHashHasher> seen;
  for (const ManifestEntry& e : m.entries) {
    for (const Variant& v : e.variants) {
      if (seen.insert(v.hash).second) out.push_back(v);
    }
  }
  return out;
}

Status fetch_one(BlobFetcher& fetcher, BlobWriter& writer, const Variant& v) {
  auto file = writer.begin(v.hash);
  if (!file) return file.error();
  VerifyingSink sink(*file, v.size);
  if (auto s = fetcher.fetch_blob(v.hash, v.size, sink); !s)
    return Error{s.error().source, s.error().retryable, "blob " + v.hash.hex() + ": " + s.error().message};
  // On failure `file` is dropped here and its temp file unlinked.
  return writer.commit_streamed(*file, v.hash, v.size, sink.digest());
}

std::optional<std::string> current_manifest_bytes(const std::string& store) {
  auto m = read_manifest_file(store);
  if (!m) return std::nullopt;
  return serialize_manifest(*m);
}

}  // namespace

Result<PullReport> pull_into_store(BlobFetcher& fetcher, const std::string& store_dir, unsigned jobs) {
  auto bytes = fetcher.fetch_manifest();
  if (!bytes) return bytes.error();
  auto manifest = parse_manifest(*bytes);
  if (!manifest) return Error::origin(fetcher.describe() + ": " + manifest.error().message, false);
  if (auto s = make_directories(store_dir); !s) return s.error();
  BlobWriter writer(store_dir);
  if (auto s = writer.prepare(); !s) return s.error();

  const std::vector<Variant> blobs = distinct_variants(*manifest);
  PullReport report;
  report.files = manifest->entries.size();
  report.blobs = blobs.size();
  report.generation = manifest->generation;

  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> fetched{0}, fetched_bytes{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < blobs.size();) {
      const Variant& v = blobs[i];
      if (writer.present(v.hash, v.size)) continue;
      if (auto s = fetch_one(fetcher, writer, v); !s) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = s.error();
        failed.store(true);
        return;
      }
      fetched.fetch_add(1);
      fetched_bytes.fetch_add(v.size);
    }
  };
  const unsigned n = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(blobs.size(), 1))));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < n; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (first_error) return *first_error;
  report.blobs_fetched = fetched.load();
  report.bytes_fetched = fetched_bytes.load();

  // All blobs are renamed in; make that durable before the manifest names them.
  if (auto s = writer.sync_directories(); !s) return s.error();
  if (current_manifest_bytes(store_dir) == *bytes) return report;
  if (auto s = write_file_atomically(store_dir + "/" + std::string(kManifestFileName), *bytes); !s) return s.error();
  report.manifest_changed = true;
  return report;
}

}  // namespace relais
