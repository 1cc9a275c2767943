// PullSink: an HTTP/1 connection's StreamSink (http/pull_gateway.h): where
// a pull-through answer that comes later is framed into the connection's
// send queue, head first, then the body as it arrives from the origin
// (Content-Length or chunked, as the origin gave it; close-delimited for
// HTTP/1.0), and the PendingResponse the gateway handed over.
//
// Lives in the connection's pooled buffers (ConnectionBuffers::pull), made
// the first time a request of a pulling site comes on them. One answer at a
// time: the session stops parsing until end() (SessionFlags::held_back).
// The sink never writes to the socket itself (it is called from the origin
// client's callbacks): it asks the connection for a turn (Connection::
// wake_for_pull), where the queue is flushed, the fetch resumed when the
// queue has room again, and the finished answer logged.
// Bounds: at most max_pending_output bytes queued (more is refused: the
// fetch window holds the rest, coalescer.h), so a slow client costs its
// queue and its share of the window, and the send timeout and minimum rate
// apply as to any response.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "edge/http/pull_gateway.h"
#include "edge/http/responder.h"
#include "edge/http/response_buffer.h"

namespace relais {

class Connection;

class PullSink final : public http::StreamSink {
 public:
  PullSink(Connection& connection, http::ResponseBuffer& output) : connection_(connection), output_(output) {}

  // The request that may be deferred, before it is served (a join of a
  // fetch whose head came answers inside respond()): what its log line
  // needs, its version.
  void begin(const http::Request& request, std::uint64_t max_pending_output);
  bool in_flight() const { return pending != nullptr; }

  void head(const http::Response& response) override;
  std::size_t body(std::string_view bytes) override;
  void end(const http::ResponseSummary& summary, bool complete) override;

  // The answer ended and its bytes are queued: true once, then the
  // connection logs it and drops the pending response.
  bool ended() const { return ended_; }
  bool complete() const { return complete_; }
  bool wants_room() const { return wants_room_; }
  void room_given() { wants_room_ = false; }
  const http::ResponseSummary& summary() const { return summary_; }
  // The request as logged (views into this sink).
  http::Request logged_request() const;
  void reset();

  std::unique_ptr<http::PendingResponse> pending;

 private:
  Connection& connection_;
  http::ResponseBuffer& output_;
  std::uint64_t max_pending_ = 0;
  std::uint8_t version_minor_ = 1;
  bool chunked_ = false;
  bool wants_room_ = false;
  bool ended_ = false;
  bool complete_ = false;
  http::ResponseSummary summary_;
  std::string method_, target_, host_;
  http::HeaderField log_fields_[2];
  std::string user_agent_, referer_;
};

}  // namespace relais
