// The socket side of a pull-through answer that comes later (pull_sink.h):
// the turn the sink asks for, and the end of the answer (logged, dropped).
#include "edge/server/connection.h"

#include "edge/server/worker.h"

namespace relais {

bool Connection::pull_in_flight() const { return buffers_ != nullptr && buffers_->pull != nullptr && buffers_->pull->in_flight(); }

void Connection::wake_for_pull() {
  if (phase_ != Phase::lingering) event_active(&event_, EV_WRITE, 0);
}

void Connection::wait_for_origin() {
  // Not the client's delay: no send timeout. The origin client's own
  // timeouts (connect, first byte, between bytes) bound the wait; the timer
  // here only re-arms. The client is watched for a close (which leaves the
  // fetch) while its input has room; a full input (pipelined requests held
  // back) stops reading, or a readable socket would wake us for ever.
  phase_ = Phase::reading;
  const bool room = buffers_->input_length < buffers_->input_capacity;
  arm(room ? EV_READ : 0, worker().settings().header_timeout_ms);
}

bool Connection::finish_pull() {
  ConnectionBuffers& b = *buffers_;
  PullSink& sink = *b.pull;
  const http::Request request = sink.logged_request();
  worker().log_request(b, peer_, request, sink.summary());  // which names its site
  worker().exchanges_sent(b, 0);  // its bytes are out already: the line is complete
  const bool complete = sink.complete();
  const bool close = sink.summary().close;
  sink.reset();
  if (!complete) {
    // The origin cut the body after its head promised more: a reset, not a
    // FIN the client could take for the end of the response.
    abort_now();
    return false;
  }
  if (close) stop_parsing_ = true;
  return true;
}

}  // namespace relais
