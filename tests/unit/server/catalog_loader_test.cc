#include "edge/server/catalog_loader.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace relais {
namespace {

class CatalogLoaderTest : public ::testing::Test {
 protected:
  CatalogLoaderTest() {
    std::string pattern = "/tmp/relais-unit-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    store = pattern;
  }
  ~CatalogLoaderTest() override {
    std::error_code ec;
    std::filesystem::remove_all(store, ec);
  }
  void write_generation_1(const std::string& a_bytes) {
    Manifest m;
    m.generation = 1;
    for (const char* path : {"a.txt", "b.txt"})
      m.entries.push_back({path, "text/plain", 1, {{Encoding::identity, hash_bytes(a_bytes + path), a_bytes.size()}}});
    ASSERT_TRUE(write_manifest_file(store, m).ok());
  }
  ContentHash served_hash(const char* path) {
    const CatalogEntry* e = holder.current()->find(path);
    return e == nullptr ? ContentHash{} : e->variants().front().hash;
  }

  std::string store;
  CatalogHolder holder;
};

TEST_F(CatalogLoaderTest, ASameGenerationManifestWithOtherBytesReplacesTheCatalog) {
  CatalogLoader loader(store, holder);
  write_generation_1("v1");
  ASSERT_TRUE(loader.reload().ok());
  EXPECT_EQ(served_hash("a.txt"), hash_bytes("v1a.txt"));
  write_generation_1("v2");
  ASSERT_TRUE(loader.reload().ok());
  EXPECT_EQ(holder.version(), 2u);
  EXPECT_EQ(served_hash("a.txt"), hash_bytes("v2a.txt"));
}

TEST_F(CatalogLoaderTest, TheSameBytesAreANoOpSoAPurgeSticks) {
  CatalogLoader loader(store, holder);
  write_generation_1("v1");
  ASSERT_TRUE(loader.reload().ok());
  auto purged = loader.purge("/a.txt");
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1u);
  write_generation_1("v1");  // rewritten with the same bytes: a new file, the same manifest
  ASSERT_TRUE(loader.reload().ok());
  EXPECT_EQ(holder.current()->find("a.txt"), nullptr);
  EXPECT_EQ(holder.version(), 2u);  // the load and the purge, no third catalog
}

TEST_F(CatalogLoaderTest, ABrokenManifestKeepsTheCatalogInService) {
  CatalogLoader loader(store, holder);
  write_generation_1("v1");
  ASSERT_TRUE(loader.reload().ok());
  std::filesystem::remove(store + "/manifest");
  { std::ofstream(store + "/manifest") << "relais-manifest\t1.0\ngarbage\n"; }
  EXPECT_FALSE(loader.reload().ok());
  EXPECT_EQ(served_hash("a.txt"), hash_bytes("v1a.txt"));
}

}  // namespace
}  // namespace relais
