// A request body read for an origin: over HTTP/2 only an unsafe method a
// pull-through site forwards has its DATA read (session.h); every other
// body is discarded unread. Bounded per request and per connection.
#include <nghttp2/nghttp2.h>

#include <charconv>
#include <string>

#include "edge/proto/h2/request_builder.h"
#include "edge/proto/h2/session.h"
#include "edge/proto/h2/session_stream.h"

namespace relais::h2 {

void Session::read_request_body(Stream& st, const std::uint8_t* data, std::size_t length) {
  // Read, so the windows reopen for it (and the discard budget is not charged).
  body_bytes_read_ += length;
  (void)nghttp2_session_consume(session_, st.id, length);
  if (st.request_body.size() + length > st.body_limit) {
    st.body_limit = 0;
    st.body_too_large = true;
    release_request_body(st);
    answer(st);  // 413; the rest of its DATA is discarded
    return;
  }
  if (request_body_held_ + length > st.body_limit) {
    // The connection holds as many body bytes as one request may have
    // (pull-max-request-body), as an HTTP/1 connection does: else 100
    // streams each buffering a body made one address hold ~100 times it
    // (outside attack: 1.2 GB in 12 s). Nothing was forwarded, so
    // REFUSED_STREAM (RFC 9113 §8.7): the client may send it again.
    st.body_limit = 0;
    release_request_body(st);
    (void)nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, st.id, NGHTTP2_REFUSED_STREAM);
    return;
  }
  st.request_body.append(reinterpret_cast<const char*>(data), length);
  request_body_held_ += length;
}

void Session::release_request_body(Stream& st) {
  request_body_held_ -= st.request_body.size();
  std::string().swap(st.request_body);
}

std::uint64_t Session::body_limit_of(Stream& st) {
  if (st.too_large) return 0;
  http::Request request;
  if (rebuild(st, request).status != 0) return 0;
  const http::RequestContext context = env_->host.request_context(request);
  const std::uint64_t limit =
      context.responder != nullptr ? context.responder->settings().pull.request_body_limit(request.method) : 0;
  // A declared length over the bound is a 413 now, before its DATA is read
  // (nghttp2 holds the DATA to the declared length, RFC 9113 §8.1.1).
  for (std::size_t i = 0; i < request.header_count && limit > 0; ++i) {
    if (request.headers[i].name != "content-length") continue;
    const std::string_view v = request.headers[i].value;
    std::uint64_t declared = 0;
    const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), declared);
    if (error == std::errc::result_out_of_range || (error == std::errc() && end == v.data() + v.size() && declared > limit)) {
      st.body_too_large = true;
      return 0;
    }
  }
  return limit;
}

}  // namespace relais::h2
