#include "origin-sync/store_verifier.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

#include "origin-sync/blob_path.h"
#include "origin-sync/manifest.h"
#include "origin-sync/utf8.h"

namespace relais {
namespace {

struct BlobRef {
  Variant variant;
  const std::string* path;  // one manifest path that uses the blob, for the message
};

std::vector<BlobRef> distinct_blobs(const Manifest& m) {
  std::vector<BlobRef> refs;
  std::unordered_set<ContentHash, ContentHashHasher> seen;
  for (const ManifestEntry& e : m.entries) {
    for (const Variant& v : e.variants) {
      if (seen.insert(v.hash).second) refs.push_back({v, &e.path});
    }
  }
  return refs;
}

// Empty when the blob is fine, else the problem.
std::string check_blob(const std::string& store, const BlobRef& ref, std::uint64_t& bytes) {
  const std::string where = "blob " + ref.variant.hash.hex() + " (" + std::string(encoding_name(ref.variant.encoding)) +
                            " of " + escape_for_display(*ref.path) + ")";
  auto digest = hash_file(blob_path(store, ref.variant.hash));
  if (!digest) return where + ": " + digest.error().message;
  bytes += digest->size;
  if (digest->size != ref.variant.size)
    return where + ": size " + std::to_string(digest->size) + ", manifest says " + std::to_string(ref.variant.size);
  if (digest->hash != ref.variant.hash) return where + ": content hashes to " + digest->hash.hex();
  return {};
}

}  // namespace

Result<VerifyReport> verify_store(const std::string& store_dir, unsigned jobs,
                                  const std::function<void(const std::string&)>& report_problem) {
  auto manifest = read_manifest_file(store_dir);
  if (!manifest) return manifest.error();
  const std::vector<BlobRef> refs = distinct_blobs(*manifest);
  VerifyReport report;
  report.files = manifest->entries.size();
  report.blobs = refs.size();
  report.generation = manifest->generation;

  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0}, problems{0};
  std::mutex report_mutex;
  auto worker = [&] {
    std::uint64_t local_bytes = 0;
    for (std::size_t i; (i = next.fetch_add(1)) < refs.size();) {
      std::string problem = check_blob(store_dir, refs[i], local_bytes);
      if (problem.empty()) continue;
      problems.fetch_add(1);
      std::lock_guard lock(report_mutex);
      report_problem(problem);
    }
    bytes.fetch_add(local_bytes);
  };
  const unsigned n = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(std::max<std::size_t>(refs.size(), 1))));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < n; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  report.bytes = bytes.load();
  report.problems = problems.load();
  return report;
}

}  // namespace relais
