#include "edge/server/edge_server.h"

#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <cstdio>
#include <random>
#include <vector>

#include "edge/http/responder.h"
#include "edge/server/access_log.h"
#include "edge/server/admin_server.h"
#include "edge/server/catalog_loader.h"
#include "edge/server/listener.h"
#include "edge/server/metrics.h"
#include "edge/server/publication_watch.h"
#include "edge/server/rehash_loop.h"
#include "edge/server/server_settings.h"
#include "edge/server/sync_loop.h"
#include "edge/server/tls_service.h"
#include "edge/server/worker.h"

namespace relais {

struct EdgeServer::Parts {
  EdgeConfig config;
  ServerSettings settings;
  std::unique_ptr<http::Responder> responder;
  CatalogHolder catalog;
  std::shared_ptr<const TrustedKeys> trusted_keys;  // empty: unsigned manifests accepted
  std::unique_ptr<CatalogLoader> loader;
  PublicationWatch publication_watch;
  std::unique_ptr<AccessLog> access_log;
  std::atomic<std::uint64_t> open_connections{0};
  std::unique_ptr<AddressLimiter> limiter;
  std::unique_ptr<TlsService> tls;  // only with --tls-listen
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<AdminServer> admin;
  SyncStats sync_stats;
  std::unique_ptr<SyncLoop> sync;  // only with --origin
  BlobQuarantine quarantine;       // the re-hasher's findings, read by every worker's store
  RehashStats rehash_stats;
  std::unique_ptr<RehashLoop> rehash;  // only with --rehash-rate > 0
  std::mutex announce_mutex;       // SIGHUP and the sync thread both print the catalog line
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

namespace {

std::uint64_t resolve_max_connections(std::uint64_t configured) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    // Like nginx's worker_rlimit_nofile: use what the hard limit allows.
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
    (void)::getrlimit(RLIMIT_NOFILE, &limit);
  }
  std::uint64_t fds = limit.rlim_cur == RLIM_INFINITY ? 1'000'000 : limit.rlim_cur;
  // Keep a fifth of the descriptors for blob files, listeners and the admin.
  std::uint64_t ceiling = fds * 4 / 5;
  return configured == 0 ? ceiling : std::min(configured, ceiling);
}

std::string random_boundary() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string b = "relais-";
  for (int i = 0; i < 24; ++i) b.push_back(kHex[rd() & 15]);
  return b;
}

ServerSettings settings_from(const EdgeConfig& c) {
  ServerSettings s;
  s.limits.max_head_bytes = c.max_head_bytes;
  s.limits.max_target_bytes = c.max_target_bytes;
  s.limits.max_headers = c.max_headers;
  s.limits.max_body_bytes = c.max_request_body_bytes;
  s.header_timeout_ms = c.header_timeout_ms;
  s.keepalive_timeout_ms = c.keepalive_timeout_ms;
  s.send_timeout_ms = c.send_timeout_ms;
  s.max_requests_per_connection = c.max_requests_per_connection;
  s.max_connections = resolve_max_connections(c.max_connections);
  s.access_log = c.access_log != "off";
  s.send_min_rate = c.send_min_rate;
  s.send_min_rate_grace_ms = c.send_min_rate_grace_ms;
  s.send_lowat = c.send_lowat;
  s.sendfile_min = c.sendfile_min;
  return s;
}

http::ResponderSettings responder_settings_from(const EdgeConfig& c) {
  http::ResponderSettings r;
  r.server_name = c.server_name;
  r.max_ranges = c.max_ranges;
  r.cache_control.html = c.cache_control_html;
  r.cache_control.fallback = c.cache_control_default;
  for (const auto& rule : c.cache_control_rules) r.cache_control.rules.emplace_back(rule.prefix, rule.value);
  r.query_keys = c.query_keys;
  r.multipart_boundary = random_boundary();
  return r;
}

Result<std::unique_ptr<AddressLimiter>> make_limiter(const EdgeConfig& c) {
  std::vector<NetworkLimits> networks;
  if (c.network_limits.size() > AddressLimiter::kMaxNetworks)
    return Error::config("--network-limit: at most " + std::to_string(AddressLimiter::kMaxNetworks) + " networks");
  for (const std::string& text : c.network_limits) {
    auto n = parse_network_limits(text);
    if (!n.ok()) return Error::config("--network-limit " + n.error().message);
    networks.push_back(n.value());
  }
  AddressLimits defaults{static_cast<std::uint32_t>(std::min<std::uint64_t>(c.address_connections, UINT32_MAX)),
                         c.address_rate, c.address_burst};
  std::random_device rd;
  std::uint64_t seed = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  return std::make_unique<AddressLimiter>(defaults, std::move(networks), c.address_slots, seed);
}

// Binds one SO_REUSEPORT socket per worker on each address of `option`.
// A probe bind without SO_REUSEPORT comes first: another process already
// listening there (a second edge started by mistake) makes it fail, where
// SO_REUSEPORT alone would silently split the traffic between the two.
Status open_worker_listeners(EdgeServer::Parts& p, const std::vector<std::string>& addresses, const char* option,
                             const char* scheme, bool tls) {
  for (const std::string& text : addresses) {
    auto address = parse_socket_address(text);
    if (!address.ok()) return Error::config(std::string(option) + " " + address.error().message);
    SocketAddress bound = address.value();
    {
      auto probe = open_listener(bound, /*reuse_port=*/false);
      if (!probe.ok()) return Error::config(std::string(option) + ": " + probe.error().message);
      // Port 0: the probe picks the port, every worker then joins it.
      if (bound.port() == 0) bound = local_address(probe->get()).value();
    }
    for (auto& worker : p.workers) {
      auto fd = open_listener(bound, /*reuse_port=*/true, static_cast<unsigned>(p.config.defer_accept_ms / 1000));
      if (!fd.ok()) return Error::config(std::string(option) + ": " + fd.error().message);
      worker->add_listener(std::move(fd.value()), tls);
    }
    std::printf("listening %s %s\n", scheme, bound.to_string().c_str());
  }
  return {};
}

Status open_admin(EdgeServer::Parts& p) {
  auto address = parse_socket_address(p.config.admin_listen);
  if (!address.ok()) return Error::config("--admin-listen " + address.error().message);
  auto fd = open_listener(address.value(), /*reuse_port=*/false);
  if (!fd.ok()) return Error::config("--admin-listen: " + fd.error().message);
  SocketAddress bound = local_address(fd->get()).value();
  AdminHandlers h;
  h.token = p.config.admin_token;
  h.healthy = [&p] { return p.catalog.current() != nullptr; };
  h.health_text = [&p] {
    auto catalog = p.catalog.current();
    if (!catalog) return std::string("no catalog loaded\n");
    const std::string counts = "generation=" + std::to_string(catalog->generation()) + " objects=" + std::to_string(catalog->size());
    // Still 200: an expired publication is served (availability first); the word says it.
    if (auto expired = expired_text(p.loader->publication(), unix_now())) return "degraded " + counts + " " + *expired + "\n";
    return "ok " + counts + "\n";
  };
  h.metrics = [&p] {
    std::vector<const WorkerStats*> stats;
    for (auto& w : p.workers) stats.push_back(&w->stats());
    EdgeGauges g;
    auto catalog = p.catalog.current();
    g.catalog_loaded = catalog != nullptr;
    g.catalog_generation = catalog ? catalog->generation() : 0;
    g.catalog_entries = catalog ? catalog->size() : 0;
    g.memory_capacity_bytes = p.config.memory_cache_bytes;
    g.max_connections = p.settings.max_connections;
    g.access_log_dropped_bytes = p.access_log ? p.access_log->dropped_bytes() : 0;
    g.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.started).count();
    if (auto pub = p.loader->publication()) {
      g.publication_signed = true;
      g.publication_age_seconds = static_cast<double>(unix_now() - pub->published);
      g.publication_expires_unix = pub->expires;
      g.publication_expired = pub->expires <= unix_now();
    }
    return render_metrics(stats, g, &p.sync_stats, &p.rehash_stats);
  };
  h.purge = [&p](std::string_view path) { return p.loader->purge(path); };
  p.admin = std::make_unique<AdminServer>(std::move(fd.value()), std::move(h));
  std::printf("listening admin %s\n", bound.to_string().c_str());
  return {};
}

// Reloads STORE/manifest and prints "catalog generation N, M objects" when the
// catalog in service changed (tests and operators wait for that line).
void reload_and_announce(EdgeServer::Parts& p) {
  std::lock_guard lock(p.announce_mutex);
  const std::uint64_t before = p.catalog.version();
  if (auto s = p.loader->reload(); !s.ok()) {
    std::fprintf(stderr, "relais-edge: reload failed, keeping the catalog in service: %s\n", s.error().message.c_str());
  } else if (auto catalog = p.catalog.current(); catalog && p.catalog.version() != before) {
    std::printf("catalog generation %llu, %zu objects\n", static_cast<unsigned long long>(catalog->generation()), catalog->size());
    std::fflush(stdout);
  }
}

std::unique_ptr<SyncLoop> make_sync_loop(EdgeServer::Parts& p) {
  const EdgeConfig& c = p.config;
  SyncSettings s;
  s.origin = c.origin;
  s.store = c.store;
  s.jobs = c.sync_jobs;
  s.retry.max_attempts = c.sync_retries + 1;
  s.gc_grace = std::chrono::seconds(c.gc_grace_ms / 1000);
  s.http.connect_timeout = std::chrono::milliseconds(c.origin_timeout_ms);
  s.http.stall_timeout = std::chrono::milliseconds(c.origin_stall_timeout_ms);
  s.http.min_rate = c.origin_min_rate;
  s.http.deadline = std::chrono::milliseconds(c.origin_deadline_ms);
  s.trusted_keys = p.trusted_keys;
  return std::make_unique<SyncLoop>(std::move(s), std::chrono::milliseconds(c.sync_interval_ms), p.sync_stats,
                                    [&p] { reload_and_announce(p); });
}

}  // namespace

void block_server_signals() {
  ::signal(SIGPIPE, SIG_IGN);  // a client that goes away is an EPIPE, not a death
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Result<std::unique_ptr<EdgeServer>> EdgeServer::create(const EdgeConfig& config) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  p->settings = settings_from(config);
  p->responder = std::make_unique<http::Responder>(responder_settings_from(config));
  auto keys = TrustedKeys::load(config.trusted_keys);
  if (!keys.ok()) return Error::config("--trusted-key " + keys.error().message);
  p->trusted_keys = std::make_shared<const TrustedKeys>(std::move(keys.value()));
  p->loader = std::make_unique<CatalogLoader>(config.store, p->catalog, p->trusted_keys);
  if (p->settings.access_log) {
    auto log = AccessLog::open(config.access_log);
    if (!log.ok()) return log.error();
    p->access_log = std::move(log.value());
    p->settings.access_log = true;
  }
  auto limiter = make_limiter(config);
  if (!limiter.ok()) return limiter.error();
  p->limiter = std::move(limiter.value());
  WorkerShared shared;
  shared.limiter = p->limiter.get();
  auto tls = make_tls_service(config);
  if (!tls.ok()) return tls.error();
  p->tls = std::move(tls.value());
  if (p->tls) shared.tls = &p->tls->holder;
  shared.settings = &p->settings;
  shared.responder = p->responder.get();
  shared.catalog = &p->catalog;
  shared.access_log = p->access_log.get();
  shared.open_connections = &p->open_connections;
  shared.store_root = config.store;
  shared.quarantine = &p->quarantine;
  shared.memory_bytes = config.memory_cache_bytes / config.workers;
  shared.memory_object_max = config.memory_object_max_bytes;
  shared.open_files = std::max<std::size_t>(1, config.open_files / config.workers);
  for (unsigned i = 0; i < config.workers; ++i) p->workers.push_back(std::make_unique<Worker>(i, shared));

  if (auto s = open_worker_listeners(*p, config.listen, "--listen", "http", false); !s.ok()) return s.error();
  if (auto s = open_worker_listeners(*p, config.tls_listen, "--tls-listen", "https", true); !s.ok()) return s.error();
  if (auto s = open_admin(*p); !s.ok()) return s.error();
  // Once the configuration is known good: a bad option stays one line (exit 2).
  if (p->trusted_keys->empty())
    std::fprintf(stderr, "relais-edge: warning: no --trusted-key: manifests are not authenticated, the edge serves whatever its origin sends\n");
  if (auto s = p->loader->reload(); !s.ok()) {
    std::fprintf(stderr, "relais-edge: no catalog yet: %s (answering 503 until one loads)\n", s.error().message.c_str());
  } else {
    auto catalog = p->catalog.current();
    std::printf("catalog generation %llu, %zu objects\n", static_cast<unsigned long long>(catalog->generation()), catalog->size());
  }
  std::fflush(stdout);
  // After the first load: the edge serves the on-disk catalog before the first sync ends.
  if (!config.origin.empty()) p->sync = make_sync_loop(*p);
  if (config.rehash_rate > 0)
    p->rehash = std::make_unique<RehashLoop>(config.store, config.rehash_rate, p->quarantine, p->rehash_stats);
  return std::unique_ptr<EdgeServer>(new EdgeServer(std::move(p)));
}

Status EdgeServer::check(const EdgeConfig& config) {
  for (auto [addresses, option] : {std::pair{&config.listen, "--listen"}, {&config.tls_listen, "--tls-listen"}}) {
    for (const std::string& text : *addresses) {
      if (auto a = parse_socket_address(text); !a.ok()) return Error::config(std::string(option) + " " + a.error().message);
    }
  }
  if (auto a = parse_socket_address(config.admin_listen); !a.ok()) return Error::config("--admin-listen " + a.error().message);
  if (auto limiter = make_limiter(config); !limiter.ok()) return limiter.error();
  if (auto tls = make_tls_service(config); !tls.ok()) return tls.error();
  if (auto keys = TrustedKeys::load(config.trusted_keys); !keys.ok()) return Error::config("--trusted-key " + keys.error().message);
  return {};
}

EdgeServer::EdgeServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

EdgeServer::~EdgeServer() {
  if (parts_->sync) parts_->sync->stop();
  if (parts_->rehash) parts_->rehash->stop();
  for (auto& w : parts_->workers) w->request_stop();
  for (auto& w : parts_->workers) w->join();
  if (parts_->admin) parts_->admin->stop();
}

int EdgeServer::run() {
  Parts& p = *parts_;
  for (auto& w : p.workers) w->start();
  p.admin->start();
  if (p.sync) p.sync->start();
  if (p.rehash) p.rehash->start();
  std::printf("ready\n");
  std::fflush(stdout);

  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  // Once a second (or after a signal) this thread frees the catalogs the
  // workers have let go of, so that no worker frees one between two requests.
  const timespec tick{1, 0};
  for (;;) {
    int sig = ::sigtimedwait(&set, nullptr, &tick);
    p.catalog.release_retired();
    if (auto line = p.publication_watch.check(p.loader->publication(), unix_now())) {
      std::fprintf(stderr, "relais-edge: %s\n", line->c_str());
      std::fflush(stderr);
    }
    if (sig < 0) continue;  // the tick (EAGAIN) or EINTR
    if (sig == SIGHUP) {
      reload_and_announce(p);
      if (p.tls) reload_tls_service(*p.tls);
    } else if (sig == SIGUSR1) {
      if (p.access_log) p.access_log->request_reopen();
    } else {
      break;  // SIGTERM, SIGINT: graceful stop
    }
  }
  if (p.sync) p.sync->stop();
  if (p.rehash) p.rehash->stop();
  for (auto& w : p.workers) w->request_stop();
  for (auto& w : p.workers) w->join();
  p.admin->stop();
  std::printf("stopped\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace relais
