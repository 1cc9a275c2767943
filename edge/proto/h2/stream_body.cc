#include "edge/proto/h2/stream_body.h"

#include <algorithm>

#include "edge/http/multipart.h"
#include "origin-sync/assert.h"

namespace relais::h2 {

void StreamBody::add_text(std::string_view bytes) {
  if (bytes.empty()) return;
  pieces_.push_back(Piece{true, text_.size(), bytes.size()});
  text_.append(bytes);
}

void StreamBody::add_source(std::uint64_t offset, std::uint64_t length) {
  if (length > 0) pieces_.push_back(Piece{false, offset, length});
}

bool StreamBody::assign(const http::ResponseBody& body) {
  clear();
  switch (body.kind) {
    case http::ResponseBody::Kind::none: return false;
    case http::ResponseBody::Kind::stream:
      streamed_ = open_ = true;
      return true;
    case http::ResponseBody::Kind::text: add_text(body.text); break;
    case http::ResponseBody::Kind::source:
      source_ = *body.source;
      if (body.ranges.empty()) {
        add_source(0, body.size);
      } else if (!body.multipart()) {
        add_source(body.ranges[0].first, body.ranges[0].length());
      } else {
        // The same framing as HTTP/1 (multipart.h), so Content-Length holds.
        std::string framing;
        for (const http::ByteRange& r : body.ranges) {
          framing.clear();
          http::append_part_header(framing, body, r);
          add_text(framing);
          add_source(r.first, r.length());
        }
        framing.clear();
        http::append_close_delimiter(framing, body);
        add_text(framing);
      }
      break;
  }
  for (const Piece& p : pieces_) unclaimed_ += p.length;
  unsent_ = unclaimed_;
  return unclaimed_ > 0;
}

std::uint64_t StreamBody::take(std::uint64_t max) {
  const std::uint64_t n = std::min(max, unclaimed_);
  unclaimed_ -= n;
  return n;
}

void StreamBody::arrive(std::string_view bytes) {
  RELAIS_ASSERT(streamed_ && open_);
  if (arrived_sent_ > 0 && arrived_sent_ * 2 >= arrived_.size()) {
    arrived_.erase(0, arrived_sent_);  // what follows (promised or not) stays
    arrived_sent_ = 0;
  }
  arrived_.append(bytes);
  unclaimed_ += bytes.size();
  unsent_ += bytes.size();
}

void StreamBody::append_to(http::ResponseBuffer& out, std::uint64_t length) {
  RELAIS_ASSERT(length <= unsent_);
  unsent_ -= length;
  if (streamed_) {
    out.append_text(std::string_view(arrived_).substr(arrived_sent_, static_cast<std::size_t>(length)));
    arrived_sent_ += static_cast<std::size_t>(length);
    if (arrived_sent_ == arrived_.size()) {
      arrived_.clear();
      arrived_sent_ = 0;
    }
    return;
  }
  while (length > 0) {
    RELAIS_ASSERT(piece_ < pieces_.size());
    const Piece& p = pieces_[piece_];
    const std::uint64_t n = std::min(length, p.length - piece_sent_);
    const std::uint64_t at = p.offset + piece_sent_;
    if (p.text) {
      out.append_text(std::string_view(text_).substr(at, n));
    } else if (source_.from_memory()) {
      out.append_memory(source_.memory, at, n);
    } else {
      out.append_file(source_.file, at, n);
    }
    length -= n;
    piece_sent_ += n;
    if (piece_sent_ == p.length) {
      ++piece_;
      piece_sent_ = 0;
    }
  }
}

void StreamBody::clear() {
  text_.clear();
  source_ = BodySource{};
  pieces_.clear();
  piece_ = 0;
  piece_sent_ = 0;
  unclaimed_ = unsent_ = 0;
  streamed_ = open_ = false;
  std::string().swap(arrived_);
  arrived_sent_ = 0;
}

}  // namespace relais::h2
