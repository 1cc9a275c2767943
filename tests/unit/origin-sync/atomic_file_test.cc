#include "origin-sync/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

std::size_t entries_in(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

TEST(AtomicFile, FinalNameAppearsOnlyOnCommit) {
  ScratchDir dir;
  auto file = AtomicFile::create(dir.file("target"));
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_TRUE(file->write("hello ").ok());
  ASSERT_TRUE(file->write("world").ok());
  EXPECT_FALSE(std::filesystem::exists(dir.file("target")));
  EXPECT_EQ(file->bytes_written(), 11u);
  ASSERT_TRUE(file->commit().ok());
  EXPECT_EQ(dir.read("target"), "hello world");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, DroppedWithoutCommitLeavesTheOldFileAndNoTemp) {
  ScratchDir dir;
  dir.write("target", "old");
  {
    auto file = AtomicFile::create(dir.file("target"));
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->write("new but abandoned").ok());
  }
  EXPECT_EQ(dir.read("target"), "old");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, CommitReplacesAnExistingFile) {
  ScratchDir dir;
  dir.write("target", "old");
  ASSERT_TRUE(write_file_atomically(dir.file("target"), "new").ok());
  EXPECT_EQ(dir.read("target"), "new");
}

TEST(AtomicFile, MissingDirectoryIsAStorageErrorNotACrash) {
  auto file = AtomicFile::create("/nonexistent-relais-dir/x");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().source, ErrorSource::storage);
}

TEST(AtomicFile, MakeDirectoriesCreatesParentsAndRefusesAFileInTheWay) {
  ScratchDir dir;
  EXPECT_TRUE(make_directories(dir.file("a/b/c")).ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir.file("a/b/c")));
  EXPECT_TRUE(make_directories(dir.file("a/b/c")).ok());
  dir.write("f", "x");
  EXPECT_FALSE(make_directories(dir.file("f/g")).ok());
}

TEST(AtomicFile, ParentDirectory) {
  EXPECT_EQ(parent_directory("/a/b/c"), "/a/b");
  EXPECT_EQ(parent_directory("/c"), "/");
  EXPECT_EQ(parent_directory("c"), ".");
}

}  // namespace
}  // namespace relais
