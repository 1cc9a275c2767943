// The write path of a connection: the output queue to the socket within the
// write budget, corking around files, the turn after a spent budget, and the
// slow-reader checks while a response is being written.
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <linux/sockios.h>

#include <algorithm>

#include "edge/server/connection.h"
#include "edge/server/worker.h"

namespace relais {
namespace {

constexpr int kMaxIov = 64;

}  // namespace

bool Connection::flush_output() {
  if (buffers_ == nullptr) return true;
  ConnectionBuffers& b = *buffers_;
  const ServerSettings& s = worker().settings();
  std::uint64_t budget = s.write_budget;
  bool progressed = false;
  b.write_turn_due = false;
  // HTTP/2 bodies enter the queue a bounded slice at a time (max-pending-output):
  // the next slice is taken within the same write budget, and taken before
  // the budget is checked, so a budget spent leaves output for the next turn.
  while ((!b.output.empty() || refill_http2()) && budget > 0) {
    auto& segments = b.output.segments();
    IoResult r;
    if (segments.front().kind == http::Segment::Kind::file) {
      const http::Segment& seg = segments.front();
      // One call may take the whole budget even when the head took a little
      // of it: capping at what is left split a 1 MiB body into 1 MiB minus
      // its head now and a few hundred bytes a wake-up later (an extra epoll
      // round and sendfile() per response). A wake-up writes at most about
      // two budgets.
      std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>({seg.length, s.write_budget, 1u << 30}));
      r = transport_send_file(seg.file->fd.get(), seg.offset, length);
    } else {
      iovec iov[kMaxIov];
      int count = 0;
      bool more = false;
      for (const http::Segment& seg : segments) {
        if (seg.kind == http::Segment::Kind::file) {
          more = true;  // MSG_MORE: let the kernel merge the head with the file's first bytes
          break;
        }
        if (count == kMaxIov) break;
        const char* base = seg.kind == http::Segment::Kind::text ? b.output.text_data() : seg.memory->bytes.data();
        iov[count].iov_base = const_cast<char*>(base + seg.offset);
        iov[count].iov_len = static_cast<std::size_t>(seg.length);
        ++count;
      }
      // A head and the file after it go out corked, as nginx's tcp_nopush does:
      // MSG_MORE alone still let the kernel send the head's length as a runt
      // segment at the first 64 KiB splice boundary, which shifted every
      // segment off the receiver's window edge; the sender then held a
      // segment that did not fit, its tail-loss probe fired before the
      // reader's delayed ACK, and each such response was retransmitted in
      // part (one 32 KiB spurious retransmit per client in the spike).
      if (more && !b.corked) {  // a no-op over TLS (transport_cork)
        transport_cork(true);
        b.corked = true;
      }
      r = transport_write(iov, count, more);
    }
    if (r.status == IoStatus::again || r.status == IoStatus::closed) break;
    if (r.status == IoStatus::failed) {
      close_now();  // EPIPE, ECONNRESET: the client went away mid-response
      return false;
    }
    if (r.status == IoStatus::file_ended) {
      // The blob was truncated after its head promised the full length: the
      // response cannot be completed. A reset (not a FIN the client could
      // take for the end of a keep-alive exchange) tells it the body is cut.
      worker().short_file(*segments.front().file);  // counted; the fd is not reused
      abort_now();
      return false;
    }
    const std::uint64_t n = r.bytes;
    worker().stats().bytes_sent.add(n);
    b.output.consume(n);
    worker().exchanges_sent(b, n);  // time to first and last byte of the responses it completes
    if (b.corked && (b.output.empty() || b.output.segments().front().kind != http::Segment::Kind::file)) {
      transport_cork(false);  // the file is out: push its tail now
      b.corked = false;
    }
    b.written_in_phase += n;
    progressed = true;
    budget -= std::min<std::uint64_t>(budget, n);
  }
  // The TLS records gathered above leave now, several per write().
  const IoResult flushed = transport_flush();
  if (flushed.status == IoStatus::failed) {
    close_now();
    return false;
  }
  progressed = progressed || flushed.bytes > 0;
  if (b.pull != nullptr && b.pull->in_flight() && b.pull->wants_room() &&
      b.output.pending_bytes() < s.max_pending_output) {
    b.pull->room_given();
    b.pull->pending->resume();  // appends what the fetch window holds for us (and wakes us)
  }
  if (!b.output.empty() || flushed.status == IoStatus::again) {
    // The send timeout counts from the last progress; it matters only while
    // output is left, so a response written at once reads no clock for it.
    if (phase_ == Phase::writing && progressed) b.last_progress_ms = worker().now_ms();
    if (phase_ != Phase::writing) {
      // The bytes just written count towards this phase: they were taken
      // from us, not necessarily by the client yet (SIOCOUTQ tells).
      b.write_started_ms = worker().now_ms();
      b.written_in_phase = s.write_budget - budget;
      b.last_progress_ms = b.write_started_ms;
      phase_ = Phase::writing;
      arm(EV_WRITE, write_check_interval());
    }
    if (budget == 0) schedule_write_turn();
    return true;
  }
  // Everything written.
  if (pull_in_flight()) {
    if (!b.pull->ended()) {
      wait_for_origin();
      return true;
    }
    if (!finish_pull()) return false;
  }
  if (held_back_ && !stop_parsing_ && b.input_length > 0) {
    process_input();  // pipelined requests held back by backpressure
    if (!b.output.empty()) return flush_output();  // depth bounded by the input buffer
  }
  if (stop_parsing_ || peer_shut_write_) return start_lingering();
  phase_ = Phase::reading;
  return rearm_for_reading();
}

// The write budget keeps one large transfer from holding the loop, but the
// socket had room left: no EAGAIN, so no new edge will come (writes are
// edge-triggered) and, level-triggered or not, waiting for the write-check
// timer froze every large download for seconds. A zero timeout runs the
// connection again after the next poll, behind the sockets that are ready
// (nginx's posted_next_events).
void Connection::schedule_write_turn() {
  buffers_->write_turn_due = true;
  timeval now{0, 0};
  event_add(&event_, &now);
}

void Connection::on_writable() {
  if (phase_ == Phase::writing && too_slow_reader()) {
    worker().stats().slow_readers.add();
    abort_now();
    return;
  }
  (void)flush_output();
}

// While writing, the timer fires at least this often, so the slow-reader
// check runs even when the socket rarely becomes writable.
std::uint64_t Connection::write_check_interval() const {
  const ServerSettings& s = worker().settings();
  if (s.send_min_rate == 0) return s.send_timeout_ms;
  return std::min<std::uint64_t>(s.send_timeout_ms, std::max<std::uint64_t>(s.send_min_rate_grace_ms / 2, 500));
}

// Slow-read attack: a client that reads a little, often enough to defeat the
// send timeout, would hold a response (and its file) for hours.
bool Connection::too_slow_reader() {
  const ServerSettings& s = worker().settings();
  if (s.send_min_rate == 0 || buffers_ == nullptr) return false;
  std::uint64_t elapsed = worker().now_ms() - buffers_->write_started_ms;
  if (elapsed < s.send_min_rate_grace_ms) return false;
  // What the client actually took: bytes we wrote minus those still queued
  // in our socket (a large send buffer would otherwise hide a slow reader).
  int queued = 0;
  if (::ioctl(fd(), SIOCOUTQ, &queued) != 0 || queued < 0) queued = 0;
  std::uint64_t taken = buffers_->written_in_phase - std::min<std::uint64_t>(buffers_->written_in_phase,
                                                                              static_cast<std::uint64_t>(queued));
  return taken * 1000 / elapsed < s.send_min_rate;
}

}  // namespace relais
