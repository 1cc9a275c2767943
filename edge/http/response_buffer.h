// ResponseBuffer: the bytes queued on one connection, in order, not yet sent.
//
// Responses are described, not copied: header text lives in one growing
// string, bodies are references to a memory-tier object or a range of an open
// blob file. The connection drains it with writev() for text and memory
// bodies (many pipelined responses in one call) and sendfile() for files.
// Offsets, not pointers, into the text: appending may reallocate it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "edge/cache/memory_tier.h"
#include "edge/storage/blob_store.h"

namespace relais::http {

struct Segment {
  enum class Kind : std::uint8_t { text, memory, file };
  Kind kind = Kind::text;
  std::uint64_t offset = 0;  // into text_, memory->bytes or the file
  std::uint64_t length = 0;  // bytes still to send
  MemoryRef memory;          // keeps an evicted object alive until sent
  FileRef file;              // keeps the fd open until sent
};

class ResponseBuffer {
 public:
  // Text is appended to the current text segment (or starts a new one).
  void append_text(std::string_view text);
  std::string& text() { return text_; }
  // Marks the end of text appended directly through text(): call after
  // writing into text() so the bytes become part of a segment.
  void commit_text(std::size_t from);
  void append_memory(MemoryRef object, std::uint64_t offset, std::uint64_t length);
  // offset: into the body, which starts at file->start in the file.
  void append_file(FileRef file, std::uint64_t offset, std::uint64_t length);

  bool empty() const { return !segments_ || segments_->empty(); }
  std::uint64_t pending_bytes() const { return pending_; }
  std::deque<Segment>& segments() { return queue(); }
  const char* text_data() const { return text_.data(); }

  // Records that n bytes at the front were sent.
  void consume(std::uint64_t n);
  // Frees everything (the connection goes idle and must hold no buffer).
  void release();

 private:
  std::deque<Segment>& queue();

  std::string text_;
  // Made on first use: an empty std::deque already holds ~580 bytes (its map
  // and one node), and an idle HTTP/2 connection keeps a buffer that may
  // never queue anything (Connection::park_http2).
  std::optional<std::deque<Segment>> segments_;
  std::uint64_t pending_ = 0;
};

}  // namespace relais::http
