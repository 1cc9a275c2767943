#include "origin-sync/publisher.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "origin-sync/blob_writer.h"
#include "origin-sync/content_type.h"
#include "origin-sync/delta_publishing.h"
#include "origin-sync/manifest.h"
#include "origin-sync/publication_state.h"
#include "origin-sync/publish_signing.h"
#include "origin-sync/tree_walk.h"
#include "origin-sync/unique_fd.h"
#include "origin-sync/utf8.h"
#include "origin-sync/variant_selection.h"

namespace relais {
namespace {

// Read size for files too large to hold in memory (streamed twice: hash, copy).
constexpr std::size_t kStreamChunkBytes = 1u << 20;

std::string errno_text() { return std::strerror(errno); }

// Everything the workers share. Entries of the previous manifest are indexed
// by identity hash so that a moved or renamed file is not recompressed.
struct Context {
  const PublishOptions& options;
  BlobWriter& blobs;
  std::unordered_multimap<ContentHash, const ManifestEntry*, ContentHashHasher> previous;
  const Manifest* previous_manifest = nullptr;  // by path, for the earlier versions of a file
  std::atomic<std::uint64_t> compressed{0}, reused{0};
};

// Outcome of one file: an entry, or skipped (warned), or a fatal OUT error.
using FileOutcome = Result<std::optional<ManifestEntry>>;

Status read_all(int fd, std::string& out, std::uint64_t size) {
  out.resize(size);
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::storage(errno_text());
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  out.resize(done);
  return {};
}

// Streams fd from offset 0 through hasher; optionally into a blob file.
Result<FileDigest> stream(int fd, AtomicFile* sink) {
  std::vector<char> buffer(kStreamChunkBytes);
  ContentHasher hasher;
  FileDigest digest;
  for (;;) {
    ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(digest.size));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::client(errno_text());  // source error: the file is skipped
    if (n == 0) break;
    const std::string_view chunk(buffer.data(), static_cast<std::size_t>(n));
    hasher.update(chunk.data(), chunk.size());
    digest.size += chunk.size();
    if (sink) {
      if (auto s = sink->write(chunk); !s) return s.error();
    }
  }
  digest.hash = hasher.digest();
  return digest;
}

// The previous manifest's variants for this content, if all their blobs are
// still there: then nothing needs compressing.
std::optional<std::vector<Variant>> reusable_variants(Context& ctx, const ManifestEntry& fresh) {
  auto [begin, end] = ctx.previous.equal_range(fresh.identity().hash);
  for (auto it = begin; it != end; ++it) {
    const ManifestEntry& old = *it->second;
    if (old.identity() != fresh.identity() || old.content_type != fresh.content_type) continue;
    bool all_present = true;
    for (std::size_t i = 1; i < old.variants.size() && all_present; ++i)
      all_present = ctx.blobs.present(old.variants[i].hash, old.variants[i].size);
    if (all_present) return std::vector<Variant>(old.variants.begin() + 1, old.variants.end());
  }
  return std::nullopt;
}

// Adds the variants to entry, computing them only when none can be reused.
Status add_variants(Context& ctx, ManifestEntry& entry, std::string_view content, Compressibility c) {
  if (auto reused = reusable_variants(ctx, entry)) {
    entry.variants.insert(entry.variants.end(), reused->begin(), reused->end());
    ctx.reused.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  if (!should_try_variants(c, content)) return {};
  auto built = build_variants(content, c);
  if (!built) return built.error();
  ctx.compressed.fetch_add(1, std::memory_order_relaxed);
  for (const EncodedVariant& v : *built) {
    const Variant variant{v.encoding, hash_bytes(std::string_view(v.bytes)), v.bytes.size()};
    if (auto w = ctx.blobs.write(variant.hash, v.bytes); !w) return w.error();
    entry.variants.push_back(variant);
  }
  return {};
}

// Files above kMaxCompressedInputBytes: identity only, streamed (hash pass,
// then a copy pass that re-hashes to catch a file changed in between).
FileOutcome publish_large(Context& ctx, const SourceFile& file, int fd, ManifestEntry entry) {
  auto digest = stream(fd, nullptr);
  if (!digest) return digest.error();
  entry.variants.push_back({Encoding::identity, digest->hash, digest->size});
  if (ctx.blobs.present(digest->hash, digest->size)) return std::optional(std::move(entry));
  auto blob = ctx.blobs.begin(digest->hash);
  if (!blob) return blob.error();
  auto copied = stream(fd, &blob.value());
  if (!copied) return copied.error();
  if (copied->hash != digest->hash || copied->size != digest->size) {
    ctx.options.warn("skipping " + escape_for_display(file.relative_path) + ": it changed while being published");
    return std::optional<ManifestEntry>();
  }
  if (auto s = ctx.blobs.commit_streamed(*blob, digest->hash, digest->size, copied->hash); !s) return s.error();
  return std::optional(std::move(entry));
}

FileOutcome publish_one(Context& ctx, const SourceFile& file) {
  const auto skip = [&](const std::string& why) -> FileOutcome {
    ctx.options.warn("skipping " + escape_for_display(file.relative_path) + ": " + why);
    return std::optional<ManifestEntry>();
  };
  // O_NONBLOCK: the walk saw a regular file, but a FIFO swapped in since
  // must not block a worker forever.
  UniqueFd fd(::open(file.open_path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return skip("cannot open: " + errno_text());
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return skip("cannot stat: " + errno_text());
  if (!S_ISREG(st.st_mode)) return skip("not a regular file");
  ManifestEntry entry;
  entry.path = file.relative_path;
  entry.last_modified = st.st_mtim.tv_sec;
  const auto size = static_cast<std::uint64_t>(st.st_size);

  if (size > kMaxCompressedInputBytes) {
    std::string head;
    if (auto s = read_all(fd.get(), head, kSniffBytes); !s) return skip("cannot read: " + s.error().message);
    entry.content_type = detect_content_type(file.relative_path, head).content_type;
    auto out = publish_large(ctx, file, fd.get(), std::move(entry));
    if (!out && out.error().source == ErrorSource::client) return skip("cannot read: " + out.error().message);
    return out;
  }
  std::string content;
  if (auto s = read_all(fd.get(), content, size); !s) return skip("cannot read: " + s.error().message);
  const ContentKind kind = detect_content_type(file.relative_path, content);
  entry.content_type = kind.content_type;
  const ContentHash identity = hash_bytes(std::string_view(content));
  entry.variants.push_back({Encoding::identity, identity, content.size()});
  if (auto w = ctx.blobs.write(identity, content); !w) return w.error();
  if (auto s = add_variants(ctx, entry, content, kind.compressibility); !s) return s.error();
  if (kind.compressibility == Compressibility::always) {
    auto d = add_dictionary_deltas(entry, content, previous_entry(ctx.previous_manifest, entry.path),
                                   ctx.options.dictionary_versions, ctx.options.out_dir, ctx.blobs);
    if (!d) return d.error();
  }
  return std::optional(std::move(entry));
}

// Rejects OUT == SRC or OUT inside SRC: the next publish would publish its
// own blobs. OUT may not exist yet, hence weakly_canonical.
Status check_layout(const std::string& src, const std::string& out) {
  std::error_code ec;
  const auto src_real = std::filesystem::canonical(src, ec);
  if (ec) return Error::config("source directory " + src + ": " + ec.message());
  if (!std::filesystem::is_directory(src_real, ec)) return Error::config("source directory " + src + ": not a directory");
  const auto out_real = std::filesystem::weakly_canonical(out, ec);
  if (ec) return Error::config("output directory " + out + ": " + ec.message());
  const auto rel = out_real.lexically_relative(src_real);
  if (!rel.empty() && *rel.begin() != "..")
    return Error::config("output directory " + out + " is inside the source directory " + src);
  return {};
}

// Holds an exclusive flock on OUT for the publisher's lifetime.
Result<UniqueFd> lock_out_dir(const std::string& out) {
  UniqueFd fd(::open(out.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return Error::storage("cannot open output directory " + out + ": " + errno_text());
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
    return Error::storage("output directory " + out + " is locked by another relais-sync publish");
  return fd;
}

// OUT/manifest's text, read once: the earlier versions, the digests a signed
// publish may reuse and whether OUT is signed all come from the same bytes.
std::optional<std::string> previous_manifest_text(const std::string& out, Status& status) {
  struct stat st {};
  const std::string path = out + "/" + std::string(kManifestFileName);
  if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) return std::nullopt;
  auto text = read_manifest_text(out);
  if (!text) {
    status = Error::storage(text.error().message + " (move it away to publish from scratch)");
    return std::nullopt;
  }
  return std::move(text.value());
}

std::optional<Manifest> parse_previous(const std::string& out, const std::optional<std::string>& text, Status& status) {
  if (!text) return std::nullopt;
  auto m = parse_manifest(*text);
  if (!m) {
    status = Error::storage(out + "/" + std::string(kManifestFileName) + ": " + m.error().message +
                            " (move it away to publish from scratch)");
    return std::nullopt;
  }
  return std::move(m.value());
}

// Runs publish_one over all files on `jobs` threads; results keep walk order.
Status run_workers(Context& ctx, const std::vector<SourceFile>& files, std::vector<std::optional<ManifestEntry>>& out) {
  out.resize(files.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::optional<Error> first_error;
  auto worker = [&] {
    for (std::size_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < files.size();) {
      FileOutcome r = publish_one(ctx, files[i]);
      if (!r) {
        std::lock_guard lock(error_mutex);
        if (!first_error) first_error = r.error();
        failed.store(true);
        return;
      }
      out[i] = std::move(r.value());
      if (ctx.options.progress && out[i]) {
        std::uint64_t best = out[i]->identity().size;
        for (const Variant& v : out[i]->variants) best = std::min(best, v.size);
        ctx.options.progress->file_done(out[i]->identity().size, best);
      }
    }
  };
  const unsigned jobs = std::max(1u, std::min<unsigned>(ctx.options.jobs, static_cast<unsigned>(files.size())));
  std::vector<std::thread> threads;
  for (unsigned j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (first_error) return *first_error;
  return {};
}

std::uint64_t total_size(const std::vector<SourceFile>& files) {
  std::uint64_t total = 0;
  for (const auto& f : files) {
    struct stat st {};
    if (::stat(f.open_path.c_str(), &st) == 0) total += static_cast<std::uint64_t>(st.st_size);
  }
  return total;
}

void fill_report(PublishReport& report, const Manifest& manifest) {
  report.files = manifest.entries.size();
  for (const ManifestEntry& e : manifest.entries) {
    report.bytes_in += e.identity().size;
    for (const Variant& v : e.variants) {
      report.variant_files[static_cast<int>(v.encoding)] += 1;
      report.variant_bytes[static_cast<int>(v.encoding)] += v.size;
    }
    report.deltas += e.deltas.size();
    for (const DeltaVariant& d : e.deltas) report.delta_bytes += d.size;
  }
}

}  // namespace

Result<PublishReport> publish(const PublishOptions& options) {
  if (auto s = check_layout(options.source_dir, options.out_dir); !s) return s.error();
  auto walk = walk_tree(options.source_dir);
  if (!walk) return walk.error();
  for (const auto& w : walk->warnings) options.warn(w);
  if (auto s = make_directories(options.out_dir); !s) return s.error();
  auto lock = lock_out_dir(options.out_dir);
  if (!lock) return lock.error();
  Status status;
  const std::optional<std::string> previous_text = previous_manifest_text(options.out_dir, status);
  if (!status) return status.error();
  const std::optional<Manifest> previous = parse_previous(options.out_dir, previous_text, status);
  if (!status) return status.error();
  const ManifestTrust reusable_trust =
      options.sign_key != nullptr && previous_text ? previous_trust(*previous_text, *options.sign_key) : ManifestTrust{};
  const bool was_signed = options.sign_key == nullptr && previous_text && manifest_is_signed(*previous_text);

  BlobWriter blobs(options.out_dir);
  if (auto s = blobs.prepare(); !s) return s.error();
  Context ctx{options, blobs, {}, previous ? &*previous : nullptr, {}, {}};
  if (previous) {
    for (const ManifestEntry& e : previous->entries) ctx.previous.emplace(e.identity().hash, &e);
  }
  if (options.progress) options.progress->set_totals(walk->files.size(), total_size(walk->files));
  std::vector<std::optional<ManifestEntry>> results;
  if (auto s = run_workers(ctx, walk->files, results); !s) return s.error();

  PublishReport report;
  report.skipped = walk->warnings.size();
  Manifest manifest;
  for (auto& r : results) {
    if (r) manifest.entries.push_back(std::move(*r));
    else ++report.skipped;
  }
  report.compressed = ctx.compressed.load();
  report.reused = ctx.reused.load();
  report.blobs_written = blobs.blobs_written();
  fill_report(report, manifest);
  const bool unchanged = previous && previous->entries == manifest.entries && previous->major == kManifestMajorVersion;
  if (unchanged && options.sign_key == nullptr) {
    report.generation = previous->generation;
    return report;  // nothing changed: the manifest is not rewritten
  }
  manifest.generation = previous ? previous->generation + (unchanged ? 0 : 1) : 1;
  manifest.published_at = options.now ? options.now()
                                       : std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch()).count();
  // Blobs first, durably; only then the manifest that names them.
  if (auto s = blobs.sync_directories(); !s) return s.error();
  if (options.sign_key != nullptr) {
    // Edges refuse a publication not later than the one they hold (rollback):
    // two publishes within one second must still be ordered.
    // Not past a previous publication dated beyond what edges accept (a
    // clock once set wrong): carried forward, it would stay refused for ever.
    if (previous && previous->published_at > manifest.published_at + kMaxPublicationAhead)
      options.warn(options.out_dir + "/manifest is dated more than a day ahead of this clock: not carried forward");
    else if (previous)
      manifest.published_at = std::max(manifest.published_at, previous->published_at + 1);
    manifest.minor = kSignedManifestMinorVersion;
    auto text = serialize_signed_manifest(manifest, options.out_dir, reusable_trust, *options.sign_key,
                                          manifest.published_at + options.valid_for_seconds, options.jobs);
    if (!text) return text.error();
    if (auto s = write_file_atomically(options.out_dir + "/" + std::string(kManifestFileName), *text); !s) return s.error();
  } else if (was_signed) {
    // Edges that trust keys would refuse every publication from now on and
    // serve the old one until it expires: say so instead.
    return Error::config("--sign-key: " + options.out_dir +
                         "/manifest is signed; publishing without --sign-key would replace it with an unsigned one "
                         "(remove it first to publish unsigned on purpose)");
  } else if (auto s = write_manifest_file(options.out_dir, manifest); !s) {
    return s.error();
  }
  report.generation = manifest.generation;
  report.manifest_changed = true;
  return report;
}

}  // namespace relais
