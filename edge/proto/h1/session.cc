#include "edge/proto/h1/session.h"

#include <algorithm>
#include <cstring>

#include "edge/proto/h1/response_writer.h"
#include "origin-sync/assert.h"

namespace relais::http {

ResponseSummary Session::send_error(std::uint16_t status, bool head_only, bool close,
                                    std::uint32_t retry_after_seconds) {
  ResponseWriter writer(io_.output, nullptr, 1);
  return responder_.respond_error(status, host_.date(), head_only, close, writer,
                                  retry_after_seconds);
}

void Session::drop_input_front(std::size_t n) {
  std::memmove(io_.input, io_.input + n, io_.input_length - n);
  io_.input_length -= n;
}

bool Session::discard_body(SessionFlags& flags) {
  FramingState& f = io_.framing;
  std::size_t used = 0;
  if (f.chunked_body) {
    auto step = f.chunked.feed(std::string_view(io_.input, io_.input_length));
    used = step.consumed;
    if (step.state == ChunkedDecoder::State::error) {
      host_.count_parse_error();
      host_.log(Request{}, send_error(400, false, true));
      flags.stop_parsing = true;
      io_.input_length = 0;
      return false;
    }
    if (step.state == ChunkedDecoder::State::done) f.chunked_body = false;
  } else {
    used = static_cast<std::size_t>(std::min<std::uint64_t>(f.body_left, io_.input_length));
    f.body_left -= used;
  }
  drop_input_front(used);
  return !f.discarding();
}

bool Session::collect_body(SessionFlags& flags) {
  FramingState& f = io_.framing;
  char* const at = io_.input + f.held_head;
  const std::size_t available = io_.input_length - f.held_head;
  std::size_t used = 0;
  if (f.chunked_body) {
    auto step = f.chunked.feed(std::string_view(at, available), &f.body);
    used = step.consumed;
    if (step.state == ChunkedDecoder::State::error) {
      // Over pull-max-request-body (checked at each chunk size, before its
      // data), or a framing error: the origin never sees any of it.
      const bool too_large = f.chunked.error_reason() == "body too large";
      host_.count_parse_error();
      host_.log(Request{}, send_error(too_large ? 413 : 400, false, true));
      flags.stop_parsing = true;
      io_.input_length = 0;
      f.reset_body();
      return false;
    }
    if (step.state == ChunkedDecoder::State::done) f.chunked_body = false;
  } else {
    used = static_cast<std::size_t>(std::min<std::uint64_t>(f.body_left, available));
    f.body.append(at, used);
    f.body_left -= used;
  }
  std::memmove(at, at + used, available - used);
  io_.input_length -= used;
  return !f.discarding();
}

bool Session::answer(Request& request, RequestContext& context, std::size_t head_bytes, std::size_t& offset,
                     SessionFlags& flags) {
  FramingState& f = io_.framing;
  const bool body_read = f.collecting;
  context.must_close = flags.draining || flags.requests >= limits_.max_requests_per_connection;
  // RFC 9110 §10.1.1: we answer before reading a body the client is waiting
  // to send; closing keeps that body from being read as the next request.
  if (!body_read && request.expect_continue && (request.content_length > 0 || request.chunked)) context.must_close = true;
  ResponseWriter writer(io_.output, heads_, request.version_minor);
  const Responder& responder = context.responder != nullptr ? *context.responder : responder_;
  ResponseSummary summary = responder.respond(request, context, io_.scratch, writer);
  if (!summary.deferred) host_.log(request, summary);  // a deferred answer is logged when it ends
  offset += head_bytes;
  if (body_read) {
    f.reset_body();  // the gateway copied what it forwards
  } else {
    f.body_left = request.content_length;
    f.chunked_body = request.chunked;
  }
  // A body to discard must arrive within header-timeout of its head's end,
  // whatever it trickles: a byte every few seconds would otherwise hold the
  // connection for hours (the keep-alive timer restarts on every read).
  if (f.discarding()) io_.head_started_ms = host_.now_ms();
  if (f.chunked_body) f.chunked = ChunkedDecoder(limits_.max_discarded_body);
  if (summary.deferred) {
    // One answer at a time on HTTP/1: the next pipelined request waits for
    // this one's end (the connection feeds the session again then).
    flags.held_back = true;
    return false;
  }
  if (summary.close) {
    flags.stop_parsing = true;
    // Nothing unread behind a successful last response: no reset can
    // destroy it, so the connection closes without lingering (nginx's
    // lingering_close heuristic); after an error, unread bytes are likely.
    flags.orderly_close = summary.status < 400 && offset == io_.input_length && !f.discarding();
    offset = io_.input_length;
    f.body_left = 0;
    f.chunked_body = false;
    return false;
  }
  if (offset < io_.input_length) io_.head_started_ms = host_.now_ms();  // a pipelined head; else set with its first byte
  return true;
}

void Session::feed(SessionFlags& flags) {
  FramingState& f = io_.framing;
  std::size_t offset = 0;
  flags.held_back = false;
  while (!flags.stop_parsing) {
    if (io_.output.pending_bytes() > limits_.max_pending_output) {
      flags.held_back = true;  // backpressure: resume once the client has read
      break;
    }
    if (f.collecting) {
      // The held head is at the input's front (offset 0): its body first.
      if (!collect_body(flags)) break;
      Request request;
      const ParseOutcome parsed =
          parse_request_head(std::string_view(io_.input, f.held_head), limits_.parser, header_storage_, request);
      RELAIS_ASSERT(parsed.state == ParseState::complete && parsed.head_bytes == f.held_head);
      request.body = f.body;
      RequestContext context = host_.request_context(request);
      if (!answer(request, context, parsed.head_bytes, offset, flags)) break;
      continue;
    }
    if (f.discarding()) {
      if (offset > 0) {
        drop_input_front(offset);
        offset = 0;
      }
      if (!discard_body(flags)) break;
      io_.head_started_ms = host_.now_ms();
      continue;
    }
    if (offset == io_.input_length) break;
    Request request;
    std::string_view window(io_.input + offset, io_.input_length - offset);
    ParseOutcome parsed = parse_request_head(window, limits_.parser, header_storage_, request);
    if (parsed.state == ParseState::incomplete) break;
    if (parsed.state == ParseState::error) {
      // After a framing error nothing that follows can be trusted (RFC 9112 §11.2).
      host_.count_parse_error();
      // Logged with what the parser filled in before it stopped (an empty
      // method or target is logged as "-"), and counted as 4xx, 501 and 505
      // included: all the client's doing (worker_stats.h requests_class()).
      host_.log(request, send_error(parsed.status, false, true));
      flags.stop_parsing = true;
      offset = io_.input_length;
      break;
    }
    ++flags.requests;
    if (std::uint64_t wait_ms = host_.admit_request(); wait_ms > 0) {
      // Over this address's request rate: a cheap 429 (no lookup, no body
      // read) on a connection kept open: closing would make a flood cost us
      // an accept and a close per request instead of one small write.
      host_.count_rate_limited();
      bool close = request.content_length > 0 || request.chunked || !request.keep_alive;
      host_.log(request, send_error(429, request.method == Method::head, close,
                                    static_cast<std::uint32_t>((wait_ms + 999) / 1000)));
      offset += parsed.head_bytes;
      if (close) {
        flags.stop_parsing = true;
        offset = io_.input_length;
        break;
      }
      continue;
    }
    RequestContext context = host_.request_context(request);
    if (request.content_length > 0 || request.chunked) {
      // An unsafe method a pull-through site forwards: its body is read
      // whole, bounded by pull-max-request-body, before it is answered (the
      // origin never sees a partial body, and a client trickling one holds
      // no origin connection). Any other body is discarded after the answer.
      const std::uint64_t collect =
          context.responder != nullptr ? context.responder->settings().pull.request_body_limit(request.method) : 0;
      if (request.content_length > (collect > 0 ? collect : limits_.max_discarded_body)) {
        host_.log(request, send_error(413, request.method == Method::head, true));
        flags.stop_parsing = true;
        offset = io_.input_length;
        break;
      }
      if (collect > 0) {
        if (offset > 0) drop_input_front(offset);
        offset = 0;
        f.collecting = true;
        f.held_head = parsed.head_bytes;
        f.body_left = request.content_length;
        f.chunked_body = request.chunked;
        if (f.chunked_body) f.chunked = ChunkedDecoder(collect);
        f.body.clear();
        f.body.reserve(static_cast<std::size_t>(request.content_length));
        io_.head_started_ms = host_.now_ms();  // the body within header-timeout, as a discarded one
        // RFC 9110 §10.1.1: the client waits for this before it sends the body.
        if (request.expect_continue) io_.output.append_text("HTTP/1.1 100 Continue\r\n\r\n");
        continue;
      }
    }
    if (!answer(request, context, parsed.head_bytes, offset, flags)) break;
  }
  if (offset > 0) drop_input_front(offset);
}

}  // namespace relais::http
