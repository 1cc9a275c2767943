// AdminServer: the operator's listener (default 127.0.0.1 only), on its own
// thread and loop so that a flood on the client ports never hides health and
// metrics: GET /healthz, GET /metrics, POST /purge?path=/a/b[&site=NAME]
// (bearer token: the edge's purges the named site, or the only one; a
// site's own token purges that site only).
//
// One request per connection, head bounded to 8 KiB, 5 s to send it.
#pragma once

#include <event2/event.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "edge/server/catalog_loader.h"
#include "edge/server/wakeup.h"
#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

struct AdminHandlers {
  std::function<bool()> healthy;              // a catalog is in service
  std::function<std::string()> health_text;   // body of /healthz
  std::function<std::string()> metrics;       // body of /metrics
  // Removes a path (or a prefix ending in '/') from one site's catalog.
  std::function<Result<std::size_t>(std::size_t site, std::string_view path)> purge;
  std::string token;                          // the edge's: purges any site (empty: only site tokens purge)
  struct Site {
    std::string name;
    std::string token;  // purges this site only; empty: the edge's token only
  };
  std::vector<Site> sites;  // by site index, at least one
  // When set, read at each purge instead of `sites` (sites added on SIGHUP).
  std::function<std::vector<Site>()> current_sites;
};

// An admin response, computed without a socket (tested directly).
struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::string_view allow;  // 405: the methods the path takes (RFC 9110 §15.5.6)
};

AdminResponse handle_admin_request(std::string_view method, std::string_view target, std::string_view authorization,
                                   const AdminHandlers& handlers);

class AdminServer {
 public:
  AdminServer(UniqueFd listen_fd, AdminHandlers handlers);
  ~AdminServer();
  void start();
  void stop();  // thread-safe; joins

 private:
  static void on_accept(evutil_socket_t fd, short what, void* self);

  UniqueFd listen_fd_;
  AdminHandlers handlers_;
  event_base* base_ = nullptr;
  event* accept_event_ = nullptr;
  std::unique_ptr<Wakeup> stop_;
  std::thread thread_;
};

}  // namespace relais
