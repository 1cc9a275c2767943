// A worker's side of each exchange (a request and its response, any
// protocol): counted and its log line's head written when its head is
// complete (begin_exchange), timed and logged when its last byte is out
// (finish_exchange), in wire order over HTTP/1 (exchange_queue.h) and by
// stream over HTTP/2 (open_streams.h).
#include <algorithm>

#include "edge/server/request_log_line.h"
#include "edge/server/worker.h"

namespace relais {
namespace {

// Access log lines are handed to the log thread past this size or each second
// (the second: Worker::publish_stats).
constexpr std::size_t kLogFlushBytes = 64 * 1024;

}  // namespace

std::uint64_t Worker::now_us() {
  timeval tv;
  event_base_gettimeofday_cached(base_, &tv);
  return static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(tv.tv_usec);
}

PendingExchange Worker::begin_exchange(const PeerAddress& peer, const http::Request& request,
                                       const http::ResponseSummary& summary, std::string_view protocol,
                                       std::string& log_text) {
  WorkerStats& s = stats_;
  s.requests_by_class[requests_class(summary.status)].add();
  if (summary.from_memory) s.memory_hits.add();
  if (summary.from_disk) s.disk_hits.add();
  if (summary.blob_error) s.blob_errors.add();
  if (summary.status == 404) s.not_found.add();
  PendingExchange e;
  // Head complete: the loop turn that parsed it (a pipelined head held back
  // by backpressure counts from when it was parsed, not received).
  e.head_done_us = now_us();
  e.status = summary.status;
  e.site = summary.site;
  e.body_bytes = summary.body_bytes;
  e.format = settings().access_log_format;
  e.log_begin = e.log_end = log_text.size();
  if (shared_.access_log == nullptr) return e;
  // The names of this snapshot: a site added live is named from its first response.
  const std::vector<std::string>& names = live_->site_names;
  const std::string_view site = summary.site < names.size() ? std::string_view(names[summary.site])
                                : live_->named_sites      ? std::string_view("-")
                                                          : std::string_view(names.back());
  LogLineHead head{static_cast<std::int64_t>(e.head_done_us / 1'000'000), &peer, &request, &summary, protocol, site,
                   live_->named_sites};
  // Heads are a few KiB (client text is truncated to 512 bytes a field).
  e.bytes_at = static_cast<std::uint16_t>(append_log_line_head(log_text, e.format, head) - e.log_begin);
  e.log_end = log_text.size();
  return e;
}

void Worker::finish_exchange(const PendingExchange& e, std::string_view log_head, std::uint64_t last_byte_us) {
  // libevent's cached clock is monotonic between its wall-clock resyncs
  // (every few seconds): a step there must not make a negative duration.
  auto since_head = [&e](std::uint64_t t) { return t > e.head_done_us ? t - e.head_done_us : 0; };
  ExchangeTiming timing;
  timing.duration_us = since_head(last_byte_us);
  timing.ttfb_us = e.first_byte_us != 0 ? std::min(since_head(e.first_byte_us), timing.duration_us) : timing.duration_us;
  stats_.histograms.record(e.site, requests_class(e.status), timing, e.body_bytes);
  stats_.bytes_out.add(e.body_bytes);  // a stream reset before its end: what it sent
  if (shared_.access_log == nullptr || log_head.empty()) return;
  log_buffer_.append(log_head);
  append_log_line_tail(log_buffer_, e.format, timing);
  if (log_buffer_.size() >= kLogFlushBytes) shared_.access_log->submit(std::move(log_buffer_));
}

void Worker::log_request(ConnectionBuffers& b, const PeerAddress& peer, const http::Request& request,
                         const http::ResponseSummary& summary) {
  const LiveSettings& live = this->live();
  if (summary.site_name.empty() && live.named_sites && summary.site < live.site_names.size()) {
    // An answer that came later (pull-through) is named now, by the
    // settings it is logged under.
    http::ResponseSummary named = summary;
    named.site_name = live.site_names[summary.site];
    return log_request(b, peer, request, named);
  }
  if (request.version_major == 2) {
    // Its frames are not queued yet (nghttp2 serialises them in send()):
    // stream_frame_queued gives its offsets.
    PendingExchange e = begin_exchange(peer, request, summary, "HTTP/2.0", b.http2.open.log_text());
    e.start = kNotQueued;
    b.http2.open.add(request.stream_id, e);
    return;
  }
  const std::string_view protocol = request.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
  PendingExchange e = begin_exchange(peer, request, summary, protocol, b.exchanges.text());
  e.start = b.exchanges.next_start();
  e.end = b.exchanges.sent() + b.output.pending_bytes();
  b.exchanges.push(e);
}

void Worker::exchanges_sent(ConnectionBuffers& b, std::uint64_t n) {
  b.exchanges.add_sent(n);
  if (!b.http2.open.empty()) b.http2.open.note_sent(b.exchanges.sent(), now_us());
  settle_exchanges(b, false);
}

void Worker::stream_frame_queued(ConnectionBuffers& b, std::int32_t stream_id, bool ends) {
  b.http2.open.frame_queued(stream_id, ends, b.exchanges.sent() + b.output.pending_bytes(), b.exchanges);
}

void Worker::stream_closed(ConnectionBuffers& b, std::int32_t stream_id, std::uint64_t body_bytes) {
  // Reset before its last frame was queued: timed to the reset. (Otherwise
  // the queue settles it.)
  const std::uint64_t now = now_us();
  b.http2.open.close(stream_id, body_bytes,
                     [this, now](const PendingExchange& e, std::string_view head) { finish_exchange(e, head, now); });
}

void Worker::finish_open_streams(ConnectionBuffers& b) {
  ConnectionBuffers::Http2& h = b.http2;
  if (h.open.empty()) return;
  const std::uint64_t now = now_us();
  const h2::Session* session = h.session.get();
  h.open.close_all(
      [session](std::int32_t id) { return session != nullptr ? session->body_bytes_queued(id) : h2::Session::kUnknownBytes; },
      [this, now](const PendingExchange& e, std::string_view head) { finish_exchange(e, head, now); });
}

void Worker::settle_exchanges(ConnectionBuffers& b, bool closing) {
  if (b.exchanges.empty()) return;
  b.exchanges.settle(now_us(), closing, [this, &b](const PendingExchange& e, std::uint64_t now) {
    finish_exchange(e, b.exchanges.log_head(e), now);
  });
}

}  // namespace relais
