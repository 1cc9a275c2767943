// SessionMemory: the allocator (nghttp2_mem) of one HTTP/2 session, so that
// an idle session gives the pages of its largest blocks back to the kernel.
//
// libnghttp2 1.52 makes, with each session, two blocks that an idle session
// does not need resident (massif, 200 TLS connections held idle after one
// GET each; the other 5 KB are the session struct, its HPACK ring buffers and
// the client's HPACK entries, which it does need):
//  - the 16 KiB output frame buffer (NGHTTP2_FRAMEBUF_CHUNKLEN, kept for the
//    session's life), which only holds bytes while a frame is being sent:
//    "scratch", its pages go back whenever nghttp2 has nothing to write;
//  - the stream map's table, 256 buckets in one 4 KiB calloc, all zero again
//    once the last stream is gone: "zero-kept", its pages go back only while
//    every byte is zero, so what nghttp2 reads next (a fresh zero page) is
//    what it left there. Whatever the library keeps in such a block, the
//    rule cannot change its contents.
// Blocks of a page or more allocated while the session is made are
// page-aligned whole pages so that madvise(MADV_DONTNEED) touches no other
// allocation; release_idle_pages() gives their pages back, and the kernel
// hands zeroed pages back on the next touch.
//
// Contract: release_idle_pages() only while nghttp2 has nothing to write
// (nghttp2_session_want_write() == 0): the frame buffer is then empty.
// Blocks allocated later (more frame buffer chunks for a large header block,
// header values, a grown stream map) are ordinary memory, never released.
//
// Lifecycle: owned by the Session, outliving its nghttp2_session (nghttp2
// copies the nghttp2_mem, whose user data points here).
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <vector>

namespace relais::h2 {

class SessionMemory {
 public:
  // Blocks this large, allocated while the session is made, are scratch.
  static constexpr std::size_t kScratchMin = 8192;

  SessionMemory();
  SessionMemory(const SessionMemory&) = delete;
  SessionMemory& operator=(const SessionMemory&) = delete;

  nghttp2_mem* mem() { return &mem_; }
  // Around nghttp2_session_server_new3(): page-sized and larger blocks allocated meanwhile are released when idle.
  void making(bool on) { making_ = on; }
  // Returns the pages of the scratch blocks, and of the zero-kept blocks
  // whose bytes are all zero, to the kernel; the bytes released.
  std::size_t release_idle_pages();
  // For tests: the addresses of the scratch and of the zero-kept blocks.
  std::vector<const void*> scratch_blocks() const;
  std::vector<const void*> zero_kept_blocks() const;

 private:
  enum class Kind : unsigned char { kept, scratch, zero_kept };
  struct Block {
    void* at;
    std::size_t size;  // a multiple of the page size
    Kind kind;
  };
  // Page-aligned and tracked: a block of kScratchMin or more, or of a page or more made with the session.
  bool page_block(std::size_t size) const;
  void* allocate(std::size_t size);
  void release(void* ptr);
  void* reallocate(void* ptr, std::size_t size);
  Block* find(void* ptr);
  std::vector<const void*> blocks_of(Kind kind) const;

  nghttp2_mem mem_;
  std::vector<Block> large_;  // page-aligned blocks: the frame buffer, the stream map, rare large ones
  bool making_ = false;
};

}  // namespace relais::h2
