// A pull-through answer that comes later on an HTTP/2 stream (the
// StreamSink side of session_stream.h, and the session's bookkeeping of
// those answers: their log lines, their room, their end).
#include <nghttp2/nghttp2.h>

#include <string>
#include <vector>

#include "edge/proto/h2/request_builder.h"
#include "edge/proto/h2/session.h"
#include "edge/proto/h2/session_stream.h"

namespace relais::h2 {

void Session::Stream::head(const http::Response& response) {
  if (session.closing_) return;
  session.submit(*this, response);
  session.wake();
}

std::size_t Session::Stream::body(std::string_view piece) {
  if (session.closing_) return 0;
  // The same bound as an HTTP/1 connection's send queue, over all of this
  // connection's later answers: past it the fetch window holds the bytes.
  if (session.later_bytes_ >= session.limits_.max_pending_output) {
    wants_room = true;
    return 0;
  }
  data.arrive(piece);
  session.later_bytes_ += piece.size();
  if (!body_waiting && data.unsent() > 0) {
    body_waiting = true;
    ++session.waiting_bodies_;
  }
  (void)nghttp2_session_resume_data(session.session_, id);  // fails harmlessly when not deferred
  session.wake();
  return piece.size();
}

void Session::Stream::end(const http::ResponseSummary& result, bool whole) {
  if (session.closing_) return;
  summary = result;
  complete = whole;
  ended = true;
  // A cut body is never ended with END_STREAM (the client would take it
  // for whole): the data source stays open and send() resets the stream.
  if (whole && data.open()) {
    data.finish();
    (void)nghttp2_session_resume_data(session.session_, id);
  }
  session.ended_.push_back(id);
  session.wake();
}

void Session::wake() {
  if (wake_) wake_();
}

void Session::log_ended(Env& env) {
  for (const std::int32_t id : ended_) {
    const auto it = streams_.find(id);
    if (it == streams_.end()) continue;  // reset meanwhile: dropped with it
    Stream& st = *it->second;
    http::Request request;
    (void)rebuild(st, request);
    env.host.log(request, st.summary);
    forget_later(st);
    st.pending.reset();  // its exchange has ended
    if (!st.complete) {
      // The origin cut the body after its head: a reset tells the client,
      // and is ours, not one the client caused (abuse budget).
      ++own_resets_;
      (void)nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_INTERNAL_ERROR);
    }
  }
  ended_.clear();
}

void Session::resume_wanting() {
  if (later_ == 0 || later_bytes_ >= limits_.max_pending_output) return;
  // resume() may feed the stream at once, and may make the fetch feed others.
  std::vector<std::int32_t> wanting;
  for (const auto& [id, st] : streams_) {
    if (st->wants_room) wanting.push_back(id);
  }
  for (const std::int32_t id : wanting) {
    const auto it = streams_.find(id);
    if (it == streams_.end() || it->second->pending == nullptr) continue;
    it->second->wants_room = false;
    it->second->pending->resume();
  }
}

void Session::forget_later(Stream& st) {
  if (!st.later) return;
  st.later = false;
  --later_;
  std::string().swap(st.bytes);
  std::vector<Stream::Span>().swap(st.fields);
}

}  // namespace relais::h2
