// Connection: one client TCP connection on a worker: the socket side
// (reads, writes, timers, lingering close) of an HTTP/1.x exchange whose
// framing is an http::Session's (edge/proto/h1/session.h), or of an HTTP/2
// one (edge/proto/h2/session.h), the protocol chosen at the first bytes.
//
// Lifecycle: reading (waiting for or receiving a request head) -> writing
// (responses queued, waiting for the socket) -> back to reading, until the
// client closes, a limit or error says close (then `lingering`: shut our
// side, drain theirs briefly), or the worker stops. An idle connection holds
// only this object (184 bytes) and its kernel socket: its receive buffer and
// response queue come from the worker's pool while a request is in flight and
// go back as soon as everything is written.
#pragma once

#include <event2/event.h>
#include <event2/event_struct.h>
#include <sys/uio.h>

#include <cstdint>

#include "edge/server/address_limiter.h"
#include "edge/server/peer_address.h"
#include "edge/server/transport.h"

namespace relais {

class Worker;
class TlsConnection;
struct ConnectionBuffers;

class Connection {
 public:
  // Lives on the worker thread that accepted it (Worker::current()).
  Connection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket);
  ~Connection();  // not virtual (no vptr in an idle connection): use destroy()
  // Deletes a plain or TLS connection.
  static void destroy(Connection* connection);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Arms the read event; called once after construction.
  void start();
  // Worker shutdown: close after the current response, or when idle after
  // a short wait for a request already sent (ServerSettings::drain_idle_ms).
  void drain();
  bool idle() const { return buffers_ == nullptr; }
  // Between two requests of a keep-alive connection: the first to shed under load.
  // An HTTP/2 connection qualifies while parked (no stream has anything in flight).
  bool waiting_for_next_request() const;
  const AddressLimiter::Ticket& ticket() const { return ticket_; }
  // Closes and deletes this connection.
  void close_now();
  // Same with a reset, discarding what the kernel still holds for the client.
  void abort_now();
  // A pull-through answer moved (pull_sink.h, h2/session_stream.h): a turn of this connection's
  // own soon, never a write from inside the origin client's callback.
  void wake_for_pull();

  // Intrusive list of the worker's connections.
  Connection* prev = nullptr;
  Connection* next = nullptr;

 protected:
  Connection(int fd, const PeerAddress& peer, const AddressLimiter::Ticket& ticket, bool tls);

  enum class Phase : std::uint8_t { reading, writing, lingering };

  static void on_event(evutil_socket_t fd, short what, void* self);
  void on_readable(bool peer_closed);
  void on_writable();
  void on_timeout();

  // Hands the input to the HTTP/1 session (edge/proto/h1/session.h), or to
  // the HTTP/2 one (edge/proto/h2/session.h) when ALPN chose h2 or a plain
  // connection opened with the h2c preface.
  void process_input();
  enum class Protocol : std::uint8_t { http1, http2, undecided };
  Protocol choose_protocol() const;
  void process_http2_input();
  bool start_http2();  // false: refused (the connection closes)
  // Idle between requests, an HTTP/2 connection gives its pooled buffers
  // back and keeps its session in slim ones; it takes pooled ones again
  // when bytes arrive.
  void park_http2();
  void unpark_http2();
  // Moves the HTTP/2 session's frames into the send queue and reads its state.
  void pump_http2();
  // After a send that queued `moved` bytes: stall and rate watch, counters, done.
  void watch_http2(std::uint64_t moved);
  // Output drained: queue more HTTP/2 frames. False if there is nothing more.
  bool refill_http2();
  void on_http2_timeout();
  std::uint64_t http2_read_timeout();
  // When the body waiting for flow-control window breaks the send timeout or
  // the minimum rate, in worker milliseconds (an absolute time).
  std::uint64_t http2_waiting_deadline() const;
  // When the header block in progress is over the header timeout.
  std::uint64_t http2_header_block_deadline() const;
  // GOAWAY(error_code) now, then a lingering close once it is written.
  void end_http2(std::uint32_t error_code);
  // Each returns false when the connection was closed (this is deleted).
  bool flush_output();
  void schedule_write_turn();
  void arm(short events, std::uint64_t timeout_ms);
  short event_flags(short events) const;
  bool rearm_for_reading();
  // The pull-through answer has ended and is written: logged, dropped;
  // false when the connection was closed (a cut body).
  bool finish_pull();
  bool pull_in_flight() const;
  // Everything queued is out and the origin has not sent more yet.
  void wait_for_origin();
  bool start_lingering();
  void release_buffers_if_done();
  bool too_slow_reader();
  std::uint64_t write_check_interval() const;

  static Worker& worker();

  // Transport seam (transport.h, transport.cc): the only places bytes cross
  // the socket; plain syscalls, or the TlsConnection when tls_ is set.
  IoResult transport_read(char* into, std::size_t capacity);
  IoResult transport_write(const iovec* iov, int count, bool more);
  IoResult transport_send_file(int file_fd, std::uint64_t offset, std::size_t length);
  void transport_shutdown();
  // Sends what the transport gathered during the writes before (user-space
  // TLS records, tls_write_batch.h); plain sockets hold nothing.
  IoResult transport_flush();
  // TCP_CORK on plain sockets (no-op over TLS, whose records are written whole).
  void transport_cork(bool on);
  bool transport_has_buffered_input();
  // sendfile() sends a file range without copying it through user space
  // (plain TCP, or kernel TLS): then a large body is cheaper from its file than from RAM.
  bool transport_sends_files_in_kernel();
  TlsConnection& tls();

  // The socket: libevent's event already holds it (4 bytes saved).
  int fd() const { return event_get_fd(&event_); }

  // Laid out for size: an idle connection is this object alone (184 bytes,
  // a 192-byte malloc chunk), so 10 000 idle keep-alive connections cost
  // under 2 MiB. No back-pointer to the worker (thread-local instead), no
  // copy of the fd (in event_), the head timer lives in the pooled buffers,
  // the limiter ticket is 8 bytes, flags are bits.
  struct event event_;
  ConnectionBuffers* buffers_ = nullptr;
  AddressLimiter::Ticket ticket_;
  std::uint32_t requests_ = 0;
  std::uint16_t linger_kib_ : 15 = 0;  // received while lingering, KiB rounded up (the bound is tens of KiB)
  // Plain sockets are read edge-triggered: the last read filled the space
  // given, or came with EV_CLOSED (the FIN is still to be read), so the
  // socket holds more than it will signal again.
  // (Here, in linger_kib_'s spare bit: the connection's size is a target.)
  bool input_maybe_left_ : 1 = false;
  PeerAddress peer_;
  Phase phase_ : 2 = Phase::reading;
  bool stop_parsing_ : 1 = false;     // an error or "close" response: no further request is read
  bool held_back_ : 1 = false;        // parsing paused by backpressure with input left
  bool peer_shut_write_ : 1 = false;  // the client sent FIN: answer what it sent, then close
  bool draining_ : 1 = false;
  bool tls_ : 1 = false;  // this is a TlsConnection (tls_connection.h)
  bool orderly_close_ : 1 = false;  // closing after a successful response with nothing unread: no linger
};

}  // namespace relais
