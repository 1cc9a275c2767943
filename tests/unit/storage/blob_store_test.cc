#include "edge/storage/blob_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "origin-sync/blob_path.h"

namespace relais {
namespace {

namespace fs = std::filesystem;

// A store directory under $TMPDIR, removed at the end of each test.
class TempStore : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "relais-blob-store-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
  }
  void TearDown() override { fs::remove_all(root_); }

  // Writes bytes where the pull would have put them; returns their hash.
  ContentHash put(const std::string& bytes) {
    ContentHash h = hash_bytes(std::string_view(bytes));
    write_at(h, bytes);
    return h;
  }
  void write_at(const ContentHash& h, const std::string& bytes) {
    fs::path p = blob_path(root_, h);
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
  }
  static std::string read_fd(const FileRef& f) {
    std::string out(f->size, '\0');
    EXPECT_EQ(::pread(f->fd.get(), out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
    return out;
  }

  std::string root_;
};

using BlobStoreTest = TempStore;

TEST_F(BlobStoreTest, OpenAndReadVerifiedReturnTheBlob) {
  const std::string body = "<h1>Les fractions</h1>";
  ContentHash h = put(body);
  BlobStore store(root_, 8);
  Result<FileRef> file = store.open(h, body.size());
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file.value()->size, body.size());
  EXPECT_EQ(read_fd(file.value()), body);
  Result<std::string> bytes = store.read_verified(h, body.size());
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(bytes.value(), body);
}

TEST_F(BlobStoreTest, SecondOpenReusesTheCachedFd) {
  const std::string body = "exercice";
  ContentHash h = put(body);
  BlobStore store(root_, 8);
  Result<FileRef> a = store.open(h, body.size());
  Result<FileRef> b = store.open(h, body.size());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().get(), b.value().get());
  EXPECT_EQ(store.open_files(), 1u);
}

TEST_F(BlobStoreTest, TruncatedBlobIsRefusedAndNotCached) {
  const std::string body(4096, 'v');
  ContentHash h = put(body);
  fs::resize_file(blob_path(root_, h), 1000);
  BlobStore store(root_, 8);
  Result<FileRef> file = store.open(h, body.size());
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().source, ErrorSource::storage);
  EXPECT_NE(file.error().message.find(blob_path(root_, h)), std::string::npos) << file.error().message;
  EXPECT_EQ(store.open_files(), 0u);
  EXPECT_FALSE(store.read_verified(h, body.size()).ok());
}

TEST_F(BlobStoreTest, CachedFdWithOtherSizeIsRefused) {
  const std::string body = "abc";
  ContentHash h = put(body);
  BlobStore store(root_, 8);
  ASSERT_TRUE(store.open(h, 3).ok());
  EXPECT_FALSE(store.open(h, 4).ok());  // a manifest that disagrees with the file
}

TEST_F(BlobStoreTest, FlippedByteIsRefusedByReadVerified) {
  std::string body(10'000, 'p');
  ContentHash h = put(body);
  body[5000] ^= 0x01;
  write_at(h, body);  // same size, other bytes: bit rot
  BlobStore store(root_, 8);
  ASSERT_TRUE(store.open(h, body.size()).ok());  // size alone cannot tell
  Result<std::string> bytes = store.read_verified(h, body.size());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().source, ErrorSource::storage);
  EXPECT_NE(bytes.error().message.find("corrupt"), std::string::npos) << bytes.error().message;
  EXPECT_EQ(store.open_files(), 0u);  // the bad fd is not kept for sendfile
}

TEST_F(BlobStoreTest, MissingBlobIsAStorageErrorNamingThePath) {
  BlobStore store(root_, 8);
  ContentHash h{0x0123456789abcdefull, 0xfedcba9876543210ull};
  Result<FileRef> file = store.open(h, 10);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().source, ErrorSource::storage);
  EXPECT_NE(file.error().message.find(blob_path(root_, h)), std::string::npos) << file.error().message;
  Result<std::string> bytes = store.read_verified(h, 10);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.error().message.find(h.hex()), std::string::npos);
}

TEST_F(BlobStoreTest, DirectoryInPlaceOfABlobIsRefused) {
  ContentHash h{1, 2};
  fs::create_directories(blob_path(root_, h));
  BlobStore store(root_, 8);
  EXPECT_FALSE(store.open(h, 0).ok());
}

TEST_F(BlobStoreTest, FdCacheIsBoundedAndEvictedFileRefStaysReadable) {
  constexpr std::size_t kMaxOpen = 3;
  BlobStore store(root_, kMaxOpen);
  std::vector<ContentHash> hashes;
  std::vector<std::string> bodies;
  for (int i = 0; i < 10; ++i) {
    bodies.push_back("blob number " + std::to_string(i) + std::string(100 * i, 'x'));
    hashes.push_back(put(bodies.back()));
  }
  Result<FileRef> first = store.open(hashes[0], bodies[0].size());
  ASSERT_TRUE(first.ok());
  for (int i = 1; i < 10; ++i) {
    ASSERT_TRUE(store.open(hashes[i], bodies[i].size()).ok());
    ASSERT_LE(store.open_files(), kMaxOpen);
  }
  EXPECT_EQ(store.open_files(), kMaxOpen);
  // Evicted from the cache while a response still sends from it.
  EXPECT_EQ(read_fd(first.value()), bodies[0]);
  Result<FileRef> again = store.open(hashes[0], bodies[0].size());
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again.value().get(), first.value().get());
}

TEST_F(BlobStoreTest, LeastRecentlyUsedFdIsTheOneClosed) {
  BlobStore store(root_, 2);
  ContentHash a = put("a"), b = put("bb"), c = put("ccc");
  Result<FileRef> fa = store.open(a, 1);
  ASSERT_TRUE(fa.ok());
  ASSERT_TRUE(store.open(b, 2).ok());
  ASSERT_TRUE(store.open(a, 1).ok());  // a is now the most recent
  ASSERT_TRUE(store.open(c, 3).ok());  // evicts b
  Result<FileRef> fa2 = store.open(a, 1);
  ASSERT_TRUE(fa2.ok());
  EXPECT_EQ(fa2.value().get(), fa.value().get());
}

TEST_F(BlobStoreTest, ReadVerifiedDoesNotFillTheFdCache) {
  ContentHash h = put("page");
  BlobStore store(root_, 4);
  ASSERT_TRUE(store.read_verified(h, 4).ok());
  EXPECT_EQ(store.open_files(), 0u);
}

TEST_F(BlobStoreTest, EmptyBlobOpensAndVerifies) {
  ContentHash h = put("");
  BlobStore store(root_, 4);
  Result<FileRef> file = store.open(h, 0);
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file.value()->size, 0u);
  Result<std::string> bytes = store.read_verified(h, 0);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_TRUE(bytes.value().empty());
}

TEST_F(BlobStoreTest, ForgetClosesTheCachedFdButNotAHeldOne) {
  ContentHash h = put("video chunk");
  BlobStore store(root_, 4);
  Result<FileRef> file = store.open(h, 11);
  ASSERT_TRUE(file.ok());
  store.forget(h);
  EXPECT_EQ(store.open_files(), 0u);
  EXPECT_EQ(read_fd(file.value()), "video chunk");
}

TEST_F(BlobStoreTest, ZeroFdBudgetStillServes) {
  ContentHash h = put("x");
  BlobStore store(root_, 0);
  Result<FileRef> file = store.open(h, 1);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(store.open_files(), 0u);
  EXPECT_EQ(read_fd(file.value()), "x");
}


// Issue 21, item 8: a blob replaced by a symlink to a file of the right size
// was followed and served with the original ETag.
TEST_F(BlobStoreTest, SymlinkInPlaceOfABlobIsRefusedNotFollowed) {
  const std::string body(2 << 20, 'v');
  ContentHash h = put(body);
  const std::string zeros = root_ + "/zeros";
  std::ofstream(zeros, std::ios::binary) << std::string(body.size(), '\0');
  fs::remove(blob_path(root_, h));
  fs::create_symlink(zeros, blob_path(root_, h));
  BlobStore store(root_, 8);
  Result<FileRef> file = store.open(h, body.size());
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("symbolic link"), std::string::npos) << file.error().message;
  EXPECT_FALSE(store.read_verified(h, body.size()).ok());
  EXPECT_EQ(store.stats().refused, 2u);
  EXPECT_EQ(store.open_files(), 0u);
}

TEST_F(BlobStoreTest, SymlinkEvenToTheRightBytesIsRefused) {
  const std::string body = "page";
  ContentHash h = put(body);
  const std::string copy = root_ + "/copy";
  fs::copy_file(blob_path(root_, h), copy);
  fs::remove(blob_path(root_, h));
  fs::create_symlink(copy, blob_path(root_, h));
  BlobStore store(root_, 8);
  EXPECT_FALSE(store.open(h, body.size()).ok());
}

// O_NONBLOCK: open() of a FIFO without a writer would block the worker for ever.
TEST_F(BlobStoreTest, FifoInPlaceOfABlobIsRefusedWithoutBlocking) {
  ContentHash h = put("x");
  fs::remove(blob_path(root_, h));
  ASSERT_EQ(::mkfifo(blob_path(root_, h).c_str(), 0600), 0);
  BlobStore store(root_, 8);
  Result<FileRef> file = store.open(h, 1);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("not a regular file"), std::string::npos) << file.error().message;
  EXPECT_EQ(store.stats().refused, 1u);
}

TEST_F(BlobStoreTest, FileOwnedBySomeoneElseIsRefused) {
  ContentHash h = put("devoir");
  const uid_t me = ::geteuid();
  BlobStore store(root_, 8, nullptr, BlobOwners{me + 1, me + 2});
  Result<FileRef> file = store.open(h, 6);
  ASSERT_FALSE(file.ok());
  EXPECT_NE(file.error().message.find("owned by uid"), std::string::npos) << file.error().message;
  BlobStore mine(root_, 8, nullptr, BlobOwners{me + 1, me});
  EXPECT_TRUE(mine.open(h, 6).ok());
}

// Issue 21, item 7: the size checked was the one recorded at open, so a blob
// truncated under the cached fd was served with a Content-Length it could not meet.
TEST_F(BlobStoreTest, BlobTruncatedUnderTheCachedFdIsRefusedAndDropped) {
  const std::string body(2 << 20, 'w');
  ContentHash h = put(body);
  BlobStore store(root_, 8);
  ASSERT_TRUE(store.open(h, body.size()).ok());
  fs::resize_file(blob_path(root_, h), 1'000'000);
  Result<FileRef> again = store.open(h, body.size());
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("truncated"), std::string::npos) << again.error().message;
  EXPECT_EQ(store.open_files(), 0u);
  EXPECT_EQ(store.stats().short_files, 1u);
}

TEST_F(BlobStoreTest, BlobReplacedUnderTheCachedFdIsOpenedAgain) {
  const std::string body = "version une";
  ContentHash h = put(body);
  BlobStore store(root_, 8);
  Result<FileRef> first = store.open(h, body.size());
  ASSERT_TRUE(first.ok());
  // What a sync does: a new file renamed over the old one.
  const std::string temp = root_ + "/temp";
  std::ofstream(temp, std::ios::binary) << body;
  fs::rename(temp, blob_path(root_, h));
  Result<FileRef> second = store.open(h, body.size());
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_NE(second.value().get(), first.value().get());
  EXPECT_FALSE(second.value()->identity == first.value()->identity);
  // Removed (collected, or by the re-hasher): the cached fd goes too.
  fs::remove(blob_path(root_, h));
  EXPECT_FALSE(store.open(h, body.size()).ok());
  EXPECT_EQ(store.open_files(), 0u);
}

TEST_F(BlobStoreTest, ShortFileReportDropsThatFdOnly) {
  ContentHash h = put("video");
  BlobStore store(root_, 8);
  Result<FileRef> a = store.open(h, 5);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.value()->hash, h);
  store.short_file(*a.value());
  EXPECT_EQ(store.open_files(), 0u);
  EXPECT_EQ(store.stats().short_files, 1u);
  Result<FileRef> b = store.open(h, 5);
  ASSERT_TRUE(b.ok());
  store.short_file(*a.value());  // late report about the old fd
  EXPECT_EQ(store.open_files(), 1u);
  Result<FileRef> c = store.open(h, 5);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.value().get(), b.value().get());
}

TEST_F(BlobStoreTest, ShortFileReportForgetsTheVerifiedBlob) {
  ContentHash h = put("page");
  BlobStore store(root_, 8);
  ASSERT_TRUE(store.read_verified(h, 4).ok());
  Result<FileRef> f = store.open(h, 4);
  ASSERT_TRUE(f.ok());
  store.short_file(*f.value());
  EXPECT_FALSE(store.verified(h));
}

TEST_F(BlobStoreTest, QuarantinedFileIsRefusedUntilReplaced) {
  const std::string body = "corrompu";
  ContentHash h = put(body);
  BlobQuarantine quarantine;
  BlobStore store(root_, 8, &quarantine);
  Result<FileRef> cached = store.open(h, body.size());
  ASSERT_TRUE(cached.ok());
  ASSERT_TRUE(quarantine.add(h, cached.value()->identity));
  Result<FileRef> refused = store.open(h, body.size());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("corrupt"), std::string::npos) << refused.error().message;
  EXPECT_EQ(store.open_files(), 0u);
  EXPECT_FALSE(store.read_verified(h, body.size()).ok());
  // A sync writes a good copy: another inode, served again.
  const std::string temp = root_ + "/temp";
  std::ofstream(temp, std::ios::binary) << body;
  fs::rename(temp, blob_path(root_, h));
  EXPECT_TRUE(store.open(h, body.size()).ok());
}

}  // namespace
}  // namespace relais
