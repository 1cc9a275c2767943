#include "origin-sync/store_verifier.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "origin-sync/blob_path.h"
#include "origin-sync/manifest_blobs.h"
#include "origin-sync/sha256.h"
#include "origin-sync/utf8.h"

namespace relais {
namespace {

// Empty when the blob is fine, else the problem. `text` is the manifest, for
// the path in the message.
std::string check_blob(const std::string& store, std::string_view text, const ManifestBlob& blob, const Sha256* sha256,
                       std::uint64_t& bytes) {
  const auto where = [&] {
    return "blob " + blob.hash.hex() + " (" + std::string(blob_coding_name(blob)) + " of " +
           escape_for_display(manifest_record_path(text, blob.record)) + ")";
  };
  auto digest = digest_file(blob_path(store, blob.hash), sha256 != nullptr);
  if (!digest) return where() + ": " + digest.error().message;
  bytes += digest->size;
  if (digest->size != blob.size)
    return where() + ": size " + std::to_string(digest->size) + ", manifest says " + std::to_string(blob.size);
  if (digest->hash != blob.hash) return where() + ": content hashes to " + digest->hash.hex();
  if (sha256 != nullptr && *digest->sha256 != *sha256) return where() + ": SHA-256 differs from the signed manifest's";
  return {};
}

}  // namespace

Result<VerifyReport> verify_store(const std::string& store_dir, unsigned jobs,
                                  const std::function<void(const std::string&)>& report_problem,
                                  const TrustedKeys* trusted) {
  std::string text;  // kept for the paths in the messages
  auto manifest = read_manifest_blobs(store_dir, text);
  if (!manifest) return manifest.error();
  const bool check_sha256 = trusted != nullptr && !trusted->empty();
  std::optional<PublicationStamp> stamp;
  if (check_sha256) {
    auto s = verify_publication(text, *trusted);
    if (!s) return Error{s.error().source, false, store_dir + "/" + std::string(kManifestFileName) + ": " + s.error().message};
    stamp = *s;
  }
  const std::vector<ManifestBlob>& refs = manifest->blobs;
  VerifyReport report;
  report.files = manifest->files;
  report.blobs = refs.size();
  report.generation = manifest->header.generation;
  report.publication = stamp;

  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0}, problems{0};
  std::mutex report_mutex;
  auto worker = [&] {
    std::uint64_t local_bytes = 0;
    for (std::size_t i; (i = next.fetch_add(1)) < refs.size();) {
      const Sha256* sha256 = check_sha256 ? manifest->trust.sha256_of(refs[i].hash) : nullptr;
      std::string problem = check_blob(store_dir, text, refs[i], sha256, local_bytes);
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
