#include "origin-sync/blob_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "origin-sync/blob_path.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

namespace fs = std::filesystem;

TEST(BlobWriter, RegularFileOfTheRightSizeIsPresent) {
  ScratchDir dir;
  BlobWriter writer(dir.path());
  ASSERT_TRUE(writer.prepare().ok());
  const std::string bytes = "lecon";
  const ContentHash h = hash_bytes(std::string_view(bytes));
  EXPECT_FALSE(writer.present(h, bytes.size()));
  ASSERT_TRUE(writer.write(h, bytes).ok());
  EXPECT_TRUE(writer.present(h, bytes.size()));
  EXPECT_FALSE(writer.present(h, bytes.size() + 1));
}

// Issue 21, item 8: a blob replaced by a symlink to a file of its size was
// "present", so no sync ever fetched it again, and the edge served the target.
TEST(BlobWriter, SymlinkIsNotAPresentBlobAndIsReplacedByTheBlob) {
  ScratchDir dir;
  BlobWriter writer(dir.path());
  ASSERT_TRUE(writer.prepare().ok());
  const std::string bytes(4096, 'v');
  const ContentHash h = hash_bytes(std::string_view(bytes));
  dir.write("zeros", std::string(bytes.size(), '\0'));
  fs::create_symlink(dir.file("zeros"), blob_path(dir.path(), h));
  EXPECT_FALSE(writer.present(h, bytes.size()));
  Result<bool> written = writer.write(h, bytes);
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_TRUE(written.value());
  EXPECT_FALSE(fs::is_symlink(blob_path(dir.path(), h)));
  EXPECT_EQ(dir.read("zeros"), std::string(bytes.size(), '\0'));  // the target was not written through
}

}  // namespace
}  // namespace relais
