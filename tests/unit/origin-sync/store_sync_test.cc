#include "origin-sync/store_sync.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "origin-sync/blob_path.h"
#include "origin-sync/blob_writer.h"
#include "origin-sync/manifest.h"
#include "origin-sync/manifest_pin.h"
#include "origin-sync/partial_blob.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

// A directory origin (a publish output) built from path -> bytes.
Manifest publish_into(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files,
                      const std::vector<std::string>& withheld = {}) {
  BlobWriter writer(dir);
  EXPECT_TRUE(writer.prepare().ok());
  Manifest m;
  m.generation = 1;  // every publish here restarts at 1, as into a fresh directory
  for (const auto& [path, bytes] : files) {
    const ContentHash h = hash_bytes(bytes);
    m.entries.push_back({path, "text/plain", 1, {{Encoding::identity, h, bytes.size()}}});
    if (std::find(withheld.begin(), withheld.end(), path) == withheld.end()) {
      EXPECT_TRUE(writer.write(h, bytes).ok());
    }
  }
  EXPECT_TRUE(write_manifest_file(dir, m).ok());
  return m;
}

bool stored(const std::string& store, const std::string& bytes) {
  return std::filesystem::exists(blob_path(store, hash_bytes(bytes)));
}

std::uint64_t bytes_under(const std::string& dir) {
  std::uint64_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) n += e.file_size();
  return n;
}

class StoreSync : public ::testing::Test {
 protected:
  SyncOutcome sync(const std::string& origin, std::chrono::seconds grace = std::chrono::seconds(3600)) {
    SyncSettings s;
    s.origin = origin;
    s.store = store.path();
    s.jobs = 1;
    s.gc_grace = grace;
    s.now = [this] { return now; };
    s.retry = RetryPolicy::none();
    if (capacity > 0) {
      // A disk of `capacity` bytes holding exactly what is under the store.
      s.free_space = [this](const std::string& dir) -> Result<FreeSpace> {
        const std::uint64_t used = bytes_under(dir);
        return FreeSpace{used < capacity ? capacity - used : 0, 1};
      };
    }
    return sync_store(s);
  }

  ScratchDir origin_a, origin_b, store;
  std::int64_t now = 1'000'000;
  std::uint64_t capacity = 0;  // 0: the real statvfs
  const std::string big = std::string(40'000, 'B');
};

TEST_F(StoreSync, AGenerationThatDoesNotFitFailsBeforeAnyFetchAndKeepsTheCatalog) {
  publish_into(origin_a.path(), {{"a.txt", "alpha"}});
  ASSERT_TRUE(sync(origin_a.path()).ok());
  const std::string before = store.read("manifest");
  publish_into(origin_b.path(), {{"a.txt", "alpha"}, {"big.bin", big}});
  capacity = bytes_under(store.path()) + 10'000;
  SyncOutcome o = sync(origin_b.path());
  ASSERT_EQ(o.failure, SyncFailure::no_space);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->message.rfind("not enough space: need ", 0), 0u) << o.error->message;
  EXPECT_NE(o.error->message.find(", have 9.8 KiB in " + store.path()), std::string::npos) << o.error->message;
  EXPECT_EQ(o.error->message.find('\n'), std::string::npos);
  EXPECT_EQ(o.pull.blobs_fetched, 0u);
  EXPECT_EQ(store.read("manifest"), before);
  EXPECT_FALSE(stored(store.path(), big));
  EXPECT_TRUE(stored(store.path(), "alpha"));
}

TEST_F(StoreSync, WhatNoCatalogNeedsIsCollectedBeforeFetchingEvenWhenThePullFails) {
  publish_into(origin_a.path(), {{"a.txt", "alpha"}});
  ASSERT_TRUE(sync(origin_a.path()).ok());
  // Left by a pull that died on a full disk: a blob no manifest names, and a partial download.
  BlobWriter writer(store.path());
  const std::string junk(10'000, 'J');
  ASSERT_TRUE(writer.write(hash_bytes(junk), junk).ok());
  const std::string partial = partial_blob_path(store.path(), hash_bytes(big));
  store.write(partial.substr(store.path().size() + 1), big.substr(0, 1000));
  // The next generation cannot be fetched whole (the origin lacks a blob): it still gets the room.
  publish_into(origin_b.path(), {{"a.txt", "alpha"}, {"b.txt", "beta"}, {"c.txt", "gamma"}}, {"c.txt"});
  SyncOutcome o = sync(origin_b.path());
  ASSERT_EQ(o.failure, SyncFailure::blob_fetch) << (o.error ? o.error->message : "");
  EXPECT_FALSE(std::filesystem::exists(partial));
  EXPECT_EQ(o.gc.temp_files_removed, 1u);
  EXPECT_TRUE(stored(store.path(), junk));  // room enough: the grace period holds
  EXPECT_TRUE(stored(store.path(), "alpha"));
  // Short of room, the grace period yields to what no catalog names: gamma
  // and the new manifest fit only once the junk is gone.
  const std::uint64_t need = 5 + origin_b.read("manifest").size();
  capacity = bytes_under(store.path()) + need - 100;
  o = sync(origin_b.path());
  ASSERT_EQ(o.failure, SyncFailure::blob_fetch) << (o.error ? o.error->message : "");
  EXPECT_FALSE(stored(store.path(), junk));
  EXPECT_TRUE(stored(store.path(), "alpha"));
  EXPECT_TRUE(stored(store.path(), "beta"));  // fetched by the failed pull, needed by the next
  EXPECT_EQ(store.read("manifest"), origin_a.read("manifest"));
}

TEST_F(StoreSync, ASmallerGenerationAfterOneThatDidNotFitGoesThrough) {
  publish_into(origin_a.path(), {{"a.txt", "alpha"}});
  ASSERT_TRUE(sync(origin_a.path()).ok());
  const std::string partial = partial_blob_path(store.path(), hash_bytes(big));
  store.write(partial.substr(store.path().size() + 1), big.substr(0, 30'000));  // ENOSPC half-way
  publish_into(origin_b.path(), {{"a.txt", "alpha"}, {"small.txt", std::string(2'000, 's')}});
  capacity = bytes_under(store.path()) + 1'000;  // fits only once the partial file is gone
  SyncOutcome o = sync(origin_b.path());
  ASSERT_TRUE(o.ok()) << o.error->message;
  EXPECT_EQ(store.read("manifest"), origin_b.read("manifest"));
}

TEST_F(StoreSync, NeverCollectsTheBlobsOfACatalogAnEdgeHoldsPinned) {
  publish_into(origin_a.path(), {{"page.html", "version 1"}});
  ASSERT_TRUE(sync(origin_a.path()).ok());
  std::string bytes;
  auto pin = ManifestPin::take(store.path(), bytes);  // what a running edge does
  ASSERT_TRUE(pin.ok() && pin->pinned()) << (pin.ok() ? pin->unpinned_reason() : pin.error().message);
  publish_into(origin_b.path(), {{"page.html", "version 2"}});
  ASSERT_TRUE(sync(origin_b.path(), std::chrono::seconds(0)).ok());
  EXPECT_TRUE(stored(store.path(), "version 1"));
  EXPECT_TRUE(stored(store.path(), "version 2"));
  pin = ManifestPin();  // the edge reloaded (or stopped)
  ASSERT_TRUE(sync(origin_b.path(), std::chrono::seconds(0)).ok());
  EXPECT_FALSE(stored(store.path(), "version 1"));
  EXPECT_TRUE(stored(store.path(), "version 2"));
}

}  // namespace
}  // namespace relais
