#include "edge/proto/h2/session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "edge/http/representation.h"
#include "edge/proto/h2/request_builder.h"
#include "edge/proto/h2/session_stream.h"
#include "edge/proto/h2/stream_body.h"
#include "origin-sync/assert.h"

namespace relais::h2 {
namespace {

// Field lines a pulled response passes on over HTTP/2 (origin_head.h keeps
// at most 128 of an origin's).
constexpr std::size_t kMaxForwardedFields = 128;

// The opaque data of the PING sent with a shutdown notice (announce_shutdown).
constexpr std::uint8_t kShutdownPing[8] = {'r', 'e', 'l', 'a', 'i', 's', 'g', 'a'};
constexpr std::int32_t kMaxStreamId = 0x7fffffff;  // a shutdown notice's last stream (nghttp2_submit_shutdown_notice)

// Fields whose value is new for each URL or each request (a dictionary's
// match pattern and id, a range) are sent as literals (RFC 7541 §6.2.3):
// indexed, each one would push the fields every response repeats (server,
// content-type, cache-control, vary) out of our encoder's small table.
// nghttp2 itself never indexes content-length, etag, age and the like.
std::uint8_t index_flag(std::string_view name) {
  return name == "use-as-dictionary" || name == "content-range" ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
}

}  // namespace

struct Session::Callbacks {
  static Session& self(void* user_data) { return *static_cast<Session*>(user_data); }
  static Stream* stream(nghttp2_session* s, std::int32_t id) {
    return static_cast<Stream*>(nghttp2_session_get_stream_user_data(s, id));
  }
  static std::uint64_t now(Session& s) { return s.env_->host.now_ms(); }

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
    Session& s = self(user_data);
    bool within = true;
    // A header block is contiguous (RFC 9113 §4.3): any other frame ends it.
    const bool block_open = (hd->flags & NGHTTP2_FLAG_END_HEADERS) == 0;
    if (hd->type == NGHTTP2_HEADERS && block_open) s.header_block_started_ms_ = now(s);
    s.in_header_block_ = (hd->type == NGHTTP2_HEADERS || hd->type == NGHTTP2_CONTINUATION) && block_open;
    switch (hd->type) {
      case NGHTTP2_HEADERS: s.continuations_ = 0; break;
      // CVE-2024-28182: CONTINUATION frames cost us work even when they carry
      // nothing; a header block gets a bounded number of them.
      case NGHTTP2_CONTINUATION: within = ++s.continuations_ <= s.limits_.max_continuations; break;
      case NGHTTP2_RST_STREAM:  // CVE-2023-44487, Rapid Reset
        ++s.events_.resets_received;
        within = s.budget_.reset(now(s));
        break;
      case NGHTTP2_SETTINGS:
      case NGHTTP2_PING:
      case NGHTTP2_WINDOW_UPDATE:
      case NGHTTP2_PRIORITY: within = s.budget_.control_frame(now(s)); break;
      // CVE-2019-9518: empty DATA frames carry nothing and cost a callback
      // each; one that ends a stream is how a body legitimately ends.
      case NGHTTP2_DATA:
        if (hd->length == 0 && (hd->flags & NGHTTP2_FLAG_END_STREAM) == 0) within = s.budget_.control_frame(now(s));
        break;
      default: break;
    }
    if (within) return 0;
    s.over_budget_ = true;
    return NGHTTP2_ERR_CALLBACK_FAILURE;  // stop reading this connection now
  }

  static int on_begin_headers(nghttp2_session* ng, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    Session& s = self(user_data);
    auto stream = std::make_unique<Stream>(s, frame->hd.stream_id);
    nghttp2_session_set_stream_user_data(ng, stream->id, stream.get());
    s.streams_[stream->id] = std::move(stream);
    return 0;
  }

  static int on_header(nghttp2_session* ng, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t name_length,
                       const std::uint8_t* value, std::size_t value_length, std::uint8_t, void* user_data) {
    Session& s = self(user_data);
    Stream* st = stream(ng, frame->hd.stream_id);
    if (st == nullptr || frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    // HPACK bomb: a few bytes on the wire can decode to a large list; the
    // decoded size is what we would hold, so that is what is bounded
    // (RFC 9113 §6.5.2 accounting, as announced in SETTINGS_MAX_HEADER_LIST_SIZE).
    if (st->too_large) {
      // A few bytes can reference a 4 KB table entry a thousand times, and
      // nghttp2 checks every byte of every field it emits: far past the
      // bound, the block is left to nghttp2 to skip (the stream is reset),
      // so that its cost is the bytes received, not the bytes decoded.
      st->list_bytes = static_cast<std::uint32_t>(
          std::min<std::uint64_t>(std::uint64_t{st->list_bytes} + name_length + value_length + 32, UINT32_MAX));
      return st->list_bytes > 2ull * s.limits_.max_header_list_bytes ? NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE : 0;
    }
    st->list_bytes += static_cast<std::uint32_t>(name_length + value_length + 32);
    const bool cookie = std::string_view(reinterpret_cast<const char*>(name), name_length) == "cookie";
    const bool crumb = cookie && st->cookie_seen;  // a further crumb of the one Cookie field
    st->cookie_seen = st->cookie_seen || cookie;
    if (!crumb) ++st->counted_fields;
    // max_fields regular fields, plus the four pseudo-header fields.
    if (st->list_bytes > s.limits_.max_header_list_bytes || st->counted_fields > s.limits_.max_fields + 4) {
      // RFC 9113 §10.5.1: a 431 tells the client why, where a reset would
      // only make it retry the same block.
      st->too_large = true;
      std::string().swap(st->bytes);
      std::vector<Stream::Span>().swap(st->fields);
      // Each such stream costs like a stream error (MadeYouReset's budget):
      // an HPACK bomb sent stream after stream ends the connection.
      if (!s.budget_.reset(now(s))) {
        s.over_budget_ = true;
        return NGHTTP2_ERR_CALLBACK_FAILURE;
      }
      return 0;
    }
    const auto at = static_cast<std::uint32_t>(st->bytes.size());
    st->bytes.append(reinterpret_cast<const char*>(name), name_length);
    st->bytes.append(reinterpret_cast<const char*>(value), value_length);
    st->fields.push_back(Stream::Span{at, static_cast<std::uint32_t>(name_length),
                                      static_cast<std::uint32_t>(at + name_length), static_cast<std::uint32_t>(value_length)});
    return 0;
  }

  static int on_frame_recv(nghttp2_session* ng, const nghttp2_frame* frame, void* user_data) {
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0 &&
        std::memcmp(frame->ping.opaque_data, kShutdownPing, sizeof frame->ping.opaque_data) == 0)
      self(user_data).notice_acked_ = true;
    Stream* st = stream(ng, frame->hd.stream_id);
    if (st == nullptr) return 0;
    const bool ends = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (st->body_limit > 0) {
      // The body read for the origin is whole (its last DATA, or trailers).
      if (ends) {
        st->body_limit = 0;
        self(user_data).answer(*st);
      }
      return 0;
    }
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST || st->answered) return 0;
    // A request body is not read (session.h): answered at once, but for an
    // unsafe method a pull-through site forwards, answered with its body.
    if (!ends && (st->body_limit = self(user_data).body_limit_of(*st)) > 0) return 0;
    self(user_data).answer(*st);
    return 0;
  }

  static int on_data_chunk_recv(nghttp2_session* ng, std::uint8_t, std::int32_t id, const std::uint8_t* data,
                                std::size_t length, void* user_data) {
    Stream* st = stream(ng, id);
    if (st == nullptr || st->body_limit == 0) return 0;  // discarded: its window is not reopened
    self(user_data).read_request_body(*st, data, length);
    return 0;
  }

  static int on_frame_send(nghttp2_session* ng, const nghttp2_frame* frame, void* user_data) {
    Session& s = self(user_data);
    // The shutdown notice is out: a PING after it, whose ACK comes after every
    // frame the client sent before it read the notice, so once it is back no
    // stream is still on its way (§6.8's round trip). Submitted with the
    // notice, nghttp2 would send it first (PINGs jump its queue).
    if (frame->hd.type == NGHTTP2_GOAWAY && s.announced_ && frame->goaway.last_stream_id == kMaxStreamId)
      (void)nghttp2_submit_ping(ng, NGHTTP2_FLAG_NONE, kShutdownPing);
    const bool ours = frame->hd.type == NGHTTP2_RST_STREAM && frame->rst_stream.error_code == NGHTTP2_INTERNAL_ERROR &&
                      s.own_resets_ > 0;  // a pulled body the origin cut (later_answer.cc)
    if (ours) --s.own_resets_;
    if (frame->hd.type == NGHTTP2_RST_STREAM && frame->rst_stream.error_code != NGHTTP2_NO_ERROR && !ours) {
      // MadeYouReset (CVE-2025-8671): a stream error the client caused costs
      // like a reset it sent.
      ++s.events_.resets_sent;
      if (!s.budget_.reset(now(s))) s.over_budget_ = true;
      // Reset before it was answered (nghttp2 refused a field of its block):
      // logged when it closes, as HTTP/1 logs the 400 of a malformed head.
      if (auto it = s.streams_.find(frame->hd.stream_id); it != s.streams_.end() && !it->second->answered)
        it->second->refused = true;
    }
    // Every GOAWAY with an error is counted here, ours and those nghttp2
    // sends on its own (a malformed frame, a HPACK error, a window overflow).
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR)
      ++s.events_.goaways[frame->goaway.error_code < kErrorCodes ? frame->goaway.error_code : 0];
    // nghttp2 hands back the connection window of the request DATA it
    // discards (streams answered and reset): bounded per connection, since a
    // client could otherwise send bodies stream after stream.
    if (frame->hd.type == NGHTTP2_WINDOW_UPDATE && frame->hd.stream_id == 0) {
      s.window_handed_back_ += static_cast<std::uint32_t>(frame->window_update.window_size_increment);
      if (s.window_handed_back_ > s.limits_.max_discarded_body + s.body_bytes_read_) s.over_budget_ = true;
    }
    const bool response = frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA;
    const bool ends = response && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (response && s.env_ != nullptr) s.env_->host.stream_frame_queued(frame->hd.stream_id, ends);
    // RFC 9113 §8.1: answered before the request ended, the stream is reset
    // with NO_ERROR so the client stops sending a body we do not read.
    if (ends && nghttp2_session_get_stream_remote_close(ng, frame->hd.stream_id) == 0)
      (void)nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t id, std::uint32_t, void* user_data) {
    Session& s = self(user_data);
    auto it = s.streams_.find(id);
    Stream* st = it == s.streams_.end() ? nullptr : it->second.get();
    if (st != nullptr && st->refused && s.env_ != nullptr) s.log_refused(*st);
    // A reset stream is logged with the bytes it sent, not the size it promised.
    if (s.env_ != nullptr) s.env_->host.stream_closed(id, st != nullptr ? st->body_queued : kUnknownBytes);
    if (st == nullptr) return 0;
    if (st->body_waiting) --s.waiting_bodies_;
    s.release_request_body(*st);
    if (st->data.streamed()) s.later_bytes_ -= st->data.unsent();
    s.forget_later(*st);
    s.streams_.erase(it);  // a later answer's fetch is left first (session_stream.h)
    return 0;
  }

  // Frames other than DATA: copied into the send queue (they are small).
  static ssize_t send(nghttp2_session*, const std::uint8_t* data, std::size_t length, int, void* user_data) {
    Session& s = self(user_data);
    http::ResponseBuffer& out = s.env_->output;
    if (out.pending_bytes() > s.limits_.max_pending_output) return NGHTTP2_ERR_WOULDBLOCK;
    out.append_text(std::string_view(reinterpret_cast<const char*>(data), length));
    return static_cast<ssize_t>(length);
  }

  // How many bytes the next DATA frame carries; they are not copied (NO_COPY).
  static ssize_t read_body(nghttp2_session*, std::int32_t, std::uint8_t*, std::size_t length, std::uint32_t* flags,
                           nghttp2_data_source* source, void*) {
    auto* st = static_cast<Stream*>(source->ptr);
    const std::uint64_t n = st->data.take(length);
    // A body still arriving (pull-through) with nothing new yet: nghttp2
    // holds the stream until Stream::body() resumes it.
    if (n == 0 && st->data.open()) return NGHTTP2_ERR_DEFERRED;
    *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
    if (st->data.unclaimed() == 0 && !st->data.open()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }

  // A DATA frame: its 9-byte header as text, its payload as references.
  static int send_data(nghttp2_session*, nghttp2_frame* frame, const std::uint8_t* header, std::size_t length,
                       nghttp2_data_source* source, void* user_data) {
    Session& s = self(user_data);
    http::ResponseBuffer& out = s.env_->output;
    if (out.pending_bytes() > s.limits_.max_pending_output) return NGHTTP2_ERR_WOULDBLOCK;
    RELAIS_ASSERT(frame->data.padlen == 0);  // we never pad
    auto* st = static_cast<Stream*>(source->ptr);
    out.append_text(std::string_view(reinterpret_cast<const char*>(header), 9));
    st->data.append_to(out, length);
    st->body_queued += length;
    if (st->data.streamed()) s.later_bytes_ -= length;
    s.budget_.data_frame_sent(now(s));
    if (st->data.unsent() == 0 && st->body_waiting) {
      st->body_waiting = false;
      --s.waiting_bodies_;
    }
    return 0;
  }

  static nghttp2_session_callbacks* make() {
    nghttp2_session_callbacks* cb = nullptr;
    RELAIS_ASSERT(nghttp2_session_callbacks_new(&cb) == 0);
    nghttp2_session_callbacks_set_on_begin_frame_callback(cb, on_begin_frame);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, on_data_chunk_recv);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, on_stream_close);
    nghttp2_session_callbacks_set_send_callback(cb, send);
    nghttp2_session_callbacks_set_send_data_callback(cb, send_data);
    return cb;
  }
};

// The responder's sink for one stream.
class Session::Sink final : public http::ResponseSink {
 public:
  Sink(Session& session, Stream& stream) : session_(session), stream_(stream) {}
  void send(const http::Response& response) override { session_.submit(stream_, response); }

 private:
  Session& session_;
  Stream& stream_;
};

std::unique_ptr<Session> Session::make(const Limits& limits) {
  struct CallbacksFree {
    void operator()(nghttp2_session_callbacks* cb) const { nghttp2_session_callbacks_del(cb); }
  };
  static const std::unique_ptr<nghttp2_session_callbacks, CallbacksFree> callbacks(Callbacks::make());
  nghttp2_option* option = nullptr;
  if (nghttp2_option_new(&option) != 0) return nullptr;
  // Request bodies are never read: the windows stay as the client found them.
  nghttp2_option_set_no_auto_window_update(option, 1);
  // SETTINGS and PING floods from a client that does not read our ACKs:
  // nghttp2 ends the session past this many queued ACKs.
  nghttp2_option_set_max_outbound_ack(option, 1000);
  nghttp2_option_set_max_settings(option, 32);
  nghttp2_option_set_no_closed_streams(option, 1);
  nghttp2_option_set_max_continuations(option, limits.max_continuations);
  nghttp2_option_set_max_deflate_dynamic_table_size(option, limits.max_deflate_table_bytes);
  const std::uint64_t per_second = limits.max_resets * 1000ull / std::max<std::uint64_t>(limits.budget_window_ms, 1);
  nghttp2_option_set_stream_reset_rate_limit(option, limits.max_resets, std::max<std::uint64_t>(per_second, 1));
  std::unique_ptr<Session> s(new Session(limits));
  s->memory_.making(true);
  const int rv = nghttp2_session_server_new3(&s->session_, callbacks.get(), s.get(), option, s->memory_.mem());
  s->memory_.making(false);
  nghttp2_option_del(option);
  if (rv != 0) return nullptr;
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits.max_header_list_bytes},
  };
  if (nghttp2_submit_settings(s->session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0) return nullptr;
  return s;
}

Session::Session(const Limits& limits)
    : limits_(limits), budget_(limits.max_resets, limits.max_control_frames, limits.budget_window_ms) {}

Session::~Session() {
  // The answers still coming leave their fetches first: leaving may feed
  // another waiter at once, and nothing may reach this session meanwhile.
  closing_ = true;
  for (auto& [id, st] : streams_) st->pending.reset();
  if (session_ != nullptr) nghttp2_session_del(session_);
}

void Session::terminate(std::uint32_t error_code) {
  if (going_away_ && terminated_) return;
  (void)nghttp2_session_terminate_session(session_, error_code);
  going_away_ = terminated_ = true;
}

bool Session::receive(const char* data, std::size_t length, Env& env) {
  env_ = &env;
  const ssize_t rv = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(data), length);
  if (over_budget_) {
    terminate(NGHTTP2_ENHANCE_YOUR_CALM);
  } else if (rv < 0) {
    // A connection error (bad preface, flood nghttp2 detected, malformed
    // frame): GOAWAY if nghttp2 has not queued one, then close.
    const bool flood = rv == NGHTTP2_ERR_FLOODED || rv == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS;
    terminate(flood ? NGHTTP2_ENHANCE_YOUR_CALM : NGHTTP2_PROTOCOL_ERROR);
  }
  env_ = nullptr;
  return !terminated_;
}

bool Session::send(Env& env) {
  env_ = &env;
  log_ended(env);  // before their last frames: the log times a stream by its frames
  int rv = nghttp2_session_send(session_);
  if (over_budget_ && !terminated_) {  // resets we sent (stream errors) went over
    terminate(NGHTTP2_ENHANCE_YOUR_CALM);
    rv = nghttp2_session_send(session_);
  }
  resume_wanting();  // the frames just queued made room for later answers' bytes
  env_ = nullptr;
  return rv == 0 && !terminated_;
}

std::size_t Session::reset_stalled_streams(std::uint64_t now_ms, std::uint64_t timeout_ms) {
  if (waiting_bodies_ == 0 || timeout_ms == 0 || now_ms < next_stall_look_ms_) return 0;
  next_stall_look_ms_ = now_ms + std::max<std::uint64_t>(timeout_ms / 4, 1);
  std::size_t reset = 0;
  for (const auto& [id, st] : streams_) {
    if (!st->body_waiting || st->stall_since_ms == 0 || st->body_queued != st->stall_queued) {
      st->stall_since_ms = st->body_waiting ? now_ms : 0;
      st->stall_queued = st->body_queued;
      continue;
    }
    if (now_ms - st->stall_since_ms < timeout_ms) continue;
    st->stall_since_ms = 0;
    if (nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_ENHANCE_YOUR_CALM) == 0) ++reset;
  }
  return reset;
}

void Session::go_away() {
  if (going_away_) return;
  going_away_ = true;
  (void)nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                              NGHTTP2_NO_ERROR, nullptr, 0);
}

void Session::announce_shutdown() {
  if (announced_ || going_away_) return;
  announced_ = true;
  (void)nghttp2_submit_shutdown_notice(session_);  // the PING follows it (on_frame_send)
}

std::size_t Session::release_idle_memory() {
  // The frame buffer holds a frame only while nghttp2 has one to write.
  if (nghttp2_session_want_write(session_) != 0) return 0;
  // What answering grew for the last header blocks the next one grows again.
  std::vector<http::HeaderField>().swap(fields_);
  std::vector<http::HeaderField>().swap(storage_);
  if (streams_.empty()) decltype(streams_)().swap(streams_);  // its bucket array
  return memory_.release_idle_pages();
}

std::uint64_t Session::body_bytes_queued(std::int32_t stream_id) const {
  const auto it = streams_.find(stream_id);
  return it == streams_.end() ? kUnknownBytes : it->second->body_queued;
}

std::size_t Session::deflate_table_bytes() const { return nghttp2_session_get_hd_deflate_dynamic_table_size(session_); }

bool Session::done() const {
  return later_ == 0 && nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0;
}

Events Session::take_events() {
  Events e = events_;
  events_ = Events{};
  return e;
}

// The one place the session calls its host: the same calls, in the same
// order, as the HTTP/1 session (edge/proto/h1/session.cc) makes per request.
void Session::answer(Stream& st) {
  Env& env = *env_;
  st.answered = true;
  ++requests_;
  ++events_.streams;
  http::Request request;
  const BuildOutcome built = rebuild(st, request);
  const bool head = request.method == http::Method::head;
  Sink sink(*this, st);
  http::ResponseSummary summary;
  request.body = st.request_body;
  if (built.status != 0) {
    env.host.count_parse_error();
    summary = env.responder.respond_error(built.status, env.host.date(), head, false, sink);
  } else if (st.body_too_large) {
    summary = env.responder.respond_error(413, env.host.date(), head, false, sink);
  } else if (std::uint64_t wait_ms = env.host.admit_request(); wait_ms > 0) {
    // Per-address request rate: each stream is a request (a cheap 429, the connection kept).
    env.host.count_rate_limited();
    summary = env.responder.respond_error(429, env.host.date(), head, false, sink,
                                          static_cast<std::uint32_t>((wait_ms + 999) / 1000));
  } else {
    // :authority is Request.host (request_builder.h): the site resolves as over HTTP/1.
    http::RequestContext context = env.host.request_context(request);
    if (context.pull != nullptr) {  // a pull-through answer may come later, to this stream
      context.stream = &st;
      context.pending = &st.pending;
    }
    const http::Responder& responder = context.responder != nullptr ? *context.responder : env.responder;
    summary = responder.respond(request, context, env.scratch, sink);
  }
  release_request_body(st);  // a pass copied what it forwards
  request.body = {};
  if (summary.deferred) {
    // Logged when it ends (log_ended), from its header block, kept till then.
    st.later = true;
    ++later_;
    return;
  }
  env.host.log(request, summary);
  // The request's bytes are done with: a stream waiting for window holds its body alone.
  std::string().swap(st.bytes);
  std::vector<Stream::Span>().swap(st.fields);
}

// A stream nghttp2 reset for a malformed block: a 400 in the log and the
// counters, with the method and target if they came before the bad field.
void Session::log_refused(Stream& st) {
  http::Request request;
  request.version_major = 2;
  request.stream_id = st.id;
  for (const Stream::Span& f : st.fields) {
    const std::string_view name = std::string_view(st.bytes).substr(f.name, f.name_length);
    const std::string_view value = std::string_view(st.bytes).substr(f.value, f.value_length);
    if (name == ":method") request.method_token = value;
    if (name == ":path") request.target = value;
  }
  http::ResponseSummary summary;
  summary.status = 400;
  env_->host.count_parse_error();
  env_->host.log(request, summary);
}

BuildOutcome Session::rebuild(Stream& st, http::Request& request) {
  fields_.clear();
  for (const Stream::Span& f : st.fields)
    fields_.push_back(http::HeaderField{std::string_view(st.bytes).substr(f.name, f.name_length),
                                        std::string_view(st.bytes).substr(f.value, f.value_length)});
  storage_.resize(fields_.size());
  const BuildOutcome built = st.too_large ? BuildOutcome{431, "header list too large"}
                                          : build_request(fields_, limits_.max_target_bytes, storage_.data(), request);
  request.version_major = 2;
  request.stream_id = st.id;
  return built;
}

void Session::submit(Stream& st, const http::Response& r) {
  // nghttp2_submit_response copies names and values, so they may live on this stack.
  std::string values;
  values.reserve(512);
  struct Pending {
    std::string_view name;
    std::size_t at, length;
  };
  // A pulled response's stored fields pass on (Response::forwarded), at most
  // kMaxForwardedFields of them (the origin client keeps no more).
  Pending pending[4 + 12 + http::Response::kMaxFields + 1 + kMaxForwardedFields];
  std::size_t count = 0;
  auto add = [&](std::string_view name, std::string_view value) {
    RELAIS_ASSERT(count < std::size(pending));
    pending[count++] = Pending{name, values.size(), value.size()};
    values.append(value);
  };
  char status[3] = {static_cast<char>('0' + r.status / 100), static_cast<char>('0' + r.status / 10 % 10),
                    static_cast<char>('0' + r.status % 10)};
  add(":status", std::string_view(status, 3));
  add("server", r.server);
  add("date", r.date);
  if (r.representation != nullptr)
    full_representation_fields(*r.representation, [&](const http::FieldName& name, std::string_view value) { add(name.h2, value); });
  for (const http::Field& f : r.fields()) add(f.name->h2, f.value());
  // RFC 9113 §8.2.1: lower-case names; reserved once, so the views stay put.
  const std::span<const http::HeaderField> forwarded = r.forwarded.first(std::min(r.forwarded.size(), kMaxForwardedFields));
  std::string names;
  std::size_t name_bytes = 0;
  for (const http::HeaderField& f : forwarded) name_bytes += f.name.size();
  names.reserve(name_bytes);
  for (const http::HeaderField& f : forwarded) {
    const std::size_t at = names.size();
    for (const char c : f.name) names.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    add(std::string_view(names).substr(at), f.value);
  }
  // A body that comes later (pull-through) with the length the origin gave.
  char length[24];
  if (r.body.kind == http::ResponseBody::Kind::stream && r.body.length_known) {
    const auto [end, ec] = std::to_chars(length, length + sizeof length, r.body.size);
    add("content-length", std::string_view(length, static_cast<std::size_t>(end - length)));
  }
  nghttp2_nv nva[std::size(pending)];
  for (std::size_t i = 0; i < count; ++i) {
    nva[i] = nghttp2_nv{const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(pending[i].name.data())),
                        reinterpret_cast<std::uint8_t*>(values.data() + pending[i].at), pending[i].name.size(),
                        pending[i].length, index_flag(pending[i].name)};
  }
  nghttp2_data_provider provider{};
  const bool has_body = st.data.assign(r.body);
  if (has_body) {
    provider.source.ptr = &st;
    provider.read_callback = Callbacks::read_body;
    // A body still to arrive waits for the origin, not for the client.
    st.body_waiting = st.data.unsent() > 0;
    if (st.body_waiting) ++waiting_bodies_;
  }
  if (nghttp2_submit_response(session_, st.id, nva, count, has_body ? &provider : nullptr) != 0 && has_body) {
    if (st.body_waiting) --waiting_bodies_;  // the stream is gone (reset meanwhile): nothing will be sent
    st.body_waiting = false;
    st.data.clear();
  }
}

}  // namespace relais::h2
