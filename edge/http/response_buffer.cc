#include "edge/http/response_buffer.h"

#include "origin-sync/assert.h"

namespace relais::http {

std::deque<Segment>& ResponseBuffer::queue() {
  if (!segments_) segments_.emplace();
  return *segments_;
}

void ResponseBuffer::append_text(std::string_view text) {
  std::size_t from = text_.size();
  text_.append(text);
  commit_text(from);
}

void ResponseBuffer::commit_text(std::size_t from) {
  RELAIS_ASSERT(from <= text_.size());
  std::uint64_t n = text_.size() - from;
  if (n == 0) return;
  pending_ += n;
  if (!empty()) {
    Segment& last = segments_->back();
    if (last.kind == Segment::Kind::text && last.offset + last.length == from) {
      last.length += n;
      return;
    }
  }
  queue().push_back(Segment{Segment::Kind::text, from, n, nullptr, nullptr});
}

void ResponseBuffer::append_memory(MemoryRef object, std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return;
  RELAIS_ASSERT(object && offset + length <= object->bytes.size());
  pending_ += length;
  queue().push_back(Segment{Segment::Kind::memory, offset, length, std::move(object), nullptr});
}

void ResponseBuffer::append_file(FileRef file, std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return;
  RELAIS_ASSERT(file && offset + length <= file->size);
  pending_ += length;
  const std::uint64_t at = file->start + offset;  // the segment's offset is the file's
  queue().push_back(Segment{Segment::Kind::file, at, length, nullptr, std::move(file)});
}

void ResponseBuffer::consume(std::uint64_t n) {
  RELAIS_ASSERT(n <= pending_);
  pending_ -= n;
  while (n > 0) {
    Segment& front = segments_->front();
    if (n < front.length) {
      front.offset += n;
      front.length -= n;
      return;
    }
    n -= front.length;
    segments_->pop_front();
  }
  if (empty()) text_.clear();
}

void ResponseBuffer::release() {
  std::string().swap(text_);
  segments_.reset();
  pending_ = 0;
}

}  // namespace relais::http
