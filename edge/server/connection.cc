#include "edge/server/connection.h"

#include <event2/event.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "edge/proto/h1/session.h"
#include "edge/server/tls_connection.h"
#include "edge/server/worker.h"
#include "origin-sync/assert.h"

namespace relais {
namespace {

// HTTP/2 sends a body frame by frame (16 KiB each unless the client raised
// SETTINGS_MAX_FRAME_SIZE). From a file each frame costs a sendfile() plus a
// write of its 9-byte header, with TCP_CORK set and cleared around it (4
// syscalls per 16 KiB); from RAM one writev() carries up to 32 frames with
// their headers. So over HTTP/2 a body the memory tier holds is sent from RAM
// whatever its size (--sendfile-min is an HTTP/1 choice); one it does not
// hold still comes from its file.
constexpr bool kHttp2FilesInKernel = false;

// The connection as its session's host (HTTP/1, and HTTP/2 through the same
// calls): the worker's services and this connection's address, limiter
// ticket and SNI name.
class Http1Host final : public http::SessionHost {
 public:
  // server_name: the connection's SNI name (TLS only, empty if none).
  // connection: set for HTTP/1, which can answer a pull-through request later (pull_sink.h).
  Http1Host(ConnectionBuffers& buffers, const PeerAddress& peer, const AddressLimiter::Ticket& ticket,
            bool files_in_kernel, bool tls, std::string_view server_name = {}, Connection* connection = nullptr)
      : worker_(*Worker::current()), buffers_(buffers), peer_(peer), ticket_(ticket), files_in_kernel_(files_in_kernel),
        tls_(tls), server_name_(server_name), connection_(connection) {}

  http::RequestContext request_context(const http::Request& request) override {
    http::RequestContext context;
    context.date = worker_.date();
    context.tls = tls_;
    const LiveSettings& live = worker_.live();
    const SiteRoute route = live.sites.route(request.host, server_name_, tls_);
    if (route.site == kNoSite) {
      context.refuse_status = route.refuse;
      return context;
    }
    context.site = route.site;
    if (live.named_sites) context.site_name = live.site_names[route.site];
    context.responder = &live.site_responders[route.site];
    context.catalog = worker_.catalog(route.site);
    context.cache = &worker_.cache(route.site);
    if (files_in_kernel_) context.file_body_min = worker_.settings().sendfile_min;
    if (context.responder->settings().pull.mode != http::PullMode::manifest) {
      context.pull = &worker_.pull();
      context.client = peer_.key();
      if (connection_ != nullptr && request.version_major != 2) {
        if (buffers_.pull == nullptr) buffers_.pull = std::make_unique<PullSink>(*connection_, buffers_.output);
        context.stream = buffers_.pull.get();
        context.pending = &buffers_.pull->pending;
        // Before respond(): a request joining a fetch whose head came is
        // answered inside it (Coalescer::join), with this request's version.
        buffers_.pull->begin(request, worker_.settings().max_pending_output);
      }
    }
    return context;
  }
  std::string_view date() override { return worker_.date(); }
  std::uint64_t admit_request() override { return worker_.admit_request(ticket_); }
  void log(const http::Request& request, const http::ResponseSummary& summary) override {
    worker_.log_request(buffers_, peer_, request, summary);
  }
  void stream_frame_queued(std::int32_t stream_id, bool ends) override {
    worker_.stream_frame_queued(buffers_, stream_id, ends);
  }
  void stream_closed(std::int32_t stream_id, std::uint64_t body_bytes) override {
    worker_.stream_closed(buffers_, stream_id, body_bytes);
  }
  void count_parse_error() override { worker_.stats().parse_errors.add(); }
  void count_rate_limited() override { worker_.stats().rate_limited.add(); }
  std::uint64_t now_ms() override { return worker_.now_ms(); }

 private:
  Worker& worker_;
  ConnectionBuffers& buffers_;
  const PeerAddress& peer_;
  const AddressLimiter::Ticket& ticket_;
  bool files_in_kernel_;
  bool tls_;
  std::string_view server_name_;
  Connection* connection_;
};

http::SessionLimits session_limits(const ServerSettings& s) {
  return http::SessionLimits{s.limits, s.max_pending_output, s.max_requests_per_connection, s.max_discarded_body};
}

http::Session make_session(ConnectionBuffers& b, const http::SessionLimits& limits, Http1Host& host) {
  Worker& w = *Worker::current();
  return http::Session(limits, w.responder(), w.header_storage(), &w.heads(), host,
                       http::SessionIo{b.input.get(), b.input_length, std::span<char>(b.scratch.get(), b.scratch_capacity),
                                       b.output, b.framing, b.head_started_ms});
}

// A head that did not arrive in time: answered outside any request, logged, then closed.
void send_error(ConnectionBuffers& b, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, std::uint16_t status) {
  Http1Host host(b, peer, ticket, false, false);
  const http::SessionLimits limits = session_limits(Worker::current()->settings());
  host.log(http::Request{}, make_session(b, limits, host).send_error(status, false, true));
}

}  // namespace

Worker& Connection::worker() { return *Worker::current(); }

// The plain connection's footprint is a stated target (header comment):
// TLS state lives in TlsConnection, never here.
static_assert(sizeof(AddressLimiter::Ticket) == 8, "the ticket lives in every idle connection");
static_assert(sizeof(Connection) <= 184, "an idle plain connection must stay within a 192-byte malloc chunk");

Connection::Connection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket)
    : Connection(fd, peer, ticket, false) {}

Connection::Connection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, bool tls)
    : ticket_(ticket), peer_(peer), tls_(tls) {
  event_assign(&event_, worker().base(), fd, event_flags(EV_READ), &Connection::on_event, this);
}

Connection::~Connection() {
  event_del(&event_);
  if (buffers_ != nullptr) worker().release_buffers(buffers_);
  ::close(fd());
}

bool Connection::waiting_for_next_request() const {
  return phase_ == Phase::reading && requests_ > 0 && (idle() || buffers_->parked());
}

void Connection::start() { arm(EV_READ, worker().settings().header_timeout_ms); }

void Connection::drain() {
  draining_ = true;
  if (buffers_ != nullptr && buffers_->http2.session != nullptr) {
    // GOAWAY on this connection's next turn (on_http2_timeout); open streams finish.
    if (phase_ == Phase::reading) arm(EV_READ, 1);
    return;
  }
  // Idle: a short wait for a request already on its way (server_settings.h,
  // drain_idle_ms); it is answered with Connection: close, silence closes.
  if (idle() && phase_ == Phase::reading) arm(EV_READ, worker().settings().drain_idle_ms);
}

// Reads on a plain socket are edge-triggered: level-triggered epoll puts every
// socket it reported back on its ready list and polls it again at the next
// epoll_wait, a second tcp_poll per request on a keep-alive connection. The
// price is to read until a short read (input_maybe_left_), and to ask for
// EV_CLOSED: a FIN that came with the data leaves no edge after a short read.
// TLS stays level-triggered: OpenSSL may stop reading with records left in
// the socket. Writes on a plain socket are edge-triggered too, on purpose:
// libevent's changelist carries the read event's EV_ET into the EPOLL_CTL_MOD
// that switches to EPOLLOUT anyway, so the mode is stated rather than
// inherited. An edge comes after EAGAIN; a flush that stops on its budget
// instead asks for its own turn (schedule_write_turn).
short Connection::event_flags(short events) const {
  if (tls_) return static_cast<short>(events | EV_PERSIST);
  return static_cast<short>(events | EV_PERSIST | EV_ET | ((events & EV_READ) ? EV_CLOSED : 0));
}

void Connection::arm(short events, std::uint64_t timeout_ms) {
  timeval tv = worker().timeout(timeout_ms);
  const short flags = event_flags(events);
  if (event_get_events(&event_) != flags) {
    const int socket = fd();
    event_del(&event_);
    event_assign(&event_, worker().base(), socket, flags, &Connection::on_event, this);
    event_add(&event_, &tv);
  } else if (!worker().timer_due_in(&event_, tv)) {  // the keep-alive re-arm after each response is
    event_add(&event_, &tv);                        // usually one libevent already made
  }
  // Input the socket will not signal again: decrypted bytes OpenSSL holds, or
  // what a plain read left (input_maybe_left_).
  if ((events & EV_READ) && transport_has_buffered_input()) event_active(&event_, EV_READ, 0);
}

void Connection::on_event(evutil_socket_t, short what, void* self) {
  auto* c = static_cast<Connection*>(self);
  if (c->tls_ && c->phase_ != Phase::lingering && !c->tls().established()) {
    c->tls().on_handshake_event(what);
    return;
  }
  if ((what & (EV_TIMEOUT | EV_WRITE)) != 0 && (what & (EV_READ | EV_CLOSED)) != 0) {
    // A readable edge that came with a timer or a write turn (a pulled
    // answer's wake-up is an EV_WRITE activation): only one handler runs, and
    // an edge-triggered socket will not signal those bytes again. Whoever
    // arms the read next finds them (arm()). Lost, an HTTP/2 client's
    // WINDOW_UPDATE sat unread until the stream was cut as a slow reader.
    c->input_maybe_left_ = true;
  }
  if (what & EV_TIMEOUT) {
    c->on_timeout();
  } else if (what & EV_WRITE) {
    c->on_writable();
  } else if (what & (EV_READ | EV_CLOSED)) {
    c->on_readable((what & EV_CLOSED) != 0);
  }
}

void Connection::on_timeout() {
  const ServerSettings& s = worker().settings();
  if (phase_ == Phase::reading && buffers_ != nullptr && buffers_->http2.session != nullptr) {
    on_http2_timeout();
    return;
  }
  if (phase_ == Phase::reading && pull_in_flight()) {
    wait_for_origin();
    return;
  }
  if (phase_ == Phase::reading && buffers_ != nullptr && buffers_->input_length > 0) {
    // A head that did not arrive in time: slowloris or a dead link. 408 and close.
    worker().stats().header_timeouts.add();
    stop_parsing_ = true;
    send_error(*buffers_, peer_, ticket_, 408);
    buffers_->input_length = 0;
    flush_output();
    return;
  }
  if (phase_ == Phase::writing) {
    if (buffers_->write_turn_due) {
      // The turn flush_output() asked for: back to the slow-reader watch,
      // then write the next budget.
      arm(EV_WRITE, write_check_interval());
      on_writable();
      return;
    }
    const bool slow = too_slow_reader();
    if (!slow && worker().now_ms() - buffers_->last_progress_ms < s.send_timeout_ms) {
      arm(EV_WRITE, write_check_interval());  // progress was made: keep watching
      return;
    }
    if (!worker().take_abort_slot()) {
      arm(EV_WRITE, 1);  // this turn has freed its share of send buffers: the next one
      return;
    }
    (slow ? worker().stats().slow_readers : worker().stats().send_timeouts).add();
    abort_now();
    return;
  }
  // A body to discard that did not arrive in time: answered already, so no 408.
  if (buffers_ != nullptr && buffers_->framing.discarding()) worker().stats().header_timeouts.add();
  close_now();
}

void Connection::on_readable(bool peer_closed) {
  if (phase_ == Phase::lingering) {
    char sink[4096];
    ssize_t n;
    do {  // to a short read: edge-triggered, the socket will not signal what is left
      n = ::recv(fd(), sink, sizeof sink, 0);
      if (n > 0) linger_kib_ = (linger_kib_ + (n + 1023) / 1024) & 0x7fff;  // closes long before it wraps
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) ||
          std::uint64_t{linger_kib_} * 1024 > worker().settings().linger_max_bytes) {
        close_now();
        return;
      }
    } while (n == static_cast<ssize_t>(sizeof sink) || (peer_closed && n > 0));
    return;
  }
  if (buffers_ == nullptr) buffers_ = worker().acquire_buffers();  // head_started_ms: set with the first byte
  if (buffers_->parked()) unpark_http2();
  ConnectionBuffers& b = *buffers_;
  if (b.input_length == b.input_capacity) {
    // Full: the parser bounds a head below the capacity, so what is there
    // is complete requests held back by backpressure. Serve them first.
    process_input();
    flush_output();
    return;
  }
  const std::size_t space = b.input_capacity - b.input_length;
  IoResult r = transport_read(b.input.get() + b.input_length, space);
  // After EV_CLOSED, the FIN is still to be read even after a short read.
  input_maybe_left_ = r.status == IoStatus::progress && (r.bytes == space || peer_closed);
  if (r.status == IoStatus::again) return;
  if (r.status == IoStatus::failed) {
    close_now();
    return;
  }
  const std::size_t n = r.bytes;
  if (r.status == IoStatus::closed) {
    // The client half-closed: answer what it already sent, then close.
    peer_shut_write_ = true;
    if (b.input_length == 0 && b.output.empty()) {
      close_now();
      return;
    }
  }
  // The first byte of a head starts its deadline; body bytes do not restart
  // the deadline of the body they belong to (rearm_for_reading).
  if (b.input_length == 0 && n > 0 && !b.framing.discarding()) b.head_started_ms = worker().now_ms();
  b.input_length += n;
  process_input();
  flush_output();
}

// HTTP/1 framing is the session's (edge/proto/h1/session.h): the
// connection lends it the buffers and keeps its flags in bit fields.
void Connection::process_input() {
  if (buffers_->http2.session == nullptr && requests_ == 0 && worker().settings().http2) {
    const Protocol protocol = choose_protocol();
    if (protocol == Protocol::undecided) return;  // a prefix of the h2c preface: wait (header timeout)
    if (protocol == Protocol::http2 && !start_http2()) return;
  }
  if (buffers_->http2.session != nullptr) {
    process_http2_input();
    return;
  }
  if (pull_in_flight()) {
    held_back_ = true;  // one answer at a time: the next request waits for this one's end
    return;
  }
  Http1Host host(*buffers_, peer_, ticket_, transport_sends_files_in_kernel(), tls_,
                 tls_ ? tls().server_name() : std::string_view(), this);
  const http::SessionLimits limits = session_limits(worker().settings());
  http::SessionFlags flags{requests_, stop_parsing_, held_back_, orderly_close_, draining_};
  make_session(*buffers_, limits, host).feed(flags);
  requests_ = flags.requests;
  stop_parsing_ = flags.stop_parsing;
  held_back_ = flags.held_back;
  orderly_close_ = flags.orderly_close;
}

bool Connection::rearm_for_reading() {
  const ServerSettings& s = worker().settings();
  if (buffers_ != nullptr && buffers_->http2.session != nullptr) {
    park_http2();
    arm(EV_READ, http2_read_timeout());
    return true;
  }
  if (buffers_ != nullptr && (buffers_->input_length > 0 || buffers_->framing.discarding())) {
    // A partial head, or a body still to discard: the deadline counts from
    // the head's first byte (or the body's start), whatever the client
    // trickles in since (slowloris, slow body).
    std::uint64_t elapsed = worker().now_ms() - buffers_->head_started_ms;
    std::uint64_t left = elapsed >= s.header_timeout_ms ? 1 : s.header_timeout_ms - elapsed;
    arm(EV_READ, left);
    return true;
  }
  release_buffers_if_done();
  if (draining_) {
    close_now();
    return false;
  }
  if (requests_ > 0 && idle()) worker().connection_idle(this);
  arm(EV_READ, requests_ == 0 ? s.header_timeout_ms : s.keepalive_timeout_ms);
  return true;
}

void Connection::release_buffers_if_done() {
  if (buffers_ == nullptr || pull_in_flight()) return;
  if (buffers_->input_length == 0 && buffers_->output.empty() && !buffers_->framing.discarding()) {
    worker().release_buffers(buffers_);
    buffers_ = nullptr;
  }
}

bool Connection::start_lingering() {
  if (peer_shut_write_) {
    close_now();
    return false;
  }
  if (orderly_close_) {
    transport_shutdown();
    close_now();
    return false;
  }
  phase_ = Phase::lingering;
  transport_shutdown();
  if (buffers_ != nullptr) {
    buffers_->input_length = 0;
    worker().release_buffers(buffers_);
    buffers_ = nullptr;
  }
  arm(EV_READ, worker().settings().linger_timeout_ms);
  return true;
}

void Connection::abort_now() {
  // RST instead of FIN: the kernel drops what is still queued for this
  // client, so a slow reader stops holding socket memory the moment we
  // give up on it, not when it finally reads it.
  linger l{1, 0};
  (void)::setsockopt(fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close_now();
}

void Connection::close_now() {
  worker().connection_closed(this);  // unlinks and deletes
}

// ---- HTTP/2: the calls that need the session host above; the rest of the
// socket side of an h2::Session is in connection_http2.cc ----

void Connection::process_http2_input() {
  ConnectionBuffers& b = *buffers_;
  if (!stop_parsing_) {
    Http1Host host(b, peer_, ticket_, kHttp2FilesInKernel, tls_, tls_ ? tls().server_name() : std::string_view());
    h2::Env env{worker().responder(), host, b.output, std::span<char>(b.scratch.get(), b.scratch_capacity)};
    if (!b.http2.session->receive(b.input.get(), b.input_length, env)) stop_parsing_ = true;
  }
  b.input_length = 0;  // nghttp2 took all of it (it keeps a partial frame itself)
  pump_http2();
}

void Connection::pump_http2() {
  ConnectionBuffers& b = *buffers_;
  h2::Session& session = *b.http2.session;
  // A drain: RFC 9113 §6.8, the shutdown notice first, the final GOAWAY
  // (NO_ERROR, the last stream taken) once the client answered the PING sent
  // after it, or a drain period later, so the streams a client opened before
  // it saw the notice are answered, not refused. Or
  // max-requests-per-connection streams taken: GOAWAY at once. The open
  // streams finish.
  if (draining_ && !session.shutdown_announced() && !session.going_away()) {
    session.announce_shutdown();
    b.http2.goaway_at_ms = worker().now_ms() + worker().settings().drain_idle_ms;
  }
  const bool drained = draining_ && (session.shutdown_notice_acked() || worker().now_ms() >= b.http2.goaway_at_ms);
  if (drained || requests_ >= worker().settings().max_requests_per_connection) session.go_away();
  Http1Host host(b, peer_, ticket_, kHttp2FilesInKernel, tls_, tls_ ? tls().server_name() : std::string_view());
  h2::Env env{worker().responder(), host, b.output, std::span<char>(b.scratch.get(), b.scratch_capacity)};
  const std::uint64_t before = b.output.pending_bytes();
  // A stream kept shut while the connection moves: no byte in the minimum
  // rate's grace is below any rate (or, without one, the send timeout).
  const ServerSettings& s = worker().settings();
  const std::uint64_t stall_ms = s.send_min_rate > 0 ? std::min(s.send_timeout_ms, s.send_min_rate_grace_ms) : s.send_timeout_ms;
  const std::size_t stalled = session.reset_stalled_streams(worker().now_ms(), stall_ms);
  if (stalled > 0) worker().stats().send_timeouts.add(stalled);
  if (!session.send(env)) stop_parsing_ = true;
  watch_http2(b.output.pending_bytes() - before);
}

}  // namespace relais
