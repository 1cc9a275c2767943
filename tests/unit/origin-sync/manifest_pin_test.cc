#include "origin-sync/manifest_pin.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "origin-sync/manifest.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

Manifest one_file(const std::string& bytes) {
  Manifest m;
  m.generation = 1;
  m.entries.push_back({"a.txt", "text/plain", 1, {{Encoding::identity, hash_bytes(bytes), bytes.size()}}});
  return m;
}

std::vector<std::string> pins_in(const std::string& store) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(store))
    if (e.path().filename().string().starts_with(kPinFilePrefix)) out.push_back(e.path().string());
  return out;
}

TEST(ManifestPin, HoldsTheBytesItReadAfterTheManifestIsReplaced) {
  ScratchDir store;
  ASSERT_TRUE(write_manifest_file(store.path(), one_file("v1")).ok());
  std::string bytes;
  auto pin = ManifestPin::take(store.path(), bytes);
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  ASSERT_TRUE(pin->pinned()) << pin->unpinned_reason();
  EXPECT_EQ(bytes, store.read("manifest"));
  auto in_use = pinned_blobs(store.path());
  ASSERT_TRUE(in_use.ok());
  EXPECT_TRUE(in_use->empty());  // the pin is the store's manifest itself: the caller covers it
  ASSERT_TRUE(write_manifest_file(store.path(), one_file("v2")).ok());
  in_use = pinned_blobs(store.path());
  ASSERT_TRUE(in_use.ok()) << in_use.error().message;
  EXPECT_EQ(*in_use, HashSet{hash_bytes("v1")});
  ASSERT_EQ(pins_in(store.path()).size(), 1u);
  pin = ManifestPin();
  EXPECT_TRUE(pins_in(store.path()).empty());
}

TEST(ManifestPin, ADeadEdgesPinIsRemovedAndProtectsNothing) {
  ScratchDir store;
  ASSERT_TRUE(write_manifest_file(store.path(), one_file("v2")).ok());
  store.write(std::string(kPinFilePrefix) + "999999.0", serialize_manifest(one_file("v1")));  // nobody locks it
  auto in_use = pinned_blobs(store.path());
  ASSERT_TRUE(in_use.ok()) << in_use.error().message;
  EXPECT_TRUE(in_use->empty());
  EXPECT_TRUE(pins_in(store.path()).empty());
}

TEST(ManifestPin, AStoreWithoutManifestIsAnErrorAndLeavesNoPin) {
  ScratchDir store;
  std::string bytes;
  auto pin = ManifestPin::take(store.path(), bytes);
  ASSERT_FALSE(pin.ok());
  EXPECT_NE(pin.error().message.find("manifest"), std::string::npos);
  EXPECT_TRUE(pins_in(store.path()).empty());
}

TEST(ManifestPin, MovingAPinKeepsOneNameAndReplacingItDropsTheOld) {
  ScratchDir store;
  ASSERT_TRUE(write_manifest_file(store.path(), one_file("v1")).ok());
  std::string bytes;
  auto first = ManifestPin::take(store.path(), bytes);
  ASSERT_TRUE(first.ok());
  ManifestPin held = std::move(first.value());
  ASSERT_TRUE(write_manifest_file(store.path(), one_file("v2")).ok());
  auto second = ManifestPin::take(store.path(), bytes);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(pins_in(store.path()).size(), 2u);
  held = std::move(second.value());
  EXPECT_EQ(pins_in(store.path()).size(), 1u);
  auto in_use = pinned_blobs(store.path());
  ASSERT_TRUE(in_use.ok());
  EXPECT_TRUE(in_use->empty());  // only v2, the store's own manifest, is pinned
}

}  // namespace
}  // namespace relais
