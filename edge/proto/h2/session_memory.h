// SessionMemory: the allocator (nghttp2_mem) of one HTTP/2 session, so that
// an idle session gives its frame buffer's pages back to the kernel.
//
// nghttp2 allocates a 16 KiB output frame buffer when a session is made and
// keeps it for the session's life (libnghttp2 1.52: NGHTTP2_FRAMEBUF_CHUNKLEN,
// chunk_keep 1), though it only holds bytes while a frame is being sent. Of
// the 36 KB an idle TLS HTTP/2 connection cost (bench/h2, RSS per
// connection), it was the largest single part (massif, 200 idle
// connections: nghttp2 16 394 + 10 400 bytes, OpenSSL 13 400, Relais 1 500).
// Large blocks allocated while the session is made are page-aligned here;
// release_scratch() (madvise MADV_DONTNEED) makes them cost no memory until
// the next frame is written, when the kernel hands zeroed pages back.
//
// Contract: release_scratch() only while nghttp2 has nothing to write
// (nghttp2_session_want_write() == 0): the frame buffer is then empty.
// Blocks allocated later (more frame buffer chunks for a large header block,
// header values) are ordinary memory and never released this way.
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
  // Around nghttp2_session_server_new3(): large blocks allocated meanwhile are scratch.
  void making(bool on) { making_ = on; }
  // Returns the pages of the scratch blocks to the kernel; the bytes released.
  std::size_t release_scratch();
  // For tests: the addresses of the scratch blocks.
  std::vector<const void*> scratch_blocks() const;

 private:
  struct Block {
    void* at;
    std::size_t size;  // a multiple of the page size
    bool scratch;
  };
  void* allocate(std::size_t size);
  void release(void* ptr);
  void* reallocate(void* ptr, std::size_t size);
  Block* find(void* ptr);

  nghttp2_mem mem_;
  std::vector<Block> large_;  // page-aligned blocks: the frame buffer and its rare extra chunks
  bool making_ = false;
};

}  // namespace relais::h2
