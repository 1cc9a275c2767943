// The disk tier of pulled objects (pulled_disk.h) on a real directory: an
// object written by the writer thread is loaded again, also after a reopen;
// a cut or tampered file is never returned and is removed; the files stay
// within the bound; a purge deletes them; a second opener is refused.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "edge/pull/pulled_disk.h"
#include "edge/pull/pulled_response.h"
#include "tests/unit/origin-sync/scratch_dir.h"

namespace relais::pull {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

PulledRef object(const std::string& body) {
  auto o = std::make_shared<PulledObject>();
  o->status = 200;
  o->fields = {{"Cache-Control", "max-age=60"}, {"Content-Type", "text/plain"}};
  o->stored.times = {kNow, kNow};
  o->stored.facts = freshness::read_response_facts(200, field_views(o->fields), kNow);
  auto bytes = std::make_shared<MemoryObject>();
  bytes->bytes = body;
  o->body = bytes;
  return o;
}

std::vector<std::filesystem::path> files(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

std::uint64_t dir_bytes(const std::string& dir) {
  std::uint64_t n = 0;
  for (const auto& p : files(dir)) n += std::filesystem::file_size(p);
  return n;
}

class PulledDiskTest : public ::testing::Test {
 protected:
  std::unique_ptr<PulledDisk> open(std::uint64_t capacity = 1 << 20) {
    PulledDiskSettings s;
    s.dir = scratch_.file("pulled");
    s.capacity_bytes = capacity;
    auto disk = PulledDisk::open(s);
    EXPECT_TRUE(disk.ok()) << (disk.ok() ? "" : disk.error().message);
    return disk.ok() ? std::move(disk.value()) : nullptr;
  }
  std::string dir() const { return scratch_.file("pulled"); }

  ScratchDir scratch_;
};

TEST_F(PulledDiskTest, WrittenObjectIsLoadedAgainAlsoAfterAReopen) {
  const std::string body(100'000, 'b');
  {
    auto disk = open();
    ASSERT_TRUE(disk);
    EXPECT_EQ(disk->load("0 /a", {}), nullptr);
    disk->store("0 /a", object(body));
    disk->flush();
    const PulledRef back = disk->load("0 /a", {});
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->body->bytes, body);
    EXPECT_EQ(disk->stats().objects.load(), 1u);
    EXPECT_EQ(disk->stats().used_bytes.load(), dir_bytes(dir()));
  }
  // A temp file a crash left, and a file that is not ours.
  scratch_.write("pulled/.tmp.0123", "half");
  scratch_.write("pulled/README", "not ours");
  auto disk = open();
  ASSERT_TRUE(disk);
  EXPECT_EQ(disk->scan().objects, 1u);
  EXPECT_EQ(disk->scan().removed, 1u);
  EXPECT_TRUE(std::filesystem::exists(scratch_.file("pulled/README")));
  const PulledRef back = disk->load("0 /a", {});
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->body->bytes, body);
  EXPECT_EQ(back->stored.facts.directives.max_age, 60);
  EXPECT_EQ(disk->stats().hits.load(), 1u);
}

// A file cut short is refused by its size at the scan; one with a flipped
// body byte (same size) by its checksum at load. Neither is ever returned,
// both files are gone.
// A worker whose copy went stale learns, without a read, that another worker
// stored a newer response (queued or written); and load() finds an object
// still queued for the writer.
TEST_F(PulledDiskTest, NewerTellsARefreshByAnotherWorkerQueuedOrWritten) {
  auto disk = open();
  auto at = [](std::int64_t t) {
    auto o = std::make_shared<PulledObject>(*object("body"));
    o->stored.times.response_time = t;
    return PulledRef(o);
  };
  disk->store("0 /n", at(100));
  EXPECT_TRUE(disk->newer("0 /n", "", 50));  // queued or written: either answers
  EXPECT_NE(disk->load("0 /n", {}), nullptr);
  disk->flush();
  EXPECT_TRUE(disk->newer("0 /n", "", 99));
  EXPECT_FALSE(disk->newer("0 /n", "", 100));
  EXPECT_FALSE(disk->newer("0 /other", "", 0));
  disk->store("0 /n", at(200));
  disk->flush();
  EXPECT_TRUE(disk->newer("0 /n", "", 150));
}

TEST_F(PulledDiskTest, CutOrTamperedFilesAreNeverReturned) {
  {
    auto disk = open();
    disk->store("0 /cut", object(std::string(5000, 'c')));
    disk->store("0 /flip", object(std::string(5000, 'f')));
    disk->flush();
  }
  const ContentHash cut = PulledDiskIndex::key_of("0 /cut", "");
  const ContentHash flip = PulledDiskIndex::key_of("0 /flip", "");
  const std::string cut_path = dir() + "/" + cut.hex() + ".pull";
  const std::string flip_path = dir() + "/" + flip.hex() + ".pull";
  std::filesystem::resize_file(cut_path, 4000);
  {
    std::fstream f(flip_path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-10, std::ios::end);
    f.put('X');
  }
  auto disk = open();
  EXPECT_EQ(disk->scan().objects, 1u);  // the cut one removed at once
  EXPECT_FALSE(std::filesystem::exists(cut_path));
  EXPECT_EQ(disk->load("0 /cut", {}), nullptr);
  EXPECT_EQ(disk->load("0 /flip", {}), nullptr);
  EXPECT_EQ(disk->stats().rejected.load(), 1u);
  EXPECT_FALSE(std::filesystem::exists(flip_path));
  EXPECT_EQ(disk->stats().objects.load(), 0u);
}

TEST_F(PulledDiskTest, FilesStayWithinTheBound) {
  auto disk = open(64 << 10);
  for (int i = 0; i < 40; ++i) {
    disk->store("0 /f" + std::to_string(i), object(std::string(8000, 'e')));
    disk->flush();
    EXPECT_LE(dir_bytes(dir()), 64u << 10) << i;
  }
  EXPECT_GT(disk->stats().evictions.load(), 0u);
  EXPECT_EQ(files(dir()).size(), disk->stats().objects.load());
  EXPECT_NE(disk->load("0 /f39", {}), nullptr);
}

TEST_F(PulledDiskTest, PurgeDeletesTheFiles) {
  auto disk = open();
  for (const char* key : {"0 /p", "0 /p?x=1", "0 /dir/a", "0 /dir/b", "0 /keep"}) disk->store(key, object(key));
  disk->flush();
  EXPECT_EQ(disk->purge("0 /p", false), 2u);
  EXPECT_EQ(disk->purge("0 /dir/", true), 2u);
  EXPECT_EQ(files(dir()).size(), 1u);
  EXPECT_EQ(disk->load("0 /p", {}), nullptr);
  EXPECT_NE(disk->load("0 /keep", {}), nullptr);
}

// Two processes on one directory would evict each other's files unseen:
// the second opener is refused (the edge then keeps pulled objects in RAM).
TEST_F(PulledDiskTest, ASecondOpenerOfTheDirectoryIsRefused) {
  auto first = open();
  ASSERT_TRUE(first);
  PulledDiskSettings s;
  s.dir = dir();
  auto second = PulledDisk::open(s);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("locked"), std::string::npos) << second.error().message;
  first.reset();
  EXPECT_TRUE(PulledDisk::open(s).ok());
}

// A sliced head (no body, its slice size and length), one of its slices and
// an object with coded variants come back from a reopened directory as they
// were stored (issue 19: they survive a restart); contains() sees the slice
// without reading it.
TEST_F(PulledDiskTest, SlicedHeadsSlicesAndVariantsSurviveAReopen) {
  const std::string slice_key = "- /v.mp4\n#slice \"v1\" 65536 3";
  {
    auto disk = open();
    ASSERT_TRUE(disk);
    auto head = std::make_shared<PulledObject>(*object(""));
    head->slice_size = 65536;
    head->length = 1 << 20;
    disk->store("- /v.mp4", head);
    auto slice = std::make_shared<PulledObject>();
    slice->status = 206;
    auto bytes = std::make_shared<MemoryObject>();
    bytes->bytes = std::string(65536, 's');
    slice->body = bytes;
    disk->store(slice_key, slice);
    auto text = std::make_shared<PulledObject>(*object(std::string(5000, 't')));
    auto coded = std::make_shared<CodedVariants>();
    auto br = std::make_shared<MemoryObject>();
    br->bytes = "br bytes";
    coded->bodies.push_back({Encoding::br, br});
    text->coded = coded;
    disk->store("- /t.html", text);
    disk->flush();
  }
  auto disk = open();
  ASSERT_TRUE(disk);
  EXPECT_TRUE(disk->contains(slice_key, ""));
  EXPECT_FALSE(disk->contains("- /v.mp4\n#slice \"v1\" 65536 4", ""));
  const PulledRef head = disk->load("- /v.mp4", {});
  ASSERT_NE(head, nullptr);
  EXPECT_TRUE(head->sliced());
  EXPECT_EQ(head->slice_size, 65536u);
  EXPECT_EQ(head->length, 1u << 20);
  EXPECT_TRUE(head->body->bytes.empty());
  const PulledRef slice = disk->load(slice_key, {});
  ASSERT_NE(slice, nullptr);
  EXPECT_EQ(slice->status, 206);
  EXPECT_EQ(slice->body->bytes, std::string(65536, 's'));
  const PulledRef text = disk->load("- /t.html", {});
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(text->body->bytes, std::string(5000, 't'));
  ASSERT_NE(text->coded, nullptr);
  ASSERT_EQ(text->coded->bodies.size(), 1u);
  EXPECT_EQ(text->coded->bodies[0].encoding, Encoding::br);
  EXPECT_EQ(text->coded->bodies[0].body->bytes, "br bytes");
  // A purge of the path takes the slice with the head.
  EXPECT_EQ(disk->purge("- /v.mp4", false), 2u);
  EXPECT_FALSE(disk->contains(slice_key, ""));
}


// Bodies larger than file_min (memory-object-max) stay in their record file
// (PulledFile): docs/PULL_THROUGH.md, "The disk tier", issue 19.
class PulledDiskFileTest : public PulledDiskTest {
 protected:
  static constexpr std::uint64_t kFileMin = 1000;
  std::string path_of(const std::string& primary) const {
    return dir() + "/" + PulledDiskIndex::key_of(primary, "").hex() + ".pull";
  }
  // The body's bytes through the object's fd, as a sender reads them.
  static std::string through_fd(const PulledObject& o) {
    const OpenBlob& f = *o.file->body;
    std::string out(f.size, '\0');
    return ::pread(f.fd.get(), out.data(), out.size(), static_cast<off_t>(f.start)) == static_cast<ssize_t>(f.size)
               ? out : std::string();
  }
  // A disk holding body under each of primaries, written.
  std::unique_ptr<PulledDisk> holding(const std::string& body, std::initializer_list<const char*> primaries) {
    auto disk = open();
    for (const char* p : primaries) disk->store(p, object(body));
    disk->flush();
    return disk;
  }
  void flip_body_byte(const std::string& primary) const {
    std::fstream f(path_of(primary), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-10, std::ios::end);
    f.put('X');
  }
};

TEST_F(PulledDiskFileTest, ALargeBodyStaysInItsFileAndSmallOnesAreRead) {
  const std::string body(100'000, 'L');
  auto disk = holding(body, {"0 /large"});
  disk->store("0 /small", object("small"));
  disk->flush();
  const PulledRef large = disk->load("0 /large", {}, kFileMin);
  ASSERT_NE(large, nullptr);
  ASSERT_NE(large->file, nullptr);
  EXPECT_TRUE(large->body->bytes.empty());
  EXPECT_EQ(large->body_size(), body.size());
  EXPECT_EQ(through_fd(*large), body);
  const PulledRef small = disk->load("0 /small", {}, kFileMin);
  ASSERT_NE(small, nullptr);
  EXPECT_EQ(small->file, nullptr);
  EXPECT_EQ(small->body->bytes, "small");
  EXPECT_EQ(disk->stats().file_hits.load(), 1u);
  EXPECT_EQ(disk->stats().verified.load(), 0u) << "our own write is not read again";
}

// Found by the scan after a reopen: read through once before its fd is
// handed out (a flipped byte: refused, removed), then remembered.
TEST_F(PulledDiskFileTest, AFileFoundAtOpenIsCheckedOnceBeforeItsFdIsHandedOut) {
  holding(std::string(50'000, 'g'), {"0 /good", "0 /flip"}).reset();
  flip_body_byte("0 /flip");
  auto disk = open();
  EXPECT_EQ(disk->load("0 /flip", {}, kFileMin), nullptr);
  EXPECT_FALSE(std::filesystem::exists(path_of("0 /flip")));
  ASSERT_NE(disk->load("0 /good", {}, kFileMin), nullptr);
  ASSERT_NE(disk->load("0 /good", {}, kFileMin), nullptr);
  EXPECT_EQ(disk->stats().verified.load(), 1u);
  EXPECT_EQ(disk->stats().file_hits.load(), 2u);
  EXPECT_EQ(disk->stats().rejected.load(), 1u);
}

// Checked once, then cut: refused by its size at the next open. An fd
// handed out before a purge unlinked the file still reads the whole body.
TEST_F(PulledDiskFileTest, ACutFileIsRefusedAndAnUnlinkedOneStillReadsThroughItsFd) {
  const std::string body(60'000, 'u');
  auto disk = holding(body, {"0 /cut", "0 /purged"});
  ASSERT_NE(disk->load("0 /cut", {}, kFileMin), nullptr);
  std::filesystem::resize_file(path_of("0 /cut"), std::filesystem::file_size(path_of("0 /cut")) - 1);
  EXPECT_EQ(disk->load("0 /cut", {}, kFileMin), nullptr);
  const PulledRef held = disk->load("0 /purged", {}, kFileMin);
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(disk->purge("0 /purged", false), 1u);
  EXPECT_FALSE(std::filesystem::exists(path_of("0 /purged")));
  EXPECT_EQ(through_fd(*held), body);
}

// A 304 freshens a body left in its file: the new record's body is copied
// from the old file and checked on the way; a source changed since its check
// is not written under a fresh checksum.
TEST_F(PulledDiskFileTest, AFreshenedObjectIsCopiedFromItsFileAndABadSourceIsNotWritten) {
  const std::string body(70'000, 'c');
  auto disk = holding(body, {"0 /copied", "0 /bad"});
  for (const std::string path : {"0 /copied", "0 /bad"}) {
    const PulledRef loaded = disk->load(path, {}, kFileMin);
    ASSERT_NE(loaded, nullptr);
    if (path == "0 /bad") flip_body_byte(path);
    auto fresh = std::make_shared<PulledObject>(*loaded);
    fresh->fields.push_back({"X-Freshened", "yes"});
    disk->store(path, std::move(fresh));
    disk->flush();
  }
  EXPECT_EQ(disk->stats().write_failures.load(), 1u);
  EXPECT_EQ(disk->load("0 /bad", {}), nullptr) << "the source found bad is dropped";
  const PulledRef copied = disk->load("0 /copied", {});  // read whole: the checksum checked
  ASSERT_NE(copied, nullptr);
  EXPECT_EQ(copied->body->bytes, body);
  EXPECT_EQ(copied->fields.back().name, "X-Freshened");
}

}  // namespace
}  // namespace relais::pull
