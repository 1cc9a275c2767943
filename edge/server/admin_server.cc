#include "edge/server/admin_server.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "edge/proto/h1/request_parser.h"
#include "edge/http/responder.h"
#include "origin-sync/assert.h"

namespace relais {
namespace {

constexpr std::size_t kAdminMaxHead = 8192;
constexpr int kAdminTimeoutSeconds = 5;

// Decodes %XX in a query value; nullopt if malformed.
std::optional<std::string> decode_query_value(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      if (i + 2 >= v.size()) return std::nullopt;
      int hi = hex(v[i + 1]), lo = hex(v[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// One query key of a purge: absent, once (its decoded value), or refused:
// given twice ("site=a&site=b": two readers could take either) or with a
// malformed escape.
struct QueryParameter {
  enum class State { absent, once, refused } state = State::absent;
  std::string value;
};

QueryParameter query_parameter(std::string_view target, std::string_view key) {
  QueryParameter out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.starts_with(key) && pair.size() > key.size() && pair[key.size()] == '=') {
      auto value = decode_query_value(pair.substr(key.size() + 1));
      if (out.state != QueryParameter::State::absent || !value) return {QueryParameter::State::refused, {}};
      out = {QueryParameter::State::once, std::move(*value)};
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

// Constant time, so the token cannot be guessed byte by byte from timings.
bool token_matches(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ expected[i]);
  return diff == 0;
}

struct AdminConnection {
  AdminServer* server;
  const AdminHandlers* handlers;
  bufferevent* bev;
  bool responded = false;
};

void finish(AdminConnection* c) {
  bufferevent_free(c->bev);
  delete c;
}

void on_write(bufferevent*, void* arg) {
  auto* c = static_cast<AdminConnection*>(arg);
  if (c->responded) finish(c);
}

void on_error(bufferevent*, short, void* arg) { finish(static_cast<AdminConnection*>(arg)); }

AdminResponse plain(int status, std::string body, std::string_view allow = {}) {
  return AdminResponse{status, "text/plain; charset=utf-8", std::move(body), allow};
}

// HEAD gets the head GET would get, Content-Length included, and no body.
void respond(AdminConnection* c, const AdminResponse& r, bool head_only) {
  evbuffer* out = bufferevent_get_output(c->bev);
  evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n",
                      r.status, std::string(http::reason_phrase(static_cast<std::uint16_t>(r.status))).c_str(),
                      r.content_type.c_str(), r.body.size());
  if (!r.allow.empty()) evbuffer_add_printf(out, "Allow: %.*s\r\n", static_cast<int>(r.allow.size()), r.allow.data());
  evbuffer_add_printf(out, "Connection: close\r\n\r\n");
  if (!head_only) evbuffer_add(out, r.body.data(), r.body.size());
  c->responded = true;
  bufferevent_disable(c->bev, EV_READ);
}

void on_read(bufferevent* bev, void* arg) {
  auto* c = static_cast<AdminConnection*>(arg);
  if (c->responded) return;
  evbuffer* in = bufferevent_get_input(bev);
  std::size_t length = evbuffer_get_length(in);
  const char* data = reinterpret_cast<const char*>(evbuffer_pullup(in, -1));
  http::ParserLimits limits;
  limits.max_head_bytes = kAdminMaxHead;
  limits.max_target_bytes = 4096;
  limits.max_headers = 32;
  std::vector<http::HeaderField> headers(limits.max_headers);
  http::Request request;
  auto outcome = http::parse_request_head(std::string_view(data, length), limits, headers.data(), request);
  if (outcome.state == http::ParseState::incomplete) return;
  if (outcome.state == http::ParseState::error) {
    respond(c, plain(outcome.status, std::string(outcome.reason) + "\n"), /*head_only=*/false);
    return;
  }
  std::string_view authorization;
  int authorizations = 0;
  for (std::size_t i = 0; i < request.header_count; ++i) {
    if (http::equals_ignore_case(request.headers[i].name, "Authorization")) {
      authorization = request.headers[i].value;
      ++authorizations;
    }
  }
  // Two credentials: a proxy in front may check one and this server the other.
  if (authorizations > 1) {
    respond(c, plain(400, "one Authorization field at most\n"), /*head_only=*/false);
    return;
  }
  respond(c, handle_admin_request(request.method_token, request.target, authorization, *c->handlers),
          request.method == http::Method::head);
}

}  // namespace

AdminResponse handle_admin_request(std::string_view method, std::string_view target, std::string_view authorization,
                                   const AdminHandlers& h) {
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/healthz") {
    if (method != "GET" && method != "HEAD") return plain(405, "GET only\n", "GET, HEAD");
    return plain(h.healthy() ? 200 : 503, h.health_text());
  }
  if (path == "/metrics") {
    if (method != "GET" && method != "HEAD") return plain(405, "GET only\n", "GET, HEAD");
    return {200, "text/plain; version=0.0.4; charset=utf-8", h.metrics(), {}};
  }
  if (path == "/purge") {
    if (method != "POST") return plain(405, "POST only\n", "POST");
    const std::vector<AdminHandlers::Site> sites = h.current_sites ? h.current_sites() : h.sites;
    const bool any_token = !h.token.empty() || std::any_of(sites.begin(), sites.end(), [](const AdminHandlers::Site& s) { return !s.token.empty(); });
    if (!any_token) return plain(403, "purge is disabled: set admin-token\n");
    constexpr std::string_view kBearer = "Bearer ";
    const std::string_view given = authorization.starts_with(kBearer) ? authorization.substr(kBearer.size()) : std::string_view();
    // Every token is compared, whichever matches: the time taken does not say which site a token belongs to.
    const bool edge_token = !given.empty() && !h.token.empty() && token_matches(given, h.token);
    std::size_t token_site = sites.size();
    for (std::size_t i = 0; i < sites.size(); ++i) {
      if (!given.empty() && !sites[i].token.empty() && token_matches(given, sites[i].token)) token_site = i;
    }
    if (!edge_token && token_site == sites.size()) return plain(401, "missing or wrong bearer token\n");
    const QueryParameter what = query_parameter(target, "path");
    const QueryParameter name = query_parameter(target, "site");
    if (what.state == QueryParameter::State::refused || name.state == QueryParameter::State::refused)
      return plain(400, "path and site: each at most once, %XX escapes well-formed\n");
    if (what.value.empty()) return plain(400, "use POST /purge?path=/a/b (or a prefix ending in /)\n");
    // The whole site at once is no purge (a script's empty variable would
    // empty a pulling site's cache, outside attack): a path or a prefix under /.
    if (what.value == "/") return plain(400, "not / alone: a path, or a prefix ending in / under it\n");
    std::size_t site = token_site;
    if (name.state == QueryParameter::State::once) {
      auto named = std::find_if(sites.begin(), sites.end(), [&](const AdminHandlers::Site& s) { return s.name == name.value; });
      if (named == sites.end()) return plain(404, "no site named '" + name.value + "'\n");
      const std::size_t index = static_cast<std::size_t>(named - sites.begin());
      // A site's token purges its own site, never another's.
      if (!edge_token && index != token_site) return plain(403, "this token purges site " + sites[token_site].name + " only\n");
      site = index;
    } else if (edge_token && token_site == sites.size()) {
      if (sites.size() != 1) return plain(400, "name the site: POST /purge?site=NAME&path=/a/b\n");
      site = 0;
    }
    auto removed = h.purge(site, what.value);
    if (!removed.ok()) return plain(409, removed.error().message + "\n");
    return plain(200, "purged " + std::to_string(removed.value()) + "\n");
  }
  return plain(404, "not found: /healthz, /metrics, POST /purge\n");
}

AdminServer::AdminServer(UniqueFd listen_fd, AdminHandlers handlers)
    : listen_fd_(std::move(listen_fd)), handlers_(std::move(handlers)) {
  base_ = event_base_new();
  RELAIS_ASSERT(base_ != nullptr);
  accept_event_ = event_new(base_, listen_fd_.get(), EV_READ | EV_PERSIST, &AdminServer::on_accept, this);
  stop_ = std::make_unique<Wakeup>(base_, [this] { event_base_loopbreak(base_); });
  event_add(accept_event_, nullptr);
}

AdminServer::~AdminServer() {
  stop();
  event_free(accept_event_);
  stop_.reset();
  event_base_free(base_);
}

void AdminServer::start() {
  thread_ = std::thread([this] { event_base_dispatch(base_); });
}

void AdminServer::stop() {
  if (!thread_.joinable()) return;
  stop_->notify();
  thread_.join();
}

void AdminServer::on_accept(evutil_socket_t listen_fd, short, void* self) {
  auto* server = static_cast<AdminServer*>(self);
  for (int i = 0; i < 16; ++i) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    bufferevent* bev = bufferevent_socket_new(server->base_, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) {
      ::close(fd);
      continue;
    }
    auto* c = new AdminConnection{server, &server->handlers_, bev};
    bufferevent_setcb(bev, on_read, on_write, on_error, c);
    bufferevent_setwatermark(bev, EV_READ, 0, kAdminMaxHead + 1);
    timeval timeout{kAdminTimeoutSeconds, 0};
    bufferevent_set_timeouts(bev, &timeout, &timeout);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
  }
}

}  // namespace relais
