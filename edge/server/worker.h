// Worker: one thread, one libevent loop, its own listeners and caches.
//
// Everything a request touches on the hit path belongs to one worker: its
// memory tier, its open-file cache, its buffer pool, its catalog reference,
// its counters. Nothing is shared but the catalog snapshot (read-only) and
// two atomics (the catalog version and the global connection count), so the
// hit path takes no lock.
#pragma once

#include <event2/event.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "edge/cache/catalog.h"
#include "edge/cache/memory_tier.h"
#include "edge/cache/tiered_cache.h"
#include "edge/proto/h1/head_cache.h"
#include "edge/proto/h1/session.h"
#include "edge/proto/h2/session.h"
#include "edge/pull/pull_service.h"
#include "edge/http/responder.h"
#include "edge/http/response_buffer.h"
#include "edge/server/access_log.h"
#include "edge/server/address_limiter.h"
#include "edge/server/exchange_queue.h"
#include "edge/server/live_settings.h"
#include "edge/server/open_streams.h"
#include "edge/server/pull_sink.h"
#include "edge/server/request_log_line.h"
#include "edge/server/server_settings.h"
#include "edge/server/tls_context.h"
#include "edge/server/wakeup.h"
#include "edge/server/worker_stats.h"
#include "edge/storage/blob_store.h"
#include "origin-sync/unique_fd.h"

namespace relais {

class Connection;
struct PeerAddress;

// Per-request state, lent to a connection only while it has a request in
// flight. Pooled so a keep-alive request costs no allocation.
struct ConnectionBuffers {
  explicit ConnectionBuffers(std::size_t input_capacity, std::size_t scratch_capacity);
  // An idle HTTP/2 connection's slim buffers (no input, no scratch): the
  // session alone, never pooled (Connection::park_http2).
  bool parked() const { return input_capacity == 0; }
  std::unique_ptr<char[]> input;
  std::size_t input_capacity;
  std::size_t input_length = 0;  // bytes received, not yet consumed
  std::unique_ptr<char[]> scratch;  // target normalisation output
  std::size_t scratch_capacity;
  http::ResponseBuffer output;
  // Slow-read defence: when the current write phase began and what it moved.
  std::uint64_t write_started_ms = 0;
  std::uint64_t written_in_phase = 0;
  std::uint64_t last_progress_ms = 0;  // send timeout counts from here
  // The last flush stopped on the write budget, not on a full socket: the
  // socket will not signal again (edge-triggered, and no EAGAIN set
  // SOCK_NOSPACE), so the connection asked for a turn of its own.
  bool write_turn_due = false;
  // TCP_CORK is on while a head and the file body after it are being sent
  // (plain sockets): see Connection::flush_output.
  bool corked = false;
  std::uint64_t head_started_ms = 0;   // first byte of the current request head (slowloris deadline)
  http::FramingState framing;  // HTTP/1: a request body still to discard
  ExchangeQueue exchanges;     // responses queued, not yet wholly sent (timing, access log)
  // HTTP/1: a pull-through answer that comes later (pull_sink.h); bound to
  // its connection, so dropped (and its fetch left) when the buffers go back.
  std::unique_ptr<PullSink> pull;
  // HTTP/2: the session and the connection's watch over it. A connection
  // that speaks HTTP/2 keeps its buffers until it closes (the session's
  // HPACK tables and streams outlive any one request).
  struct Http2 {
    std::unique_ptr<h2::Session> session;
    std::uint64_t last_stream_ms = 0;  // idle timeout counts from the last request
    bool was_waiting = false;          // a body waited for window at the last look
    std::uint64_t waiting_since_ms = 0;  // minimum rate, over the bytes queued since
    std::uint64_t moved = 0;
    std::uint64_t progress_ms = 0;     // send timeout: the last time a waiting body moved
    bool memory_released = false;      // parked long enough: the session's scratch pages are back
    std::uint64_t goaway_at_ms = 0;    // draining: when the final GOAWAY follows the shutdown notice
    // Streams answered whose last frame is not queued yet (open_streams.h).
    OpenStreams open;
  } http2;
};

struct WorkerShared {
  // Limits, timers, the responders and the site table: swapped on reload (live_settings.h).
  const LiveSettingsHolder* live = nullptr;
  std::vector<WorkerSiteShared> sites;  // by SiteIndex, at least one
  AccessLog* access_log = nullptr;  // nullptr: off
  std::atomic<std::uint64_t>* open_connections = nullptr;  // all workers
  AddressLimiter* limiter = nullptr;
  TlsContextHolder* tls = nullptr;  // nullptr: no --tls-listen
  std::uint64_t memory_bytes = 0;       // this worker's share
  std::uint64_t memory_object_max = 0;
  pull::PullSettings pull;              // this worker's share (memory_bytes)
  // RFC 9111 §4.4 after a pass on worker `from`: the other workers drop the
  // key (Worker::request_pull_invalidation). Thread-safe; empty: none.
  std::function<void(unsigned from, std::uint16_t site, const std::string& key)> invalidate_pulled;
  std::size_t open_files = 0;           // this worker's share, split between the sites
  // The histograms' rows (sized once): the sites' names, then, with [site.*]
  // sections, empty rows for sites a reload may add and "-" (responses no
  // site answered) last; an index past the end counts under the last. The
  // access log names sites from LiveSettings::site_names.
  std::vector<std::string> site_names{"default"};
};

class Worker {
 public:
  Worker(unsigned index, const WorkerShared& shared);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Takes ownership of a listening socket (before start()); tls: its
  // connections are TlsConnections made from WorkerShared::tls.
  void add_listener(UniqueFd fd, bool tls = false);
  void start();
  // Thread-safe: stop accepting, finish in-flight responses (bounded), exit.
  void request_stop();
  // Thread-safe: take the LiveSettings now in WorkerShared::live.
  void request_reconfigure();
  // Thread-safe: drop this worker's pulled objects of `site` under `path`
  // (an admin purge, pulled_purge.h); `done` runs on this worker's thread
  // with how many went.
  void request_pull_purge(std::uint16_t site, std::string path, std::function<void(std::size_t)> done);
  // Thread-safe: drop this worker's pulled objects of `site` stored under
  // exactly `key` (a pass's invalidation, RFC 9111 §4.4); nobody waits.
  void request_pull_invalidation(std::uint16_t site, std::string key);
  void join();

  const WorkerStats& stats() const { return stats_; }
  // The worker whose thread this is (set while its loop runs or it tears down).
  static Worker* current() { return current_; }

  // --- used by Connection ---
  event_base* base() const { return base_; }
  const ServerSettings& settings() const { return live_->server; }
  const http::Responder& responder() const { return live_->responder; }
  const LiveSettings& live() const { return *live_; }
  WorkerStats& stats() { return stats_; }
  std::uint64_t now_ms();
  // Aborting a slow reader frees its queued send buffer inside close():
  // thousands dropped in one loop turn (they all reach the grace together)
  // stall every other client of the worker. False once this turn has used
  // its share; the caller retries on a later turn.
  bool take_abort_slot();
  std::string_view date();  // IMF-fixdate of now, refreshed once a second
  // The site's current snapshot (picks up a new one if published).
  const Catalog* catalog(std::size_t site);
  TieredCache& cache(std::size_t site) { return sites_[site]->cache; }
  // A sender found a blob file shorter than promised: reported to the store that opened it.
  void short_file(const OpenBlob& file);
  http::HeaderField* header_storage() { return headers_.data(); }
  http::HeadCache& heads() { return heads_; }
  // The pull-through gateway, made on first use (a site that pulls).
  pull::PullService& pull();
  const pull::PullService* pull_if_started() const { return pull_.get(); }
  ConnectionBuffers* acquire_buffers();
  void release_buffers(ConnectionBuffers* buffers);
  // --- response accounting, protocol-neutral (HTTP/2 streams use it too) ---
  // A response was queued: counts it and returns its pending record, the
  // access log line's head appended to log_text. The rest is the caller's:
  // start and end (where the response lies in its byte stream, if it uses
  // ExchangeQueue) and first_byte_us, stamped when its first byte is handed
  // to the socket (an HTTP/2 stream: its HEADERS frame).
  PendingExchange begin_exchange(const PeerAddress& peer, const http::Request& request,
                                 const http::ResponseSummary& summary, std::string_view protocol, std::string& log_text);
  // Its last byte was handed to the socket (or the connection was closed
  // under it): records the histograms and writes the log line.
  void finish_exchange(const PendingExchange& exchange, std::string_view log_head, std::uint64_t last_byte_us);
  // Loop turn's cached clock in microseconds (no syscall).
  std::uint64_t now_us();

  // --- HTTP/1 connections ---
  // A response was queued on b.output: begin_exchange, offsets from b.
  void log_request(ConnectionBuffers& b, const PeerAddress& peer, const http::Request& request,
                   const http::ResponseSummary& summary);
  // n more bytes of b.output were handed to the socket.
  void exchanges_sent(ConnectionBuffers& b, std::uint64_t n);
  // HTTP/2 (SessionHost): a stream's frame was queued, or the stream closed.
  void stream_frame_queued(ConnectionBuffers& b, std::int32_t stream_id, bool ends);
  void stream_closed(ConnectionBuffers& b, std::int32_t stream_id, std::uint64_t body_bytes);
  void connection_closed(Connection* connection);
  // The connection finished its responses and waits for the next request:
  // it becomes the most recently idle, the last to be shed.
  void connection_idle(Connection* connection);
  // 0 if the request may proceed, else milliseconds until one would be allowed.
  std::uint64_t admit_request(const AddressLimiter::Ticket& ticket);
  AddressLimiter* limiter() { return shared_.limiter; }
  // The timeout to pass event_add for ms: libevent's O(1) common-timeout
  // queue for the keep-alive and header timeouts (what every idle connection
  // waits on), a plain timeval otherwise.
  timeval timeout(std::uint64_t ms) const;
  // True when ev's timer already fires timeout (from timeout()) after the
  // loop's cached now: libevent re-arms a persistent event's timer before it
  // runs the callback, so an event_add there with the same timeout changes
  // nothing but costs a queue removal and insertion.
  bool timer_due_in(const event* ev, const timeval& timeout);

 private:
  static void on_accept(evutil_socket_t fd, short what, void* self);
  static void on_accept_tls(evutil_socket_t fd, short what, void* self);
  static void on_tick(evutil_socket_t fd, short what, void* self);
  static void on_stop(evutil_socket_t fd, short what, void* self);
  void accept_ready(int listen_fd, bool tls);
  // TCP_NODELAY and send-lowat, which the sockets it accepts inherit.
  void set_accepted_socket_options(int listen_fd) const;
  Connection* make_connection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, bool tls);
  // A connection not taken: a canned 429 (too_many: the per-address limit)
  // or 503 over HTTP/1, a GOAWAY over h2c, nothing over TLS (closed).
  void refuse(int fd, bool too_many, bool tls);
  bool shed_idle_connection();
  void unlink(Connection* connection);
  void publish_stats();
  void publish_probe_stats();  // with pull_ (its prober, if any)
  // Finishes what b's queue holds: everything (closing), or what is sent.
  void settle_exchanges(ConnectionBuffers& b, bool closing);
  // HTTP/2 streams not wholly queued when the connection goes: timed to the close.
  void finish_open_streams(ConnectionBuffers& b);
  void append_log(std::string_view text);
  void reconfigure();
  void run();

  static thread_local Worker* current_;
  unsigned index_;
  WorkerShared shared_;
  event_base* base_ = nullptr;
  // Common timeouts: one queue each instead of a slot per connection in the
  // timer heap (8 bytes and O(log n) per re-arm).
  timeval keepalive_timeout_{};
  timeval header_timeout_{};
  std::vector<UniqueFd> listen_fds_;
  std::vector<event*> listen_events_;
  event* tick_ = nullptr;
  std::shared_ptr<const LiveSettings> live_;
  std::unique_ptr<Wakeup> stop_;  // the cross-thread entries into this loop: stop and reconfigure
  std::unique_ptr<Wakeup> reconfigure_;
  struct PullPurge {
    std::uint16_t site;
    std::string path;
    std::function<void(std::size_t)> done;  // may be empty (an invalidation: nobody waits)
    bool exact = false;  // that key only, even when it ends with '/' (RFC 9111 §4.4)
  };
  std::unique_ptr<Wakeup> pull_purge_;
  std::mutex pull_purges_mutex_;
  std::vector<PullPurge> pull_purges_;  // under the mutex: the admin thread adds, the loop takes
  std::unique_ptr<Wakeup> pull_compressed_;  // the compressor thread's variants are ready (pull_compression.h)
  std::thread thread_;
  bool stopping_ = false;

  // One per site, by SiteIndex: the site's store (fd cache), the tiers over
  // it and its catalog reference. The memory tier is shared: it is keyed by
  // the blob's content hash, so two sites' identical blobs are one object and
  // one site's blob is never another's unless the bytes are the same.
  struct SiteState {
    SiteState(const WorkerSiteShared& shared, std::size_t open_files, MemoryTier& memory, const ContentHash& key_salt)
        : holder(shared.catalog), store(shared.store_root, open_files, shared.quarantine), cache(store, memory, key_salt) {}
    CatalogHolder* holder;
    BlobStore store;
    TieredCache cache;
    std::shared_ptr<const Catalog> catalog;
    std::uint64_t catalog_version = 0;
  };
  MemoryTier memory_;
  std::vector<std::unique_ptr<SiteState>> sites_;
  std::vector<http::HeaderField> headers_;
  http::HeadCache heads_;
  std::vector<ConnectionBuffers*> pool_;
  // All connections, most recently idle first: shedding takes from the tail.
  Connection* connections_ = nullptr;
  Connection* connections_tail_ = nullptr;
  std::string log_buffer_;
  std::int64_t date_second_ = -1;
  std::uint64_t abort_turn_ = 0;  // the loop turn's cached time, in microseconds
  unsigned aborts_in_turn_ = 0;
  char date_[32] = {};
  SslCtxPtr tls_ctx_;  // this worker's reference on the context in service
  std::uint64_t tls_version_ = 0;
  UniqueFd spare_fd_;  // released when out of fds, to accept-and-close (EMFILE)
  WorkerStats stats_;
  std::unique_ptr<pull::PullService> pull_;  // after every connection: they hold its exchanges
};

}  // namespace relais
