#include "edge/server/worker.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <utility>

#include "edge/http/http_date.h"
#include "edge/server/connection.h"
#include "edge/server/peer_address.h"
#include "edge/server/request_log_line.h"
#include "edge/server/tls_connection.h"
#include "origin-sync/assert.h"

namespace relais {
namespace {

// A memory-tier key salt for one site (tiered_cache.h): 128 random bits.
ContentHash random_key_salt() {
  std::random_device random;
  auto word = [&random] { return (static_cast<std::uint64_t>(random()) << 32) ^ random(); };
  return ContentHash{word(), word()};
}


// New connections taken per wake-up of a listener, so one busy listener does
// not starve the connections already open on this worker.
constexpr int kAcceptBatch = 64;
// Buffers kept for reuse; beyond this, released buffers are freed, so the pool
// is bounded by the busiest moment, not by the connection count.
constexpr std::size_t kMaxPooledBuffers = 256;

timeval to_timeval(std::uint64_t ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

timeval common_timeout(event_base* base, std::uint64_t ms) {
  const timeval tv = to_timeval(ms);
  const timeval* common = event_base_init_common_timeout(base, &tv);
  return common != nullptr ? *common : tv;  // a plain timeout still works, only slower
}

}  // namespace

thread_local Worker* Worker::current_ = nullptr;

ConnectionBuffers::ConnectionBuffers(std::size_t input_cap, std::size_t scratch_cap)
    : input(input_cap > 0 ? new char[input_cap] : nullptr),  // parked buffers (0, 0) allocate nothing here
      input_capacity(input_cap),
      scratch(scratch_cap > 0 ? new char[scratch_cap] : nullptr),
      scratch_capacity(scratch_cap) {}

Worker::Worker(unsigned index, const WorkerShared& shared)
    : index_(index),
      shared_(shared),
      live_(shared.live->current()),
      memory_(shared.memory_bytes, shared.memory_object_max),
      headers_(live_->server.limits.max_headers),
      stats_(shared.site_names.size(), shared.pull.probe.enabled() ? shared.pull.probe_origins.size() : 0) {
  RELAIS_ASSERT(!shared.sites.empty());
  const std::size_t open_files = std::max<std::size_t>(1, shared.open_files / shared.sites.size());
  // Several sites share this worker's memory tier: each gets its own random
  // key salt (tiered_cache.h), unknown to any publisher. One site alone keeps
  // the plain content hash.
  for (const WorkerSiteShared& site : shared.sites)
    sites_.push_back(std::make_unique<SiteState>(site, open_files, memory_,
                                                 shared.sites.size() == 1 ? ContentHash{} : random_key_salt()));
  event_config* cfg = event_config_new();
  // One thread owns this base; only the stop event is activated from outside.
  event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
  base_ = event_base_new_with_config(cfg);
  event_config_free(cfg);
  RELAIS_ASSERT(base_ != nullptr);
  keepalive_timeout_ = common_timeout(base_, settings().keepalive_timeout_ms);
  header_timeout_ = common_timeout(base_, settings().header_timeout_ms);  // the same queue if equal
  tick_ = event_new(base_, -1, EV_PERSIST, &Worker::on_tick, this);
  stop_ = std::make_unique<Wakeup>(base_, [this] { on_stop(-1, 0, this); });
  reconfigure_ = std::make_unique<Wakeup>(base_, [this] { reconfigure(); });
  pull_purge_ = std::make_unique<Wakeup>(base_, [this] {
    std::vector<PullPurge> purges;
    {
      std::lock_guard lock(pull_purges_mutex_);
      purges.swap(pull_purges_);
    }
    for (PullPurge& p : purges) {
      // The table's keys: "SITE /path[?query]" (pull_service.cc).
      const std::string key = std::to_string(p.site) + (p.path.starts_with('/') ? " " : " /") + p.path;
      const std::size_t removed = pull_ == nullptr ? 0
                                  : p.exact          ? pull_->table().invalidate(key)
                                                     : pull_->table().purge(key, key.ends_with('/'));
      if (pull_ != nullptr && p.exact) pull_->stats().invalidated += removed;
      if (p.done) p.done(removed);
    }
  });
  pull_compressed_ = std::make_unique<Wakeup>(base_, [this] {
    if (pull_ != nullptr) pull_->collect_compressed();
  });
  spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  RELAIS_ASSERT(!shared_.site_names.empty());  // site 0 is the one every request has until sites exist
}

Worker::~Worker() {
  Worker* previous = std::exchange(current_, this);  // connections reach their worker through it
  while (connections_ != nullptr) connection_closed(connections_);
  current_ = previous;
  // Lines of the responses those connections were cut under.
  if (shared_.access_log != nullptr && !log_buffer_.empty()) shared_.access_log->submit(std::move(log_buffer_));
  for (event* e : listen_events_) event_free(e);
  event_free(tick_);
  stop_.reset();
  reconfigure_.reset();
  pull_purge_.reset();
  for (ConnectionBuffers* b : pool_) delete b;
  pull_.reset();  // its origin client's events live on the base
  pull_compressed_.reset();  // after pull_: its compressor thread notifies it
  event_base_free(base_);
}

void Worker::add_listener(UniqueFd fd, bool tls) {
  RELAIS_ASSERT(!tls || shared_.tls != nullptr);
  event* e = event_new(base_, fd.get(), EV_READ | EV_PERSIST, tls ? &Worker::on_accept_tls : &Worker::on_accept, this);
  event_add(e, nullptr);
  listen_events_.push_back(e);
  set_accepted_socket_options(fd.get());
  listen_fds_.push_back(std::move(fd));
}

void Worker::set_accepted_socket_options(int listen_fd) const {
  // Set on the listener, not on each accepted socket: Linux copies a
  // listener's TCP options into the sockets it accepts, so a spike of new
  // clients costs two system calls fewer each (bench/spike).
  int one = 1;
  (void)::setsockopt(listen_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Writes stop (EAGAIN) once this much is queued unsent: a slow reader
  // holds ~lowat + its window in the kernel, not a 4 MiB send buffer.
  // 0 is the kernel's default (net.ipv4.tcp_notsent_lowat).
  int lowat = static_cast<int>(std::min<std::uint64_t>(settings().send_lowat, INT32_MAX));
  (void)::setsockopt(listen_fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
}

void Worker::start() {
  timeval second{1, 0};
  event_add(tick_, &second);
  thread_ = std::thread([this] { run(); });
}

void Worker::run() {
  current_ = this;
  // Probes start with the worker, before any client asks (pull_service.h).
  if (shared_.pull.probe.enabled() && !shared_.pull.probe_origins.empty()) (void)pull();
  event_base_dispatch(base_);
  if (shared_.access_log != nullptr) shared_.access_log->submit(std::move(log_buffer_));
}

void Worker::request_stop() { stop_->notify(); }

void Worker::request_reconfigure() { reconfigure_->notify(); }

void Worker::request_pull_purge(std::uint16_t site, std::string path, std::function<void(std::size_t)> done) {
  {
    std::lock_guard lock(pull_purges_mutex_);
    pull_purges_.push_back(PullPurge{site, std::move(path), std::move(done)});
  }
  pull_purge_->notify();
}

void Worker::request_pull_invalidation(std::uint16_t site, std::string key) {
  {
    std::lock_guard lock(pull_purges_mutex_);
    pull_purges_.push_back(PullPurge{site, std::move(key), {}, true});
  }
  pull_purge_->notify();
}

void Worker::reconfigure() {
  // Between two callbacks: no request is half-way through the old values.
  // The head limits never change live (live_settings.h), so the header
  // array and the pooled buffers keep fitting.
  live_ = shared_.live->current();
  // Sites added by this reload: opened here, on this worker's thread, before
  // a request can be routed to them (the snapshot just taken routes there).
  const std::size_t open_files = std::max<std::size_t>(1, shared_.open_files / std::max<std::size_t>(1, live_->site_state.size()));
  for (std::size_t i = sites_.size(); i < live_->site_state.size(); ++i)
    sites_.push_back(std::make_unique<SiteState>(live_->site_state[i], open_files, memory_, random_key_salt()));
  keepalive_timeout_ = common_timeout(base_, settings().keepalive_timeout_ms);
  header_timeout_ = common_timeout(base_, settings().header_timeout_ms);
  for (const UniqueFd& fd : listen_fds_) set_accepted_socket_options(fd.get());  // send-lowat is live
}

pull::PullService& Worker::pull() {
  if (pull_ == nullptr) {
    pull::PullSettings settings = shared_.pull;
    settings.worker = index_;  // names the worker in its probes' log lines
    if (shared_.invalidate_pulled) {
      settings.invalidate_elsewhere = [this](std::uint16_t site, const std::string& key) {
        shared_.invalidate_pulled(index_, site, key);
      };
    }
    pull_ = std::make_unique<pull::PullService>(
        base_, std::move(settings), [this] { return static_cast<std::int64_t>(now_us() / 1'000'000); },
        [this] { return date(); }, [this] { pull_compressed_->notify(); });
  }
  return *pull_;
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::on_stop(evutil_socket_t, short, void* self) {
  auto* w = static_cast<Worker*>(self);
  w->stopping_ = true;
  for (event* e : w->listen_events_) event_del(e);
  w->listen_fds_.clear();
  // Idle connections close now; busy ones finish their response, then close.
  for (Connection* c = w->connections_; c != nullptr;) {
    Connection* next = c->next;
    c->drain();
    c = next;
  }
  event_del(w->tick_);
  if (w->pull_ != nullptr) w->pull_->stop_probes();  // a drain waits for clients, never for probes
  // Bounded: whatever is still writing after this is cut.
  const timeval grace = to_timeval(w->settings().drain_timeout_ms);
  event_base_loopexit(w->base_, &grace);
  if (w->connections_ == nullptr) event_base_loopbreak(w->base_);
}

void Worker::on_tick(evutil_socket_t, short, void* self) { static_cast<Worker*>(self)->publish_stats(); }

void Worker::publish_stats() {
  const MemoryTierStats& m = memory_.stats();
  stats_.memory_used_bytes.set(m.used_bytes);
  stats_.memory_objects.set(m.objects);
  stats_.memory_evictions.set(m.evictions);
  BlobStoreStats b;
  std::size_t open_files = 0;
  for (const auto& site : sites_) {
    open_files += site->store.open_files();
    b.short_files += site->store.stats().short_files;
    b.refused += site->store.stats().refused;
    b.corrupt += site->store.stats().corrupt;
  }
  stats_.open_blob_files.set(open_files);
  stats_.blob_short.set(b.short_files);
  stats_.blob_refused.set(b.refused);
  stats_.blob_corrupt.set(b.corrupt);
  if (pull_ != nullptr) {
    const pull::PullStats& p = pull_->stats();
    stats_.pull_hit.set(p.hit);
    stats_.pull_miss.set(p.miss);
    stats_.pull_stale.set(p.stale);
    stats_.pull_revalidated.set(p.revalidated);
    stats_.pull_coalesced.set(p.coalesced);
    stats_.pull_errors.set(p.errors);
    stats_.pull_pass.set(p.pass);
    stats_.pull_invalidated.set(p.invalidated);
    stats_.pull_waiters.set(pull_->coalescer().waiters());
    stats_.pull_objects.set(pull_->table().objects());
    stats_.pull_used_bytes.set(pull_->table().used_bytes());
    stats_.pull_held_bytes.set(pull_->coalescer().held_bytes());
    stats_.pull_compressed.set(p.compressed);
    stats_.pull_compress_skipped.set(p.compress_skipped);
    stats_.pull_compress_saved_bytes.set(p.compress_saved_bytes);
    const upstream::OriginHealthStats& health = pull_->coalescer().health().stats();
    stats_.pull_origin_failovers.set(health.failovers);
    stats_.pull_origins_marked_down.set(health.marked_down);
    stats_.pull_lagged.set(pull_->coalescer().lagged_cut());
    publish_probe_stats();
  }
  if (sites_[0]->catalog) stats_.catalog_generation.set(sites_[0]->catalog->generation());
  if (shared_.access_log != nullptr && !log_buffer_.empty()) shared_.access_log->submit(std::move(log_buffer_));
  // Pick up new catalogs even when no request arrives (the old one is released).
  for (std::size_t i = 0; i < sites_.size(); ++i) (void)catalog(i);
}

void Worker::publish_probe_stats() {
  const upstream::OriginProber* prober = pull_->prober();
  if (prober == nullptr) return;
  stats_.pull_health_probes.set(prober->stats().sent);
  stats_.pull_health_probe_failures.set(prober->stats().failed);
  const upstream::OriginHealth& health = pull_->coalescer().health();
  const auto now = upstream::OriginHealth::Clock::now();
  const auto& origins = prober->origins();
  for (std::size_t i = 0; i < origins.size() && i < stats_.pull_origin_down.size(); ++i)
    stats_.pull_origin_down[i].set(health.down(origins[i].base_url, now) ? 1 : 0);
}

void Worker::on_accept(evutil_socket_t fd, short, void* self) { static_cast<Worker*>(self)->accept_ready(fd, false); }
void Worker::on_accept_tls(evutil_socket_t fd, short, void* self) { static_cast<Worker*>(self)->accept_ready(fd, true); }

Connection* Worker::make_connection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, bool tls) {
  if (!tls) return new Connection(fd, peer, ticket);
  // A reload published a new context: new handshakes use it, connections
  // already open keep the one their SSL holds.
  if (std::uint64_t version = shared_.tls->version(); version != tls_version_) {
    tls_ctx_ = shared_.tls->acquire();
    tls_version_ = version;
  }
  return TlsConnection::accept(fd, peer, ticket, tls_ctx_.get());
}

void Worker::refuse(int fd, bool too_many, bool tls) {
  // Refused fast and cheaply: a canned answer, no buffer, no state.
  static constexpr char kBusy[] =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 5\r\nConnection: close\r\n\r\n";
  static constexpr char kTooMany[] =
      "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
  // RFC 9113 §3.4 and §6.8: the server's preface (an empty SETTINGS), then
  // GOAWAY with no stream taken: ENHANCE_YOUR_CALM for the per-address
  // limit, REFUSED_STREAM when the edge is full or stopping (retry elsewhere).
  static constexpr char kHttp2Calm[] = "\0\0\0\x04\0\0\0\0\0" "\0\0\x08\x07\0\0\0\0\0" "\0\0\0\0" "\0\0\0\x0b";
  static constexpr char kHttp2Refused[] = "\0\0\0\x04\0\0\0\0\0" "\0\0\x08\x07\0\0\0\0\0" "\0\0\0\0" "\0\0\0\x07";
  (too_many ? stats_.address_refused : stats_.connections_refused).add();
  // Before a TLS handshake any plaintext is a TLS error to the client: close.
  if (!tls) {
    // An h2c client with prior knowledge sends the preface at once (and
    // with --defer-accept it is already here): answer in its protocol.
    constexpr std::string_view kPreface("PRI * HTTP/2.0\r\n", 16);
    char first[16];
    const ssize_t n = ::recv(fd, first, sizeof first, MSG_PEEK | MSG_DONTWAIT);
    const bool h2c = settings().http2 && n == static_cast<ssize_t>(sizeof first) && std::string_view(first, sizeof first) == kPreface;
    const std::string_view answer = h2c ? std::string_view(too_many ? kHttp2Calm : kHttp2Refused, sizeof kHttp2Calm - 1)
                                        : too_many ? std::string_view(kTooMany, sizeof kTooMany - 1)
                                                   : std::string_view(kBusy, sizeof kBusy - 1);
    (void)::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  ::close(fd);
}

bool Worker::shed_idle_connection() {
  // The longest-idle keep-alive connections sit at the tail; a few steps
  // suffice, busy connections near the tail are skipped, never cut.
  Connection* c = connections_tail_;
  for (int steps = 0; c != nullptr && steps < 16; ++steps, c = c->prev) {
    if (c->waiting_for_next_request()) {
      stats_.idle_shed.add();
      c->close_now();
      return true;
    }
  }
  return false;
}

void Worker::accept_ready(int listen_fd, bool tls) {
  for (int i = 0; i < kAcceptBatch; ++i) {
    sockaddr_storage address;
    socklen_t length = sizeof address;
    int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if ((errno == EMFILE || errno == ENFILE) && spare_fd_.valid()) {
        // Out of descriptors: free the spare one, take the connection off the
        // queue and close it, so the client gets a quick reset instead of
        // waiting in a backlog we cannot serve (libuv/nginx technique).
        spare_fd_.reset();
        int victim = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (victim >= 0) refuse(victim, false, tls);
        spare_fd_.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      }
      return;  // EAGAIN or an error: wait for the next readiness
    }
    stats_.connections_accepted.add();
    if (stopping_) {
      refuse(fd, false, tls);
      continue;
    }
    const std::uint64_t max = settings().max_connections;
    std::uint64_t open = shared_.open_connections->load(std::memory_order_relaxed);
    if (open >= static_cast<std::uint64_t>(static_cast<double>(max) * settings().shed_idle_above)) shed_idle_connection();
    if (shared_.open_connections->fetch_add(1, std::memory_order_relaxed) >= max) {
      shared_.open_connections->fetch_sub(1, std::memory_order_relaxed);
      refuse(fd, false, tls);
      continue;
    }
    PeerAddress peer = PeerAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&address));
    AddressLimiter::Ticket ticket;
    if (shared_.limiter != nullptr && shared_.limiter->enabled()) {
      ticket = shared_.limiter->ticket(peer);
      if (!shared_.limiter->open_connection(ticket, now_ms())) {
        shared_.open_connections->fetch_sub(1, std::memory_order_relaxed);
        refuse(fd, true, tls);
        continue;
      }
    }
    Connection* c = make_connection(fd, peer, ticket, tls);
    if (c == nullptr) {
      if (ticket.limited()) shared_.limiter->close_connection(ticket);
      shared_.open_connections->fetch_sub(1, std::memory_order_relaxed);
      ::close(fd);
      continue;
    }
    c->next = connections_;
    if (connections_ != nullptr) connections_->prev = c;
    connections_ = c;
    if (connections_tail_ == nullptr) connections_tail_ = c;
    stats_.connections_open.add();
    c->start();
  }
}

void Worker::unlink(Connection* c) {
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (connections_ == c) connections_ = c->next;
  if (connections_tail_ == c) connections_tail_ = c->prev;
  c->prev = c->next = nullptr;
}

void Worker::connection_idle(Connection* c) {
  if (connections_ == c) return;
  unlink(c);
  c->next = connections_;
  if (connections_ != nullptr) connections_->prev = c;
  connections_ = c;
  if (connections_tail_ == nullptr) connections_tail_ = c;
}

std::uint64_t Worker::admit_request(const AddressLimiter::Ticket& ticket) {
  if (!ticket.limited()) return 0;
  return shared_.limiter->admit_request(ticket, now_ms());
}

void Worker::connection_closed(Connection* c) {
  unlink(c);
  if (c->ticket().limited()) shared_.limiter->close_connection(c->ticket());
  Connection::destroy(c);
  shared_.open_connections->fetch_sub(1, std::memory_order_relaxed);
  stats_.connections_open.set(stats_.connections_open.get() - 1);
  if (stopping_ && connections_ == nullptr) event_base_loopbreak(base_);
}

timeval Worker::timeout(std::uint64_t ms) const {
  const ServerSettings& s = settings();
  if (ms == s.keepalive_timeout_ms) return keepalive_timeout_;
  if (ms == s.header_timeout_ms) return header_timeout_;
  return to_timeval(ms);
}

bool Worker::timer_due_in(const event* ev, const timeval& timeout) {
  // A common timeout keeps its queue number above the microseconds
  // (libevent's MICROSECONDS_MASK); a wrong mask would only mean no match.
  constexpr suseconds_t kMicrosecondsMask = 0x000fffff;
  timeval expiry;
  if (event_pending(ev, EV_TIMEOUT, &expiry) == 0) return false;
  timeval now;
  event_base_gettimeofday_cached(base_, &now);
  timeval delay = timeout;
  delay.tv_usec &= kMicrosecondsMask;
  timeval due;
  evutil_timeradd(&now, &delay, &due);
  return due.tv_sec == expiry.tv_sec && due.tv_usec == expiry.tv_usec;
}

std::uint64_t Worker::now_ms() {
  timeval tv;
  event_base_gettimeofday_cached(base_, &tv);
  return static_cast<std::uint64_t>(tv.tv_sec) * 1000 + static_cast<std::uint64_t>(tv.tv_usec) / 1000;
}

bool Worker::take_abort_slot() {
  // About 16 x 1 MiB of queued skbs to free: a few milliseconds at most.
  constexpr unsigned kAbortsPerTurn = 16;
  timeval tv;
  event_base_gettimeofday_cached(base_, &tv);  // one value per loop turn
  const std::uint64_t turn = static_cast<std::uint64_t>(tv.tv_sec) * 1'000'000 + static_cast<std::uint64_t>(tv.tv_usec);
  if (turn != abort_turn_) {
    abort_turn_ = turn;
    aborts_in_turn_ = 0;
  }
  return aborts_in_turn_++ < kAbortsPerTurn;
}

std::string_view Worker::date() {
  timeval tv;
  event_base_gettimeofday_cached(base_, &tv);
  if (tv.tv_sec != date_second_) {
    date_second_ = tv.tv_sec;
    http::format_http_date(tv.tv_sec, date_);
  }
  return std::string_view(date_, http::kHttpDateLength);
}

const Catalog* Worker::catalog(std::size_t index) {
  SiteState& site = *sites_[index];
  std::uint64_t version = site.holder->version();
  if (version != site.catalog_version) {
    site.catalog = site.holder->current();
    site.catalog_version = version;
  }
  return site.catalog.get();
}

void Worker::short_file(const OpenBlob& file) {
  for (const auto& site : sites_) {
    if (site->store.holds(file)) return site->store.short_file(file);
  }
  sites_[0]->store.short_file(file);  // no longer cached by any: counted all the same
}

ConnectionBuffers* Worker::acquire_buffers() {
  if (!pool_.empty()) {
    ConnectionBuffers* b = pool_.back();
    pool_.pop_back();
    return b;
  }
  const ServerSettings& s = settings();
  // Room for one maximal head plus the start of the next pipelined one.
  return new ConnectionBuffers(s.limits.max_head_bytes + 4096, s.limits.max_target_bytes + 1);
}

void Worker::release_buffers(ConnectionBuffers* b) {
  settle_exchanges(*b, true);  // a connection closed under its responses: logged as far as they got
  finish_open_streams(*b);
  b->input_length = 0;
  b->framing.reset_body();
  b->corked = false;  // the socket it was set on is closed or done with its response
  b->http2 = ConnectionBuffers::Http2{};  // the session's streams release their bodies first
  b->pull.reset();  // an answer still coming: its client is gone, the fetch is left
  b->output.consume(b->output.pending_bytes());
  if (pool_.size() >= kMaxPooledBuffers || b->parked()) {
    delete b;
    return;
  }
  pool_.push_back(b);
}

}  // namespace relais
