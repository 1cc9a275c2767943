#include "origin-sync/tree_walk.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais {
namespace {

std::vector<std::string> paths(const TreeWalk& w) {
  std::vector<std::string> out;
  for (const auto& f : w.files) out.push_back(f.relative_path);
  return out;
}

bool warned_about(const TreeWalk& w, const std::string& needle) {
  return std::any_of(w.warnings.begin(), w.warnings.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

TEST(TreeWalk, ListsRegularFilesSortedWithRelativePaths) {
  ScratchDir src;
  src.write("b.txt", "b");
  src.write("a/z.css", "z");
  src.write("a/b/c.html", "c");
  src.write("Séance 3 — fractions.pdf", "%PDF");
  auto w = walk_tree(src.path());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(paths(*w), (std::vector<std::string>{"Séance 3 — fractions.pdf", "a/b/c.html", "a/z.css", "b.txt"}));
  EXPECT_TRUE(w->warnings.empty());
}

TEST(TreeWalk, FollowsSymlinksInsideButNotOutsideAndNeverLoops) {
  ScratchDir src, outside;
  src.write("dir/real.txt", "r");
  outside.write("secret", "s");
  ASSERT_EQ(::symlink("real.txt", src.file("dir/link.txt").c_str()), 0);
  ASSERT_EQ(::symlink("dir", src.file("alias").c_str()), 0);
  ASSERT_EQ(::symlink(outside.file("secret").c_str(), src.file("leak").c_str()), 0);
  ASSERT_EQ(::symlink("..", src.file("dir/up").c_str()), 0);
  ASSERT_EQ(::symlink("self", src.file("self").c_str()), 0);
  ASSERT_EQ(::symlink("nowhere", src.file("dangling").c_str()), 0);
  auto w = walk_tree(src.path());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(paths(*w), (std::vector<std::string>{"alias/link.txt", "alias/real.txt", "dir/link.txt", "dir/real.txt"}));
  EXPECT_TRUE(warned_about(*w, "leak: symlink points outside"));
  EXPECT_TRUE(warned_about(*w, "dir/up: symlink loop"));
  EXPECT_TRUE(warned_about(*w, "self: symlink loop"));
  EXPECT_TRUE(warned_about(*w, "dangling: broken symlink"));
}

TEST(TreeWalk, SkipsInvalidNamesAndSpecialFilesWithAWarning) {
  ScratchDir src;
  src.write("ok.txt", "ok");
  src.write("bad\xff.txt", "x");
  src.write("back\\slash.txt", "x");
  src.write("new\nline.txt", "x");
  ASSERT_EQ(::mkfifo(src.file("pipe").c_str(), 0644), 0);
  auto w = walk_tree(src.path());
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(paths(*w), std::vector<std::string>{"ok.txt"});
  EXPECT_TRUE(warned_about(*w, "bad\\xff.txt: name is not valid UTF-8"));
  EXPECT_TRUE(warned_about(*w, "back\\x5cslash.txt"));
  EXPECT_TRUE(warned_about(*w, "new\\x0aline.txt"));
  EXPECT_TRUE(warned_about(*w, "pipe: not a regular file"));
  for (const auto& line : w->warnings) EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(TreeWalk, MissingRootIsAConfigError) {
  auto w = walk_tree("/nonexistent-relais-src");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().source, ErrorSource::config);
}

}  // namespace
}  // namespace relais
