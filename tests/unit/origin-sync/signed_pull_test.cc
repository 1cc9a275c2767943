// Pulls with trusted keys: signature, rollback floor, SHA-256 of each blob.
#include <gtest/gtest.h>

#include <filesystem>

#include "origin-sync/blob_path.h"
#include "origin-sync/blob_writer.h"
#include "origin-sync/manifest_blobs.h"
#include "origin-sync/publication_state.h"
#include "origin-sync/publisher.h"
#include "origin-sync/store_sync.h"
#include "tests/unit/origin-sync/scratch_dir.h"
#include "tests/unit/origin-sync/signed_manifest.h"

namespace relais {
namespace {

using test::fixed_key;

class SignedPull : public ::testing::Test {
 protected:
  SignedPull() {
    source.write("index.html", "<html>" + std::string(2000, 'x') + "</html>");
    source.write("sheet.pdf", std::string(5000, 'p'));
  }

  // Publishes `source` into `out` at time `when`, signed by `key` (or unsigned).
  void publish_at(const std::string& out, std::int64_t when, const SigningKey* key) {
    PublishOptions o;
    o.source_dir = source.path();
    o.out_dir = out;
    o.now = [when] { return when; };
    o.sign_key = key;
    o.valid_for_seconds = 3600;
    auto r = publish(o);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  SyncOutcome pull(const std::string& from, std::vector<PublicKey> keys) {
    SyncSettings s;
    s.origin = from;
    s.store = store.path();
    s.jobs = 1;
    s.retry = RetryPolicy::none();
    s.trusted_keys = std::make_shared<const TrustedKeys>(std::move(keys));
    return sync_store(s);
  }

  static void snapshot(const std::string& from, const std::string& to) {
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive | std::filesystem::copy_options::overwrite_existing);
  }

  std::uint64_t generation_in_store() {
    std::string text;
    return read_manifest_blobs(store.path(), text)->header.generation;
  }

  ScratchDir source, origin, old_origin, store;
  const SigningKey key_a = fixed_key(0), key_b = fixed_key(1);
};

TEST_F(SignedPull, AcceptsASignedPublicationAndRecordsItsTimeInTheStore) {
  publish_at(origin.path(), 1000, &key_a);
  const SyncOutcome o = pull(origin.path(), {key_a.public_key()});
  ASSERT_TRUE(o.ok()) << o.error->message;
  auto state = read_publication_state(store.path());
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->published, 1000);
  EXPECT_EQ((*state)->manifest, hash_bytes(store.read("manifest")));
}

TEST_F(SignedPull, RefusesAnUnsignedManifestBeforeFetchingAnyBlob) {
  publish_at(origin.path(), 1000, nullptr);
  const SyncOutcome o = pull(origin.path(), {key_a.public_key()});
  ASSERT_EQ(o.failure, SyncFailure::untrusted);
  EXPECT_NE(o.error->message.find("not signed"), std::string::npos);
  EXPECT_EQ(o.pull.blobs_fetched, 0u);
  EXPECT_FALSE(std::filesystem::exists(store.file("manifest")));
}

TEST_F(SignedPull, RefusesAKeyItDoesNotTrust) {
  publish_at(origin.path(), 1000, &key_b);
  const SyncOutcome o = pull(origin.path(), {key_a.public_key()});
  ASSERT_EQ(o.failure, SyncFailure::untrusted);
  EXPECT_NE(o.error->message.find("not trusted"), std::string::npos);
}

TEST_F(SignedPull, RefusesAnOlderPublicationAlsoInALaterProcess) {
  publish_at(origin.path(), 1000, &key_a);
  snapshot(origin.path(), old_origin.path());
  source.write("new.html", "<p>new lesson</p>");
  publish_at(origin.path(), 2000, &key_a);
  ASSERT_TRUE(pull(origin.path(), {key_a.public_key()}).ok());
  ASSERT_EQ(generation_in_store(), 2u);
  // The old publication is validly signed: only the floor refuses it. Each
  // pull() is a fresh SyncSettings: the floor comes from STORE/.publication.
  const SyncOutcome o = pull(old_origin.path(), {key_a.public_key()});
  ASSERT_EQ(o.failure, SyncFailure::rollback) << (o.error ? o.error->message : "");
  EXPECT_NE(o.error->message.find("rollback refused"), std::string::npos);
  EXPECT_EQ(generation_in_store(), 2u);
  EXPECT_EQ(o.pull.blobs_fetched, 0u);
}

TEST_F(SignedPull, AReplayedPublicationIsANoOp) {
  publish_at(origin.path(), 1000, &key_a);
  ASSERT_TRUE(pull(origin.path(), {key_a.public_key()}).ok());
  const SyncOutcome again = pull(origin.path(), {key_a.public_key()});
  ASSERT_TRUE(again.ok()) << again.error->message;
  EXPECT_FALSE(again.pull.manifest_changed);
  EXPECT_EQ(again.pull.blobs_fetched, 0u);
}

TEST_F(SignedPull, ABlobMatchingItsNameButNotItsSignedSha256NeverBecomesVisible) {
  // What an XXH3-128 collision looks like to the puller: the bytes match the
  // blob's name and size, not the SHA-256 the publisher signed.
  BlobWriter writer(origin.path());
  ASSERT_TRUE(writer.prepare().ok());
  const std::string bytes = "lesson one";
  ASSERT_TRUE(writer.write(hash_bytes(bytes), bytes).ok());
  Manifest m;
  m.generation = 1;
  m.published_at = 1000;
  m.entries.push_back({"a.txt", "text/plain", 1, {{Encoding::identity, hash_bytes(bytes), bytes.size()}}});
  origin.write("manifest", test::sign_manifest(m, key_a, 5000, [](const ContentHash&) { return sha256_bytes("other bytes"); }));
  const SyncOutcome o = pull(origin.path(), {key_a.public_key()});
  ASSERT_EQ(o.failure, SyncFailure::blob_verify) << (o.error ? o.error->message : "");
  EXPECT_NE(o.error->message.find("SHA-256"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(blob_path(store.path(), hash_bytes(bytes))));
  EXPECT_FALSE(std::filesystem::exists(store.file("manifest")));
}

TEST_F(SignedPull, RotationPublishesWithTheNewKeyWhileEdgesTrustBothThenRetiresTheOld) {
  publish_at(origin.path(), 1000, &key_a);
  ASSERT_TRUE(pull(origin.path(), {key_a.public_key(), key_b.public_key()}).ok());
  publish_at(origin.path(), 2000, &key_b);
  ASSERT_TRUE(pull(origin.path(), {key_a.public_key(), key_b.public_key()}).ok());
  // Old key retired on the edges: the new publications still pass...
  publish_at(origin.path(), 3000, &key_b);
  ASSERT_TRUE(pull(origin.path(), {key_b.public_key()}).ok());
  // ...and one signed with the retired key no longer does.
  publish_at(origin.path(), 4000, &key_a);
  EXPECT_EQ(pull(origin.path(), {key_b.public_key()}).failure, SyncFailure::untrusted);
}

TEST_F(SignedPull, ASignedRepublishOfUnchangedContentIsLaterAndKeepsItsGeneration) {
  publish_at(origin.path(), 1000, &key_a);
  publish_at(origin.path(), 1000, &key_a);  // same second: still strictly later
  auto m = parse_manifest(origin.read("manifest"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->generation, 1u);
  EXPECT_EQ(m->published_at, 1001);
}

}  // namespace
}  // namespace relais
