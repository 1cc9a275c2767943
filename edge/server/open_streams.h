// OpenStreams: the HTTP/2 streams of one connection that were answered but
// whose last frame is not queued yet.
//
// nghttp2 serialises a stream's frames when it sends, long after the
// response was decided, and interleaves streams: so a stream's exchange
// waits here, its access-log line head in log_text(), until its last frame
// is queued and it joins the connection's ExchangeQueue (which keeps the
// order in which responses end on the wire), or until it is reset or the
// connection goes, when it is finished here with the body bytes it sent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/server/exchange_queue.h"

namespace relais {

class OpenStreams {
 public:
  bool empty() const { return open_.empty(); }
  std::string& log_text() { return log_text_; }
  // e's log line head is [e.log_begin, e.log_end) of log_text().
  void add(std::int32_t stream_id, const PendingExchange& e) { open_.push_back(Open{stream_id, e}); }

  // The connection has handed `sent` bytes to the socket.
  void note_sent(std::uint64_t sent, std::uint64_t now_us);
  // A frame of the stream was queued; the connection's output now reaches
  // queued_to. Its first frame places its start; its last moves it to queue
  // (log head and all). False if the stream is not open here.
  bool frame_queued(std::int32_t stream_id, bool ends, std::uint64_t queued_to, ExchangeQueue& queue);

  // Finishes a stream reset before its last frame was queued (false if it
  // is not open here), or every stream (the connection is gone), calling
  // finish(exchange, log_head). The exchange's body_bytes and its log line
  // say what was sent: body_bytes_of(stream_id) when that is below the
  // promised size.
  template <class Finish>
  bool close(std::int32_t stream_id, std::uint64_t body_bytes, Finish&& finish) {
    const auto it = find(stream_id);
    if (it == open_.end()) return false;
    finish_one(it->exchange, body_bytes, finish);
    open_.erase(it);
    if (open_.empty()) log_text_.clear();
    return true;
  }
  template <class BytesOf, class Finish>
  void close_all(BytesOf&& body_bytes_of, Finish&& finish) {
    for (const Open& o : open_) finish_one(o.exchange, body_bytes_of(o.id), finish);
    open_.clear();
    log_text_.clear();
  }

  // Parked: gives back the capacity the last round of streams grew.
  void release_memory();

 private:
  struct Open {
    std::int32_t id;
    PendingExchange exchange;
  };
  std::vector<Open>::iterator find(std::int32_t stream_id);
  // e's log head, with its byte count lowered to body_bytes (in scratch_).
  std::string_view head_with_bytes(PendingExchange& e, std::uint64_t body_bytes);
  template <class Finish>
  void finish_one(PendingExchange e, std::uint64_t body_bytes, Finish& finish) {
    const std::string_view head = head_with_bytes(e, body_bytes);
    finish(static_cast<const PendingExchange&>(e), head);
  }

  std::vector<Open> open_;
  std::string log_text_;
  std::string scratch_;
};

}  // namespace relais
