#include "origin-sync/store_sync.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>

#include "origin-sync/atomic_file.h"
#include "origin-sync/local_pull.h"
#include "origin-sync/manifest_blobs.h"
#include "origin-sync/manifest_pin.h"
#include "origin-sync/publication_state.h"
#include "origin-sync/unique_fd.h"

namespace relais {
namespace {

std::string store_file(const SyncSettings& s, std::string_view name) { return s.store + "/" + std::string(name); }

// flock() is released by the kernel when the process dies, so a kill -9
// never leaves the store locked.
Result<UniqueFd> lock_store(const SyncSettings& s) {
  const std::string path = store_file(s, kSyncLockFileName);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return Error::storage("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Error::storage("another sync is running on " + s.store + " (" + path + " is locked)");
    return Error::storage("cannot lock " + path + ": " + std::strerror(errno));
  }
  return fd;
}

// The ETag recorded for this origin, "" when none applies.
std::string stored_etag(const SyncSettings& s) {
  std::ifstream in(store_file(s, kOriginEtagFileName));
  std::string origin, etag;
  if (!std::getline(in, origin) || !std::getline(in, etag) || origin != s.origin) return {};
  // Without a readable manifest there is nothing the ETag could vouch for.
  std::string text;
  if (!read_manifest_blobs(s.store, text)) return {};
  return etag;
}

// The blobs of STORE/manifest, nothing when it cannot be read. Its text is
// dropped on return: only the blobs stay.
std::optional<ManifestBlobs> store_manifest_blobs(const std::string& store) {
  std::string text;
  auto m = read_manifest_blobs(store, text);
  if (!m) return std::nullopt;
  return std::move(m.value());
}

// Every blob a catalog may need: the manifests live edges serve, `current`
// (the store's manifest, what an edge loads when it starts; null when there
// is none) and `incoming`.
Result<HashSet> blobs_in_use(const SyncSettings& s, const ManifestBlobs* current, const ManifestBlobs* incoming) {
  auto in_use = pinned_blobs(s.store);
  if (!in_use) return in_use.error();
  if (current != nullptr) add_manifest_hashes(*current, *in_use);
  if (incoming != nullptr) add_manifest_hashes(*incoming, *in_use);
  in_use->seal();
  return in_use;
}

void add_gc(GcReport& into, const GcReport& r) {
  into.blobs_removed += r.blobs_removed;
  into.bytes_removed += r.bytes_removed;
  into.temp_files_removed += r.temp_files_removed;
  into.blobs_waiting = r.blobs_waiting;
}

SyncFailure classify_pull_error(const Error& e, const PullReport& r) {
  if (e.source == ErrorSource::storage) return SyncFailure::storage;
  if (e.source == ErrorSource::internal) return SyncFailure::cancelled;
  return r.verification_failed ? SyncFailure::blob_verify : SyncFailure::blob_fetch;
}

struct ManifestFetch {
  std::string bytes;
  std::string etag;
  bool not_modified = false;
};

Result<ManifestFetch> fetch_manifest(const SyncSettings& s, BlobFetcher& fetcher, HttpBlobFetcher* http) {
  ManifestFetch out;
  const std::string etag = http != nullptr ? stored_etag(s) : std::string();
  auto attempt = [&](unsigned) -> Status {
    if (http == nullptr) {
      auto bytes = fetcher.fetch_manifest();
      if (!bytes) return bytes.error();
      out.bytes = std::move(bytes.value());
      return {};
    }
    auto r = http->fetch_manifest_if_changed(etag);
    if (!r) return r.error();
    out.bytes = std::move(r->body);
    out.etag = r->etag;
    out.not_modified = r->not_modified;
    return {};
  };
  auto on_retry = [&](const Error& e, unsigned n) {
    if (s.warn) s.warn("manifest: " + e.message + " (retry " + std::to_string(n) + ")");
  };
  const Sleeper sleep = s.sleep ? s.sleep : Sleeper([&s](std::chrono::milliseconds d) { return cancellable_sleep(s.cancel, d); });
  if (auto st = run_with_retries(s.retry, sleep, default_unit_random, attempt, on_retry); !st) return st.error();
  return out;
}

SyncOutcome fail(SyncOutcome o, SyncFailure f, Error e) {
  o.failure = f;
  o.error = std::move(e);
  return o;
}

std::int64_t unix_now(const SyncSettings& s) { return s.now ? s.now() : static_cast<std::int64_t>(std::time(nullptr)); }

// Step 4: before fetching anything, collect what no catalog needs and check
// that the blobs still to fetch fit. Touches neither STORE/manifest nor the
// blobs of any catalog, so a failure here leaves the catalog in service.
std::optional<SyncOutcome> make_room(const SyncSettings& s, const ManifestBlobs& incoming, std::uint64_t manifest_bytes,
                                     SyncOutcome& o) {
  const FreeSpaceProbe probe = s.free_space ? s.free_space : FreeSpaceProbe(statvfs_free_space);
  auto room = probe(s.store);
  if (!room) return fail(o, SyncFailure::storage, room.error());
  // Collecting changes neither figure: the incoming blobs and their partial files stay.
  const SpaceNeed need = space_needed(s.store, incoming, manifest_bytes, room->block_size);
  // Nothing to fetch (the usual sync of an unchanged manifest): the collection after the pull is enough.
  if (need.blobs == 0 && need.bytes <= room->available) return std::nullopt;
  // A store without a (readable) manifest has no catalog for an edge to load.
  const std::optional<ManifestBlobs> current = store_manifest_blobs(s.store);
  auto in_use = blobs_in_use(s, current ? &*current : nullptr, &incoming);
  if (!in_use) return fail(o, SyncFailure::storage, in_use.error());
  const std::int64_t now = unix_now(s);
  // With the grace period first; then, if the disk is still short, without:
  // what the grace keeps is named by no catalog (not the store's, no live
  // edge's, not the one being pulled), so only a request that looked it up
  // in a catalog swapped out moments ago could still want it, where a
  // wedged sync would cost every request.
  for (std::chrono::seconds grace : {s.gc_grace, std::chrono::seconds(0)}) {
    auto gc = collect_garbage(s.store, *in_use, now, grace);
    if (!gc) return fail(o, SyncFailure::storage, gc.error());
    add_gc(o.gc, *gc);
    room = probe(s.store);
    if (!room) return fail(o, SyncFailure::storage, room.error());
    if (need.bytes <= room->available) return std::nullopt;
  }
  return fail(o, SyncFailure::no_space, not_enough_space(s.store, need, *room));
}

// The trust check of a fetched manifest: a signature by a trusted key, and no
// rollback. `accepted` is what STORE/.publication must say once it is in
// (nothing when it says so already).
struct TrustCheck {
  explicit operator bool() const { return !failure; }
  std::optional<SyncOutcome> failure;
  std::optional<PublicationState> accepted;
};

TrustCheck check_trust(const SyncSettings& s, BlobFetcher& fetcher, const std::string& bytes, SyncOutcome& o) {
  TrustCheck out;
  auto stamp = verify_publication(bytes, *s.trusted_keys);
  if (!stamp) {
    out.failure = fail(o, SyncFailure::untrusted, Error::origin(fetcher.describe() + ": " + stamp.error().message, false));
    return out;
  }
  auto floor = read_publication_state(s.store);
  if (!floor) {
    out.failure = fail(o, SyncFailure::storage, floor.error());
    return out;
  }
  auto order = order_against(*floor, *stamp);
  if (!order) {
    out.failure = fail(o, SyncFailure::rollback, Error::origin(fetcher.describe() + ": " + order.error().message, false));
    return out;
  }
  if (*order == PublicationOrder::newer) out.accepted = PublicationState{stamp->published, stamp->digest};
  return out;
}

SyncOutcome sync_locked(const SyncSettings& s) {
  SyncOutcome o;
  std::unique_ptr<HttpBlobFetcher> http;
  std::unique_ptr<BlobFetcher> local;
  if (is_http_origin(s.origin)) {
    HttpFetchSettings hs = s.http;
    hs.cancel = s.cancel;
    http = std::make_unique<HttpBlobFetcher>(s.origin, hs);
  } else {
    local = std::make_unique<LocalBlobFetcher>(s.origin);
  }
  BlobFetcher& fetcher = http ? static_cast<BlobFetcher&>(*http) : *local;

  auto fetched = fetch_manifest(s, fetcher, http.get());
  if (!fetched) {
    const Error& e = fetched.error();
    return fail(o, e.source == ErrorSource::internal ? SyncFailure::cancelled : SyncFailure::manifest_fetch, e);
  }
  // The blobs of the store's manifest once this sync is done: the incoming
  // one's, or (304) the one in place.
  std::optional<ManifestBlobs> current;
  std::optional<PublicationState> accepted;  // to record once the manifest is in
  if (!fetched->not_modified && s.trusted_keys && !s.trusted_keys->empty()) {
    auto checked = check_trust(s, fetcher, fetched->bytes, o);
    if (!checked) return *checked.failure;
    accepted = checked.accepted;
  }
  if (!fetched->not_modified) {
    // Scanned here, so that a bad manifest is told apart from a failed download.
    auto incoming = scan_manifest_blobs(fetched->bytes);
    if (!incoming)
      return fail(o, SyncFailure::manifest_invalid, Error::origin(fetcher.describe() + ": " + incoming.error().message, false));
    if (auto failed = make_room(s, *incoming, fetched->bytes.size(), o)) return *failed;
    PullOptions po;
    po.jobs = s.jobs;
    po.retry = s.retry;
    po.sleep = s.sleep;
    po.cancel = s.cancel;
    po.progress = s.progress;
    po.warn = s.warn;
    if (auto st = pull_scanned_manifest_into_store(fetcher, fetched->bytes, *incoming, s.store, po, o.pull); !st)
      return fail(o, classify_pull_error(st.error(), o.pull), st.error());
    current = std::move(incoming.value());
    if (accepted) {
      if (auto st = write_publication_state(s.store, *accepted); !st) return fail(o, SyncFailure::storage, st.error());
    }
    if (http) {
      // After the manifest: a crash in between only costs one unconditional fetch.
      if (auto st = write_file_atomically(store_file(s, kOriginEtagFileName), s.origin + "\n" + fetched->etag + "\n"); !st)
        return fail(o, SyncFailure::storage, st.error());
    }
  } else {
    o.not_modified = true;
    std::string text;
    auto in_place = read_manifest_blobs(s.store, text);
    if (!in_place) return fail(o, SyncFailure::storage, in_place.error());
    current = std::move(in_place.value());
    o.pull.files = current->files;
    o.pull.blobs = current->blobs.size();
  }
  fetched->bytes = {};  // the blobs are all the collection needs
  o.pull.generation = current->header.generation;
  auto in_use = blobs_in_use(s, &*current, nullptr);
  if (!in_use) return fail(o, SyncFailure::storage, in_use.error());
  auto gc = collect_garbage(s.store, *in_use, unix_now(s), s.gc_grace);
  if (!gc) return fail(o, SyncFailure::storage, gc.error());
  add_gc(o.gc, *gc);
  return o;
}

}  // namespace

SyncSettings sync_settings(std::string origin, std::string store, unsigned jobs, const SyncLimits& l) {
  SyncSettings s;
  s.origin = std::move(origin);
  s.store = std::move(store);
  s.jobs = jobs;
  s.retry.max_attempts = l.retries + 1;
  s.gc_grace = std::chrono::seconds(l.gc_grace_ms / 1000);
  s.http.connect_timeout = std::chrono::milliseconds(l.connect_timeout_ms);
  s.http.stall_timeout = std::chrono::milliseconds(l.stall_timeout_ms);
  s.http.min_rate = l.min_rate;
  s.http.deadline = std::chrono::milliseconds(l.deadline_ms);
  return s;
}

std::string_view sync_failure_name(SyncFailure f) {
  switch (f) {
    case SyncFailure::none: return "none";
    case SyncFailure::busy: return "busy";
    case SyncFailure::manifest_fetch: return "manifest_fetch";
    case SyncFailure::manifest_invalid: return "manifest_invalid";
    case SyncFailure::blob_fetch: return "blob_fetch";
    case SyncFailure::blob_verify: return "blob_verify";
    case SyncFailure::storage: return "storage";
    case SyncFailure::cancelled: return "cancelled";
    case SyncFailure::no_space: return "no_space";
    case SyncFailure::untrusted: return "untrusted";
    case SyncFailure::rollback: return "rollback";
  }
  return "unknown";
}

SyncOutcome sync_store(const SyncSettings& s) {
  const auto start = std::chrono::steady_clock::now();
  SyncOutcome o;
  if (auto st = make_directories(s.store); !st) {
    o = fail(o, SyncFailure::storage, st.error());
  } else if (auto lock = lock_store(s); !lock) {
    o = fail(o, SyncFailure::busy, lock.error());
  } else {
    remove_stale_temp_files(s.store);
    o = sync_locked(s);
  }  // the lock is released here, after everything the sync wrote
  o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return o;
}

}  // namespace relais
