// ExchangeQueue: the responses of one HTTP/1 connection that are queued but
// not yet wholly handed to the socket, in order (pipelining keeps several).
//
// A response's time to first byte and duration are known only once its
// bytes have left the ResponseBuffer; its request (views into the receive
// buffer) is gone by then. So when a response is queued the worker formats
// the access-log line's head into text() and opens an entry with the stream
// offsets where the response starts and ends; as the connection reports
// bytes sent, entries get their first-byte time and, once wholly sent, are
// finished (histograms, log line tail) in order.
//
// Lives in the connection's pooled buffers: a keep-alive request allocates
// nothing once the vectors have grown. Bounded by the session's backpressure
// (max_pending_output: no request is parsed while that much is unsent).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "edge/server/request_log_line.h"

namespace relais {

// PendingExchange::start of an HTTP/2 stream whose first frame is not queued yet.
inline constexpr std::uint64_t kNotQueued = ~std::uint64_t{0};

struct PendingExchange {
  std::uint64_t start = 0;          // stream offset of the response's first byte
  std::uint64_t end = 0;            // stream offset just past its last byte
  std::uint64_t head_done_us = 0;   // when its request head was complete
  std::uint64_t first_byte_us = 0;  // when its first byte left (0: not yet)
  std::uint64_t body_bytes = 0;
  std::size_t log_begin = 0;        // its line's head in text(), [log_begin, log_end)
  std::size_t log_end = 0;
  std::uint16_t status = 0;
  std::uint16_t site = 0;
  std::uint16_t bytes_at = 0;       // where its body byte count starts in its line's head
  AccessLogFormat format = AccessLogFormat::combined;  // as when its head was written (a reload may switch)

  // The connection has handed `sent` bytes to the socket: its first byte has
  // left once that passes its start (an HTTP/2 stream not yet queued has none).
  void note_sent(std::uint64_t sent, std::uint64_t now_us) {
    if (first_byte_us == 0 && start != kNotQueued && sent > start) first_byte_us = now_us;
  }
};

class ExchangeQueue {
 public:
  // Bytes handed to the socket so far on this connection (stream offset).
  std::uint64_t sent() const { return sent_; }
  void add_sent(std::uint64_t n) { sent_ += n; }
  // Where the next queued response starts: after the last pending one, or
  // at the current offset when none is pending (the output is then empty).
  std::uint64_t next_start() const { return entries_.size() > head_ ? entries_.back().end : sent_; }

  std::string& text() { return text_; }
  // The log line head of e.
  std::string_view log_head(const PendingExchange& e) const {
    return std::string_view(text_).substr(e.log_begin, e.log_end - e.log_begin);
  }

  // After sent() moved (or when closing): stamps the first-byte time of the
  // response now under way and calls finish(entry, now_us) for each response
  // wholly sent, in order, or for every one left when closing (a connection
  // closed under them: timed to the close).
  template <class Finish>
  void settle(std::uint64_t now_us, bool closing, Finish&& finish) {
    while (!empty()) {
      PendingExchange& e = front();
      e.note_sent(sent_, now_us);
      if (sent_ < e.end && !closing) break;
      finish(static_cast<const PendingExchange&>(e), now_us);
      pop();
    }
  }
  void push(const PendingExchange& e) { entries_.push_back(e); }
  bool empty() const { return head_ == entries_.size(); }
  PendingExchange& front() { return entries_[head_]; }
  void pop() {
    if (++head_ == entries_.size()) clear();
  }
  void clear() {
    entries_.clear();
    text_.clear();
    head_ = 0;
  }

 private:
  std::vector<PendingExchange> entries_;
  std::size_t head_ = 0;
  std::string text_;
  std::uint64_t sent_ = 0;
};

}  // namespace relais
