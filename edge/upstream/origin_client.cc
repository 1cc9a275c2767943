#include "edge/upstream/origin_client.h"

#include <curl/curl.h>
#include <event2/event.h>

#include <mutex>
#include <utility>
#include <vector>

#include "origin-sync/assert.h"

namespace relais::upstream {

std::string_view fetch_failure_name(FetchFailure f) {
  switch (f) {
    case FetchFailure::none: return "none";
    case FetchFailure::connect: return "connect";
    case FetchFailure::connect_timeout: return "connect-timeout";
    case FetchFailure::first_byte_timeout: return "first-byte-timeout";
    case FetchFailure::between_bytes_timeout: return "between-bytes-timeout";
    case FetchFailure::too_slow: return "too-slow";
    case FetchFailure::dropped: return "dropped";
    case FetchFailure::bad_response: return "bad-response";
    case FetchFailure::head_too_large: return "head-too-large";
    case FetchFailure::body_too_large: return "body-too-large";
    case FetchFailure::internal: return "internal";
    case FetchFailure::lagged: return "lagged";
  }
  return "internal";
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct EventDeleter {
  void operator()(event* e) const { event_free(e); }
};
using EventPtr = std::unique_ptr<event, EventDeleter>;

struct OriginClient::Fetch {
  OriginClient* client = nullptr;
  FetchId id = 0;
  FetchHandler* handler = nullptr;
  std::unique_ptr<curl_slist, SlistDeleter> fields;  // outlives easy, which points at it
  std::string body;             // a pass's request body: curl reads it from here (CURLOPT_POSTFIELDS)
  std::unique_ptr<CURL, EasyDeleter> easy;
  EventPtr timer;               // first byte, then between bytes
  HeadCollector head;
  std::string buffer;           // body bytes the handler has not taken yet
  std::uint64_t body_bytes = 0;
  FetchFailure abort_reason = FetchFailure::none;  // set before we make curl fail
  FetchOutcome pending;         // a success waiting for the buffer to drain
  bool in_multi = false;
  bool got_first_byte = false;
  // min_rate's window: its start and the bytes since (reset by our own pause).
  std::chrono::steady_clock::time_point window_start{};
  std::uint64_t window_bytes = 0;
  bool head_delivered = false;
  bool paused = false;          // curl paused by CURL_WRITEFUNC_PAUSE
  bool blocked = false;         // the handler took less than offered
  bool curl_done = false;
  bool cancelled = false;
  bool delivering = false;      // inside the handler's on_body

  explicit Fetch(std::size_t max_head) : head(max_head) {}
};

struct OriginClient::SocketWatch {
  OriginClient* client = nullptr;
  curl_socket_t fd = CURL_SOCKET_BAD;
  EventPtr ev;
};

// The C callbacks, as one friend so they reach the client's internals.
struct Callbacks {
  static void arm(OriginClient::Fetch& f, std::chrono::milliseconds after) {
    const timeval tv{static_cast<time_t>(after.count() / 1000), static_cast<suseconds_t>(after.count() % 1000 * 1000)};
    evtimer_add(f.timer.get(), &tv);
  }

  // False when the origin sent under min_rate over the window just ended: a
  // trickle (an outside attack held a client 100 s with a byte every 0.5 s).
  static bool saw_bytes(OriginClient::Fetch& f, std::size_t length) {
    const OriginSettings& s = f.client->settings_;
    const auto now = std::chrono::steady_clock::now();
    if (!f.got_first_byte) f.window_start = now;
    f.got_first_byte = true;
    f.window_bytes += length;
    if (s.min_rate > 0 && now - f.window_start >= s.between_bytes_timeout) {
      const double seconds = std::chrono::duration<double>(now - f.window_start).count();
      if (static_cast<double>(f.window_bytes) < static_cast<double>(s.min_rate) * seconds) return false;
      f.window_start = now;
      f.window_bytes = 0;
    }
    arm(f, s.between_bytes_timeout);
    return true;
  }

  static size_t on_header(char* data, size_t size, size_t n, void* userp) {
    auto& f = *static_cast<OriginClient::Fetch*>(userp);
    const size_t len = size * n;
    if (f.cancelled) return 0;
    if (!saw_bytes(f, len)) {
      f.abort_reason = FetchFailure::too_slow;
      return 0;
    }
    switch (f.head.add_line(std::string_view(data, len))) {
      case HeadCollector::State::reading:
        return len;
      case HeadCollector::State::too_large:
        f.abort_reason = FetchFailure::head_too_large;
        return 0;
      case HeadCollector::State::bad:
        f.abort_reason = FetchFailure::bad_response;
        return 0;
      case HeadCollector::State::complete:
        break;
    }
    if (f.head_delivered) return len;  // trailer lines after a chunked body
    f.head_delivered = true;
    f.handler->on_head(f.head.take());
    return f.cancelled ? 0 : len;
  }

  static size_t on_write(char* data, size_t size, size_t n, void* userp) {
    auto& f = *static_cast<OriginClient::Fetch*>(userp);
    const size_t len = size * n;
    if (f.cancelled) return 0;
    if (f.head.state() != HeadCollector::State::complete) {
      f.abort_reason = FetchFailure::bad_response;  // a body without a head we accepted
      return 0;
    }
    const OriginSettings& s = f.client->settings_;
    if (!f.buffer.empty() || f.blocked) {
      if (f.buffer.size() + len > s.body_buffer_bytes) {
        // Full: curl keeps this chunk and offers it again after resume();
        // the origin's stall while we wait is ours, not a timeout.
        f.paused = true;
        evtimer_del(f.timer.get());
        return CURL_WRITEFUNC_PAUSE;
      }
    }
    if (!saw_bytes(f, len)) {
      f.abort_reason = FetchFailure::too_slow;
      return 0;
    }
    f.body_bytes += len;
    if (f.body_bytes > s.max_body_bytes) {
      f.abort_reason = FetchFailure::body_too_large;
      return 0;
    }
    if (!f.buffer.empty() || f.blocked) {
      f.buffer.append(data, len);
      return len;
    }
    f.delivering = true;
    const size_t took = f.handler->on_body(std::string_view(data, len));
    f.delivering = false;
    if (f.cancelled) return 0;
    RELAIS_ASSERT(took <= len);
    if (took < len) {
      f.buffer.append(data + took, len - took);  // at most one chunk: fits (checked at start)
      f.blocked = true;
    }
    return len;
  }

  static void on_fetch_timer(evutil_socket_t, short, void* userp) {
    auto& f = *static_cast<OriginClient::Fetch*>(userp);
    if (f.cancelled) {
      f.client->destroy(f.id);  // no callback after cancel()
      return;
    }
    const FetchFailure why = f.got_first_byte ? FetchFailure::between_bytes_timeout : FetchFailure::first_byte_timeout;
    f.client->finish(f, {why, std::string(fetch_failure_name(why))});
  }

  static int on_socket(CURL*, curl_socket_t s, int what, void* userp, void* socketp) {
    auto* client = static_cast<OriginClient*>(userp);
    auto* watch = static_cast<OriginClient::SocketWatch*>(socketp);
    if (what == CURL_POLL_REMOVE) {
      if (watch) client->sockets_.erase(watch->fd);
      return 0;
    }
    if (!watch) {
      auto owned = std::make_unique<OriginClient::SocketWatch>();
      watch = owned.get();
      watch->client = client;
      watch->fd = s;
      client->sockets_[s] = std::move(owned);
      curl_multi_assign(static_cast<CURLM*>(client->multi_), s, watch);
    }
    const short kind = static_cast<short>(((what & CURL_POLL_IN) ? EV_READ : 0) |
                                          ((what & CURL_POLL_OUT) ? EV_WRITE : 0) | EV_PERSIST);
    watch->ev.reset(event_new(client->base_, s, kind, on_socket_event, watch));
    RELAIS_ASSERT(watch->ev != nullptr);
    event_add(watch->ev.get(), nullptr);
    return 0;
  }

  static void on_socket_event(evutil_socket_t fd, short events, void* userp) {
    auto* watch = static_cast<OriginClient::SocketWatch*>(userp);
    const int flags = ((events & EV_READ) ? CURL_CSELECT_IN : 0) | ((events & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    watch->client->drive(fd, flags);  // may free watch: not touched after
  }

  static int on_multi_timer(CURLM*, long timeout_ms, void* userp) {
    auto* client = static_cast<OriginClient*>(userp);
    if (timeout_ms < 0) {
      evtimer_del(client->timer_);
      return 0;
    }
    const timeval tv{static_cast<time_t>(timeout_ms / 1000), static_cast<suseconds_t>(timeout_ms % 1000 * 1000)};
    evtimer_add(client->timer_, &tv);
    return 0;
  }

  static void on_multi_timer_event(evutil_socket_t, short, void* userp) {
    static_cast<OriginClient*>(userp)->drive(CURL_SOCKET_TIMEOUT, 0);
  }
};

namespace {

FetchOutcome outcome_of(CURLcode code, const OriginClient::Fetch& f) {
  if (f.abort_reason != FetchFailure::none) return {f.abort_reason, std::string(fetch_failure_name(f.abort_reason))};
  if (code == CURLE_OK) {
    if (f.head.state() != HeadCollector::State::complete) return {FetchFailure::bad_response, "no response head"};
    return {};
  }
  FetchFailure failure = FetchFailure::internal;
  switch (code) {
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
      failure = FetchFailure::connect;
      break;
    case CURLE_OPERATION_TIMEDOUT:
      failure = FetchFailure::connect_timeout;  // the only curl timeout we set
      break;
    case CURLE_PARTIAL_FILE: case CURLE_RECV_ERROR: case CURLE_SEND_ERROR: case CURLE_GOT_NOTHING:
      failure = FetchFailure::dropped;
      break;
    case CURLE_WEIRD_SERVER_REPLY: case CURLE_UNSUPPORTED_PROTOCOL: case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2: case CURLE_HTTP3:
      failure = FetchFailure::bad_response;
      break;
    case CURLE_FILESIZE_EXCEEDED:
      failure = FetchFailure::body_too_large;
      break;
    default:
      break;
  }
  return {failure, curl_easy_strerror(code)};
}

}  // namespace

OriginClient::OriginClient(event_base* base, OriginSettings settings) : base_(base), settings_(settings) {
  RELAIS_ASSERT(base_ != nullptr);
  RELAIS_ASSERT(settings_.body_buffer_bytes >= CURL_MAX_WRITE_SIZE);
  static std::once_flag curl_init_once;
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURLM* multi = curl_multi_init();
  RELAIS_ASSERT(multi != nullptr);
  multi_ = multi;
  timer_ = evtimer_new(base_, Callbacks::on_multi_timer_event, this);
  RELAIS_ASSERT(timer_ != nullptr);
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, Callbacks::on_socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, Callbacks::on_multi_timer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, settings_.max_connections_per_host);
  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, settings_.max_idle_connections);
}

OriginClient::~OriginClient() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  for (auto& [id, f] : fetches_) {
    if (f->in_multi) curl_multi_remove_handle(multi, f->easy.get());
  }
  fetches_.clear();
  curl_multi_cleanup(multi);  // closes the pooled connections; may call on_socket(REMOVE)
  sockets_.clear();
  event_free(timer_);
}

Result<FetchId> OriginClient::start(const OriginTarget& target, const OriginRequest& request, FetchHandler& handler) {
  Result<OriginRequestLines> lines = build_origin_request(target, request);
  if (!lines) return lines.error();
  auto f = std::make_unique<Fetch>(settings_.max_head_bytes);
  f->client = this;
  f->id = next_id_++;
  f->handler = &handler;
  f->easy.reset(curl_easy_init());
  if (!f->easy) return Error::internal("curl_easy_init failed");
  for (const std::string& line : lines->fields) {
    curl_slist* grown = curl_slist_append(f->fields.get(), line.c_str());
    if (!grown) return Error::internal("curl_slist_append failed");
    (void)f->fields.release();
    f->fields.reset(grown);
  }
  CURL* e = f->easy.get();
  curl_easy_setopt(e, CURLOPT_URL, lines->url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->fields.get());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is the origin's answer, cached as such
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);      // our normaliser already decided the path
  curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);  // we store what the origin sends
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(settings_.max_body_bytes));
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, Callbacks::on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, f.get());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Callbacks::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, f.get());
  curl_easy_setopt(e, CURLOPT_PRIVATE, f.get());
  if (request.method == OriginMethod::head) curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if (is_pass_method(request.method)) {
    if (lines->send_body) {
      f->body = request.body;
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(f->body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, f->body.data());
    }
    // The method by name: curl would make a POST of a body otherwise.
    if (request.method != OriginMethod::post || !lines->send_body)
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, std::string(lines->method).c_str());
  }
  f->timer.reset(evtimer_new(base_, Callbacks::on_fetch_timer, f.get()));
  if (!f->timer) return Error::internal("evtimer_new failed");
  // curl forbids multi calls from inside its callbacks: a fetch started
  // from a handler's callback is added once curl has returned.
  const FetchId id = f->id;
  Fetch& fetch = *f;
  fetches_.emplace(id, std::move(f));
  Callbacks::arm(fetch, settings_.first_byte_timeout);
  if (driving_ > 0) {
    pending_adds_.push_back(id);
  } else {
    add_to_multi(fetch);
  }
  return id;
}

void OriginClient::add_to_multi(Fetch& f) {
  if (curl_multi_add_handle(static_cast<CURLM*>(multi_), f.easy.get()) != CURLM_OK) {
    finish(f, {FetchFailure::internal, "curl_multi_add_handle failed"});
    return;
  }
  f.in_multi = true;
}

void OriginClient::drive(int fd, int curl_events) {
  int running = 0;
  ++driving_;
  curl_multi_socket_action(static_cast<CURLM*>(multi_), fd, curl_events, &running);
  --driving_;
  reap_finished();
}

void OriginClient::reap_finished() {
  if (driving_ > 0) return;
  CURLM* multi = static_cast<CURLM*>(multi_);
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Fetch* f = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&f));
    RELAIS_ASSERT(f != nullptr);
    const CURLcode code = msg->data.result;  // msg is invalid after remove_handle
    curl_multi_remove_handle(multi, f->easy.get());
    f->in_multi = false;
    evtimer_del(f->timer.get());
    if (f->cancelled) {
      fetches_.erase(f->id);
      continue;
    }
    FetchOutcome outcome = outcome_of(code, *f);
    if (outcome.ok() && !f->buffer.empty()) {
      f->curl_done = true;  // on_done once the handler has taken the rest
      f->pending = std::move(outcome);
      continue;
    }
    finish(*f, std::move(outcome));
  }
  // Cancelled from inside a callback, and fetches started from one.
  std::vector<FetchId> dead;
  for (auto& [id, f] : fetches_) {
    if (f->cancelled) dead.push_back(id);
  }
  for (FetchId id : dead) destroy(id);
  std::vector<FetchId> adds = std::move(pending_adds_);
  pending_adds_.clear();
  for (FetchId id : adds) {
    auto it = fetches_.find(id);
    if (it != fetches_.end()) add_to_multi(*it->second);
  }
}

void OriginClient::finish(Fetch& f, FetchOutcome outcome) {
  // Out of the table first: a handler that cancels or starts fetches from
  // on_done finds this one gone.
  auto it = fetches_.find(f.id);
  RELAIS_ASSERT(it != fetches_.end());
  std::unique_ptr<Fetch> owned = std::move(it->second);
  fetches_.erase(it);
  if (owned->in_multi) {
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), owned->easy.get());
    owned->in_multi = false;
  }
  evtimer_del(owned->timer.get());
  owned->handler->on_done(outcome);
}

void OriginClient::destroy(FetchId id) {
  auto it = fetches_.find(id);
  if (it == fetches_.end()) return;
  if (it->second->in_multi) curl_multi_remove_handle(static_cast<CURLM*>(multi_), it->second->easy.get());
  fetches_.erase(it);
}

void OriginClient::cancel(FetchId id) {
  auto it = fetches_.find(id);
  if (it == fetches_.end()) return;
  it->second->cancelled = true;
  if (driving_ == 0 && !it->second->delivering) destroy(id);
}

bool OriginClient::paused(FetchId id) const {
  auto it = fetches_.find(id);
  return it != fetches_.end() && it->second->paused;
}

std::size_t OriginClient::buffered(FetchId id) const {
  auto it = fetches_.find(id);
  return it == fetches_.end() ? 0 : it->second->buffer.size();
}

void OriginClient::resume(FetchId id) {
  auto it = fetches_.find(id);
  if (it == fetches_.end()) return;
  Fetch& f = *it->second;
  RELAIS_ASSERT(!f.delivering);  // resume() from inside on_body: take the bytes instead
  if (f.cancelled) return;
  while (!f.buffer.empty()) {
    f.delivering = true;
    const std::size_t took = f.handler->on_body(f.buffer);
    f.delivering = false;
    if (f.cancelled) {
      if (driving_ == 0) destroy(id);
      return;
    }
    RELAIS_ASSERT(took <= f.buffer.size());
    f.buffer.erase(0, took);
    if (!f.buffer.empty()) {
      f.blocked = true;  // still full: wait for the next resume()
      return;
    }
  }
  f.blocked = false;
  if (f.curl_done) {
    finish(f, std::move(f.pending));
    return;
  }
  if (f.paused) {
    f.paused = false;
    // The pause was ours: the rate is measured from here.
    f.window_start = std::chrono::steady_clock::now();
    f.window_bytes = 0;
    Callbacks::arm(f, settings_.between_bytes_timeout);
    // May call on_write at once with the chunk curl held back.
    ++driving_;
    curl_easy_pause(f.easy.get(), CURLPAUSE_CONT);
    --driving_;
    reap_finished();
  }
}

}  // namespace relais::upstream
