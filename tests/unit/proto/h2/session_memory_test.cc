// SessionMemory: the allocator that lets an idle HTTP/2 session give its
// frame buffer's pages back. Residency is read with mincore(): a count of
// pages, not a timing.
#include "edge/proto/h2/session_memory.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace relais::h2 {
namespace {

std::size_t resident_pages(const void* at, std::size_t length) {
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((length + page - 1) / page);
  EXPECT_EQ(::mincore(const_cast<void*>(at), length, vec.data()), 0);
  std::size_t n = 0;
  for (unsigned char v : vec) n += v & 1;
  return n;
}

TEST(SessionMemory, ScratchBlocksMadeWithTheSessionGiveTheirPagesBack) {
  SessionMemory m;
  nghttp2_mem* mem = m.mem();
  m.making(true);
  void* frame_buffer = mem->malloc(16394, mem->mem_user_data);
  void* small = mem->malloc(100, mem->mem_user_data);
  m.making(false);
  void* later = mem->malloc(20000, mem->mem_user_data);  // e.g. a large header value: never released
  ASSERT_NE(frame_buffer, nullptr);
  ASSERT_EQ(m.scratch_blocks().size(), 1u);
  EXPECT_EQ(m.scratch_blocks()[0], frame_buffer);
  std::memset(frame_buffer, 'x', 16394);
  std::memset(later, 'y', 20000);
  EXPECT_GE(resident_pages(frame_buffer, 16394), 4u);
  EXPECT_EQ(m.release_idle_pages(), 20480u);  // five whole pages
  EXPECT_EQ(resident_pages(frame_buffer, 16394), 0u);
  EXPECT_EQ(static_cast<char*>(later)[19999], 'y');
  std::memset(frame_buffer, 'z', 16394);  // usable again, as zeroed pages
  EXPECT_EQ(static_cast<char*>(frame_buffer)[16393], 'z');
  mem->free(small, mem->mem_user_data);
  mem->free(later, mem->mem_user_data);
  mem->free(frame_buffer, mem->mem_user_data);
  EXPECT_TRUE(m.scratch_blocks().empty());
}

// A page-sized block made with the session (libnghttp2's stream map) gives
// its page back only while every byte is zero: the zero page the kernel
// hands back on the next touch is then what was there.
TEST(SessionMemory, ZeroKeptBlocksGiveTheirPagesBackOnlyWhileAllZero) {
  SessionMemory m;
  nghttp2_mem* mem = m.mem();
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  if (page >= SessionMemory::kScratchMin) GTEST_SKIP() << "pages of " << page << " bytes: a page-sized block is scratch";
  m.making(true);
  auto* map = static_cast<unsigned char*>(mem->calloc(page / 16, 16, mem->mem_user_data));
  m.making(false);
  auto* later = static_cast<unsigned char*>(mem->calloc(page / 16, 16, mem->mem_user_data));  // ordinary memory
  ASSERT_NE(map, nullptr);
  ASSERT_EQ(m.zero_kept_blocks().size(), 1u);
  EXPECT_EQ(m.zero_kept_blocks()[0], map);
  EXPECT_TRUE(m.scratch_blocks().empty());
  map[page - 1] = 7;  // a bucket in use
  EXPECT_EQ(m.release_idle_pages(), 0u);
  EXPECT_EQ(resident_pages(map, page), 1u);
  EXPECT_EQ(map[page - 1], 7);
  map[page - 1] = 0;  // the last stream gone
  EXPECT_EQ(m.release_idle_pages(), page);
  EXPECT_EQ(resident_pages(map, page), 0u);
  EXPECT_EQ(map[0], 0);
  EXPECT_EQ(map[page - 1], 0);
  mem->free(later, mem->mem_user_data);
  mem->free(map, mem->mem_user_data);
  EXPECT_TRUE(m.zero_kept_blocks().empty());
}

TEST(SessionMemory, ReallocKeepsTheBytesAcrossTheLargeThreshold) {
  SessionMemory m;
  nghttp2_mem* mem = m.mem();
  auto* p = static_cast<char*>(mem->malloc(100, mem->mem_user_data));
  std::memset(p, 'a', 100);
  p = static_cast<char*>(mem->realloc(p, 40000, mem->mem_user_data));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p[99], 'a');
  p[39999] = 'b';
  p = static_cast<char*>(mem->realloc(p, 50000, mem->mem_user_data));
  EXPECT_EQ(p[39999], 'b');
  EXPECT_EQ(p[0], 'a');
  auto* q = static_cast<char*>(mem->calloc(3, 5000, mem->mem_user_data));
  EXPECT_EQ(q[14999], 0);
  mem->free(q, mem->mem_user_data);
  mem->free(p, mem->mem_user_data);
  EXPECT_EQ(mem->calloc(SIZE_MAX / 2, 4, mem->mem_user_data), nullptr);
}

}  // namespace
}  // namespace relais::h2
