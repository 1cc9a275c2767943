// StreamBody: one HTTP/2 response body, as pieces to hand out frame by frame.
//
// Built from an http::Response's body when the responder sends it; holds what
// the body refers to (the BodySource's reference-counted memory object or open
// file) so that it outlives an eviction or a purge while the stream waits for
// flow-control window. The text pieces (an error page, multipart framing)
// are copied here: they are a few hundred bytes.
//
// The session's data source callback asks how many bytes the next DATA frame
// may carry (take); nghttp2's send_data callback then moves exactly those
// bytes into the connection's send queue (append_to) as references: a memory
// body is never copied, a file range goes out with sendfile() (plain TCP,
// kernel TLS) or in 16 KiB pread chunks (userspace TLS, tls_connection.h).
//
// A body that comes later (a pull-through miss, ResponseBody::Kind::stream)
// is copied in as it arrives (arrive(), then finish()): take() promises only
// what arrived, and open() says more may come, so the session defers the
// stream meanwhile. What was queued is dropped from the front once it is at
// least half of what is held; the session bounds what is held
// (session_stream.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edge/cache/body_source.h"
#include "edge/http/response.h"
#include "edge/http/response_buffer.h"

namespace relais::h2 {

class StreamBody {
 public:
  // Copies what it needs from body; false if body is empty (no DATA frames).
  // A stream body is never empty here: its end is a frame of its own.
  bool assign(const http::ResponseBody& body);
  void arrive(std::string_view bytes);  // a stream body's next bytes, copied
  void finish() { open_ = false; }      // a stream body has all its bytes
  bool streamed() const { return streamed_; }
  bool open() const { return open_; }
  std::uint64_t unclaimed() const { return unclaimed_; }  // not yet promised to a DATA frame
  std::uint64_t unsent() const { return unsent_; }        // not yet in the send queue
  // Promises up to max bytes to the next DATA frame; returns how many.
  std::uint64_t take(std::uint64_t max);
  // Queues the next length bytes (what take() promised) as references.
  void append_to(http::ResponseBuffer& out, std::uint64_t length);
  void clear();

 private:
  struct Piece {
    bool text;                // text_[offset, offset+length), else source_ bytes
    std::uint64_t offset;
    std::uint64_t length;
  };
  void add_source(std::uint64_t offset, std::uint64_t length);
  void add_text(std::string_view bytes);

  std::string text_;
  BodySource source_;
  std::vector<Piece> pieces_;
  std::size_t piece_ = 0;       // the piece the next sent byte comes from
  std::uint64_t piece_sent_ = 0;
  std::uint64_t unclaimed_ = 0;
  std::uint64_t unsent_ = 0;
  bool streamed_ = false;
  bool open_ = false;
  std::string arrived_;          // a stream body's bytes from the first unsent one
  std::size_t arrived_sent_ = 0;  // of arrived_, already queued
};

}  // namespace relais::h2
