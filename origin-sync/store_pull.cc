#include "origin-sync/store_pull.h"

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "origin-sync/atomic_file.h"
#include "origin-sync/blob_writer.h"
#include "origin-sync/partial_blob.h"
#include "origin-sync/resumable_fetcher.h"

namespace relais {
namespace {

// Feeds a PartialBlob; remembers whether it refused bytes, which marks the
// download as wrong (delete it) rather than interrupted (keep it to resume).
class PartialSink final : public ResumableBlobSink {
 public:
  explicit PartialSink(PartialBlob& blob) : blob_(blob) {}
  Status write(std::string_view chunk) override {
    Status s = blob_.append(chunk);
    if (!s && s.error().source == ErrorSource::origin) oversized_ = true;
    if (s) received_ += chunk.size();
    return s;
  }
  Status restart() override { return blob_.restart(); }
  bool oversized() const { return oversized_; }
  std::uint64_t received() const { return received_; }

 private:
  PartialBlob& blob_;
  bool oversized_ = false;
  std::uint64_t received_ = 0;
};

// Whether the file at `path` holds exactly `bytes`, read in chunks so that a
// large manifest is not held twice.
bool file_holds(const std::string& path, std::string_view bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::vector<char> chunk(1 << 20);
  std::size_t done = 0;
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n == 0) break;
    if (n > bytes.size() - done || bytes.compare(done, n, std::string_view(chunk.data(), n)) != 0) return false;
    done += n;
  }
  return !in.bad() && done == bytes.size();
}

struct AttemptOutcome {
  std::uint64_t bytes = 0;
  bool resumed = false;
  bool rejected = false;  // failed verification: the partial file is gone
};

// One download attempt of one blob, resuming a partial file when it can.
Status fetch_attempt(BlobFetcher& fetcher, const std::string& store, const ManifestBlob& v, const Sha256* sha256,
                     AttemptOutcome& out) {
  auto partial = PartialBlob::open(store, v.hash, v.size, sha256);
  if (!partial) return partial.error();
  if (partial->size() == v.size && v.size > 0) {
    // Fully downloaded by a process that died before the rename: just verify it.
    out.resumed = true;
    if (auto c = partial->commit(); !c) {
      out.rejected = c.error().source == ErrorSource::origin;
      return c;
    }
    return {};
  }
  PartialSink sink(*partial);
  auto* resumable = dynamic_cast<ResumableBlobFetcher*>(&fetcher);
  Status s;
  if (resumable != nullptr && partial->size() > 0) {
    out.resumed = true;
    s = resumable->fetch_blob_from(v.hash, partial->size(), v.size, sink);
  } else {
    if (auto r = partial->restart(); !r) return r;
    s = fetcher.fetch_blob(v.hash, v.size, sink);
  }
  out.bytes += sink.received();
  if (!s) {
    // Interrupted with bytes in hand: keep them for the next attempt.
    if (sink.oversized() || partial->size() == 0) partial->discard();
    out.rejected = sink.oversized();
    return Error{s.error().source, s.error().retryable, "blob " + v.hash.hex() + ": " + s.error().message};
  }
  if (auto c = partial->commit(); !c) {
    out.rejected = c.error().source == ErrorSource::origin;
    return c;
  }
  return {};
}

struct SharedCounters {
  std::atomic<std::uint64_t> fetched{0}, bytes{0}, resumed{0}, rejected{0}, failures{0};
};

Status fetch_with_retries(BlobFetcher& fetcher, const std::string& store, const ManifestBlob& v, const Sha256* sha256,
                          const PullOptions& o, SharedCounters& c, bool& rejected_last) {
  const Sleeper sleep = o.sleep ? o.sleep : Sleeper([&o](std::chrono::milliseconds d) { return cancellable_sleep(o.cancel, d); });
  const UnitRandom random = o.random ? o.random : UnitRandom(default_unit_random);
  auto attempt = [&](unsigned) -> Status {
    AttemptOutcome out;
    Status s = fetch_attempt(fetcher, store, v, sha256, out);
    c.bytes.fetch_add(out.bytes);
    if (out.resumed) c.resumed.fetch_add(1);
    if (out.rejected) c.rejected.fetch_add(1);
    if (!s) c.failures.fetch_add(1);
    rejected_last = out.rejected;
    return s;
  };
  auto on_retry = [&](const Error& e, unsigned n) {
    if (o.warn) o.warn(e.message + " (retry " + std::to_string(n) + " of " + std::to_string(o.retry.max_attempts - 1) + ")");
  };
  return run_with_retries(o.retry, sleep, random, attempt, on_retry);
}

}  // namespace

Status pull_manifest_into_store(BlobFetcher& fetcher, const std::string& bytes, const std::string& store_dir,
                                const PullOptions& o, PullReport& report) {
  auto manifest = scan_manifest_blobs(bytes);
  if (!manifest) return Error::origin(fetcher.describe() + ": " + manifest.error().message, false);
  return pull_scanned_manifest_into_store(fetcher, bytes, *manifest, store_dir, o, report);
}

Status pull_scanned_manifest_into_store(BlobFetcher& fetcher, const std::string& bytes, const ManifestBlobs& manifest,
                                        const std::string& store_dir, const PullOptions& o, PullReport& report) {
  if (auto s = make_directories(store_dir); !s) return s;
  BlobWriter writer(store_dir);
  if (auto s = writer.prepare(); !s) return s;

  report.files = manifest.files;
  report.blobs = manifest.blobs.size();
  report.generation = manifest.header.generation;
  // Indices into manifest.blobs: 4 bytes a blob to fetch.
  std::vector<std::uint32_t> missing;
  std::uint64_t missing_bytes = 0;
  for (std::uint32_t i = 0; i < manifest.blobs.size(); ++i) {
    const ManifestBlob& v = manifest.blobs[i];
    if (writer.present(v.hash, v.size)) continue;
    missing.push_back(i);
    missing_bytes += v.size;
  }
  if (o.progress != nullptr) o.progress->set_totals(missing.size(), missing_bytes);

  SharedCounters c;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  bool verification_failed = false;
  auto worker = [&] {
    for (std::size_t i; !failed.load() && (i = next.fetch_add(1)) < missing.size();) {
      if (o.cancel != nullptr && o.cancel->load()) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = Error::internal("pull cancelled");
        failed.store(true);
        return;
      }
      const ManifestBlob& v = manifest.blobs[missing[i]];
      bool rejected_last = false;
      // A signed manifest's SHA-256 is checked in the pass that checks the XXH3-128.
      const Sha256* sha256 = manifest.trust.is_signed() ? manifest.trust.sha256_of(v.hash) : nullptr;
      if (auto s = fetch_with_retries(fetcher, store_dir, v, sha256, o, c, rejected_last); !s) {
        std::lock_guard lock(error_mutex);
        if (!first_error) {
          first_error = s.error();
          verification_failed = rejected_last;
        }
        failed.store(true);
        return;
      }
      c.fetched.fetch_add(1);
      if (o.progress != nullptr) o.progress->file_done(v.size, v.size);
    }
  };
  const unsigned n = std::max(1u, std::min<unsigned>(o.jobs, static_cast<unsigned>(std::max<std::size_t>(missing.size(), 1))));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < n; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  report.blobs_fetched = c.fetched.load();
  report.bytes_fetched = c.bytes.load();
  report.blobs_resumed = c.resumed.load();
  report.blobs_rejected = c.rejected.load();
  report.fetch_failures = c.failures.load();
  // Blobs renamed in so far stay (they are verified); make them durable either way.
  Status synced = writer.sync_directories();
  if (first_error) {
    report.verification_failed = verification_failed;
    return *first_error;
  }
  if (!synced) return synced;

  // All blobs are in and durable: only now may the manifest name them.
  const std::string manifest_path = store_dir + "/" + std::string(kManifestFileName);
  if (file_holds(manifest_path, bytes)) return {};
  if (auto s = write_file_atomically(manifest_path, bytes); !s) return s;
  report.manifest_changed = true;
  return {};
}

Result<PullReport> pull_into_store(BlobFetcher& fetcher, const std::string& store_dir, unsigned jobs) {
  auto bytes = fetcher.fetch_manifest();
  if (!bytes) return bytes.error();
  PullOptions options;
  options.jobs = jobs;
  PullReport report;
  if (auto s = pull_manifest_into_store(fetcher, *bytes, store_dir, options, report); !s) return s.error();
  return report;
}

}  // namespace relais
