#include "edge/server/edge_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <mutex>
#include <cstdio>
#include <random>
#include <sstream>
#include <vector>

#include "config/edge_options.h"
#include "config/site_options.h"
#include "edge/pull/pulled_disk.h"
#include "edge/server/access_log.h"
#include "edge/server/admin_server.h"
#include "edge/server/binary_upgrade.h"
#include "edge/server/catalog_loader.h"
#include "edge/server/config_check.h"
#include "edge/server/inherited_listeners.h"
#include "edge/server/listener.h"
#include "edge/server/metrics.h"
#include "edge/server/live_settings.h"
#include "edge/server/publication_watch.h"
#include "edge/server/pull_wiring.h"
#include "edge/server/pulled_purge.h"
#include "edge/server/rehash_loop.h"
#include "edge/server/service_notify.h"
#include "edge/server/site.h"
#include "edge/server/sync_loop.h"
#include "edge/server/tls_service.h"
#include "edge/server/worker.h"

namespace relais {
namespace {

// How long an admin purge waits for the workers to drop pulled objects: each
// does it on its next loop turn; a worker stuck longer is the bigger problem.
constexpr std::chrono::milliseconds kPullPurgeDeadline{2000};

}  // namespace

struct EdgeServer::Parts {
  // As running: a reload replaces its live options (live_settings.h). Only
  // the signal thread reads it after start-up; others get copies.
  EdgeConfig config;
  std::uint64_t memory_capacity_bytes = 0;  // for /metrics (admin thread)
  std::vector<std::string> arguments;  // argv: re-parsed on SIGHUP, re-executed on SIGUSR2
  std::string multipart_boundary;
  LiveSettingsHolder live;
  InheritedListeners inherited;        // from the binary this one replaced, if any
  std::vector<ListenerRecord> listeners;  // ours, handed to a binary that replaces this one
  pid_t upgrade_child = 0;             // a new binary started by SIGUSR2, until it takes over or fails
  // By SiteIndex, in configuration order; without [site.*] sections the one
  // implicit site of the global options (site.h).
  std::vector<std::unique_ptr<Site>> sites;
  std::unique_ptr<AccessLog> access_log;
  std::atomic<std::uint64_t> open_connections{0};
  std::unique_ptr<AddressLimiter> limiter;
  std::unique_ptr<TlsService> tls;  // only with --tls-listen
  // The disk tier of pulled objects, shared by the workers: before them, so
  // it outlives their services (made at start-up when a site pulls).
  std::unique_ptr<pull::PulledDisk> pulled_disk;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<AdminServer> admin;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // The metrics' site names by ResponseSummary::site (worker.h: WorkerShared::site_names).
  std::vector<std::string> site_names{"default"};
  // The origins the workers probe (WorkerStats::pull_origin_down's order), fixed at start.
  std::vector<std::string> probed_origins;
  // The admin thread reads `sites` and `site_names` (metrics, health, purge)
  // while a SIGHUP on the signal thread may add a site: both under this lock.
  // The signal thread, their only writer, reads them without it.
  std::mutex sites_mutex;
};

namespace {

std::string random_boundary() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string b = "relais-";
  for (int i = 0; i < 24; ++i) b.push_back(kHex[rd() & 15]);
  return b;
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

// Binds one SO_REUSEPORT socket per worker on each address of `option`, or
// adopts the sockets a replaced binary handed over (then no connection
// queued on them is lost, binary_upgrade.h). A probe bind without
// SO_REUSEPORT comes first: another process already listening there (a
// second edge started by mistake) makes it fail, where SO_REUSEPORT alone
// would silently split the traffic between the two.
Status open_worker_listeners(EdgeServer::Parts& p, const std::vector<std::string>& addresses, const char* option,
                             const char* scheme, bool tls) {
  for (const std::string& text : addresses) {
    auto address = parse_socket_address(text);
    if (!address.ok()) return Error::config(std::string(option) + " " + address.error().message);
    SocketAddress bound = address.value();
    std::vector<UniqueFd> fds = p.inherited.take(scheme, text);
    if (!fds.empty()) {
      bound = local_address(fds.front().get()).value();
    } else {
      auto probe = open_listener(bound, /*reuse_port=*/false);
      if (!probe.ok()) return Error::config(std::string(option) + ": " + probe.error().message);
      // Port 0: the probe picks the port, every worker then joins it.
      if (bound.port() == 0) bound = local_address(probe->get()).value();
    }
    while (fds.size() < p.workers.size()) {
      auto fd = open_listener(bound, /*reuse_port=*/true, static_cast<unsigned>(p.config.defer_accept_ms / 1000));
      if (!fd.ok()) return Error::config(std::string(option) + ": " + fd.error().message);
      fds.push_back(std::move(fd.value()));
    }
    // More inherited sockets than workers (the old binary ran more): each
    // still has a queue to serve, so some workers take two.
    for (std::size_t i = 0; i < fds.size(); ++i) {
      p.listeners.push_back({fds[i].get(), scheme, text});
      p.workers[i % p.workers.size()]->add_listener(std::move(fds[i]), tls);
    }
    std::printf("listening %s %s\n", scheme, bound.to_string().c_str());
  }
  return {};
}

// A pull-only site answers every path from its origin: a missing manifest
// does not make it unhealthy.
bool serves_without_catalog(const Site& site) { return site.config.mode == "pull"; }

// /healthz's line for one site.
std::string site_health(const Site& site) {
  auto catalog = site.catalog.current();
  if (!catalog && serves_without_catalog(site)) return "ok pull-through, no manifest\n";
  if (!catalog) return "no catalog loaded\n";
  const std::string counts = "generation=" + std::to_string(catalog->generation()) + " objects=" + std::to_string(catalog->size());
  // Still 200: an expired publication is served (availability first); the word says it.
  if (auto expired = expired_text(site.loader->publication(), unix_now())) return "degraded " + counts + " " + *expired + "\n";
  return "ok " + counts + "\n";
}

// /metrics' series of one site (metrics.h: SiteGauges).
SiteGauges site_gauges(const Site& site) {
  SiteGauges g;
  g.name = site.config.name;
  auto catalog = site.catalog.current();
  g.catalog_loaded = catalog != nullptr;
  g.catalog_generation = catalog ? catalog->generation() : 0;
  g.catalog_entries = catalog ? catalog->size() : 0;
  if (auto pub = site.loader->publication()) {
    g.publication_signed = true;
    g.publication_age_seconds = static_cast<double>(unix_now() - pub->published);
    g.publication_expires_unix = pub->expires;
    g.publication_expired = pub->expires <= unix_now();
  }
  g.sync = &site.sync_stats;
  g.rehash = &site.rehash_stats;
  return g;
}

Status open_admin(EdgeServer::Parts& p) {
  auto address = parse_socket_address(p.config.admin_listen);
  if (!address.ok()) return Error::config("--admin-listen " + address.error().message);
  std::vector<UniqueFd> inherited = p.inherited.take("admin", p.config.admin_listen);
  auto fd = inherited.empty() ? open_listener(address.value(), /*reuse_port=*/false) : Result<UniqueFd>(std::move(inherited.front()));
  if (!fd.ok()) return Error::config("--admin-listen: " + fd.error().message);
  SocketAddress bound = local_address(fd->get()).value();
  p.listeners.push_back({fd->get(), "admin", p.config.admin_listen});
  AdminHandlers h;
  h.token = p.config.admin_token;
  for (const auto& site : p.sites) h.sites.push_back({site->config.name, site->config.admin_token});
  h.current_sites = [&p] {
    std::lock_guard lock(p.sites_mutex);
    std::vector<AdminHandlers::Site> sites;
    // A retired site keeps its index with no name and no token: no purge reaches it.
    for (const auto& site : p.sites)
      sites.push_back(site->config.retired ? AdminHandlers::Site{} : AdminHandlers::Site{site->config.name, site->config.admin_token});
    return sites;
  };
  // Healthy while any site has a catalog: one publisher's broken origin
  // must not make a load balancer drop the edge for all the others.
  h.healthy = [&p] {
    std::lock_guard lock(p.sites_mutex);
    return std::any_of(p.sites.begin(), p.sites.end(),
                       [](const auto& site) {
                         return !site->config.retired && (site->catalog.current() != nullptr || serves_without_catalog(*site));
                       });
  };
  h.health_text = [&p] {
    std::lock_guard lock(p.sites_mutex);
    std::string text;
    for (const auto& site : p.sites)
      if (!site->config.retired) text += (site->named ? site->config.name + ": " : "") + site_health(*site);
    return text;
  };
  h.metrics = [&p] {
    std::vector<const WorkerStats*> stats;
    for (auto& w : p.workers) stats.push_back(&w->stats());
    EdgeGauges g;
    g.memory_capacity_bytes = p.memory_capacity_bytes;
    g.max_connections = p.live.current()->server.max_connections;
    g.access_log_dropped_bytes = p.access_log ? p.access_log->dropped_bytes() : 0;
    g.uptime_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.started).count();
    if (p.pulled_disk) g.pull_disk = &p.pulled_disk->stats();
    g.probed_origins = &p.probed_origins;
    std::lock_guard lock(p.sites_mutex);
    for (const auto& site : p.sites)
      if (!site->config.retired) g.sites.push_back(site_gauges(*site));
    return render_metrics(stats, g, &p.site_names);
  };
  h.purge = [&p](std::size_t site, std::string_view path) -> Result<std::size_t> {
    std::lock_guard lock(p.sites_mutex);
    Result<std::size_t> published = p.sites[site]->loader->purge(path);
    if (p.sites[site]->config.mode == "manifest") return published;
    // A pulling site: its pulled objects go too, in every worker, before the
    // answer (a pull-only site may have no catalog: that is no error then).
    std::size_t pulled = purge_pulled(p.workers, static_cast<std::uint16_t>(site), path, kPullPurgeDeadline);
    if (p.pulled_disk) {
      // The disk's keys: "SITE_NAME /path[?query]" (pulled_disk.h).
      const Site& s = *p.sites[site];
      const std::string key = pull::disk_site_label(s.named ? std::string_view(s.config.name) : std::string_view()) +
                              (path.starts_with('/') ? " " : " /") + std::string(path);
      // One copy on disk of what the tables hold (each worker its own): the
      // answer counts the larger of the two.
      pulled = std::max(pulled, p.pulled_disk->purge(key, key.ends_with('/')));
    }
    return (published ? *published : 0) + pulled;
  };
  p.admin = std::make_unique<AdminServer>(std::move(fd.value()), std::move(h));
  std::printf("listening admin %s\n", bound.to_string().c_str());
  return {};
}

// The live settings of p.config, with each site's runtime parts for the
// workers (live_settings.h: site_state).
void publish_live(EdgeServer::Parts& p) {
  auto live = std::make_shared<LiveSettings>(*make_live_settings(p.config, p.multipart_boundary));
  for (const auto& site : p.sites) live->site_state.push_back({&site->catalog, site->config.store, &site->quarantine});
  p.live.publish(std::move(live));
}

// The keys of the sites `applied` adds (apply_live_changes appends them),
// read before anything changes: a key file that does not load refuses the
// reload as a whole.
Result<std::vector<std::shared_ptr<const TrustedKeys>>> load_new_site_keys(const EdgeServer::Parts& p,
                                                                             const EdgeConfig& applied) {
  std::vector<std::shared_ptr<const TrustedKeys>> keys;
  for (std::size_t i = p.sites.size(); i < applied.sites.size(); ++i) {
    auto k = load_site_keys(applied.sites[i]);
    if (!k.ok()) return k.error();
    keys.push_back(std::move(k.value()));
  }
  return keys;
}

// Sites of `applied` not running yet, with their keys (load_new_site_keys):
// each loads its catalog and starts its threads before the workers can route to it.
void start_new_sites(EdgeServer::Parts& p, const EdgeConfig& applied,
                     std::vector<std::shared_ptr<const TrustedKeys>> keys) {
  for (std::size_t i = p.sites.size(), k = 0; i < applied.sites.size(); ++i, ++k) {
    auto site = std::make_unique<Site>(applied.sites[i], std::move(keys[k]), true);
    site->load_at_start();
    site->start_background(applied, applied.sites.size());
    std::printf("site %s: added\n", site->config.name.c_str());
    std::lock_guard lock(p.sites_mutex);
    p.site_names[i] = site->config.name;  // a row no other site ever had: indices are never reused
    p.sites.push_back(std::move(site));
  }
}

// Sites `applied` retires (apply_live_changes): the new live settings route
// nothing to them; their threads stop here. The Site itself stays: a worker
// may be sending one of its responses, and its store and catalog are reached
// through pointers (WorkerSiteShared), so it is freed with the edge.
void retire_sites(EdgeServer::Parts& p, const EdgeConfig& applied) {
  // Without sections the one implicit site is never retired (applied.sites is empty).
  for (std::size_t i = 0; i < applied.sites.size(); ++i) {
    Site& site = *p.sites[i];
    if (!applied.sites[i].retired || site.config.retired) continue;
    site.stop_background();
    {
      std::lock_guard lock(p.sites_mutex);
      site.config.retired = true;
    }
    std::printf("site %s: removed\n", site.config.name.c_str());
  }
}

void reload_all_sites(EdgeServer::Parts& p) {
  for (const auto& site : p.sites)
    if (!site->config.retired) site->reload_and_announce();
}

// The keys that wire a site to its origins (the routing each worker's pull
// gateway was built with): global or "site.NAME.KEY".
bool pull_wiring_option(std::string_view option) {
  for (std::string_view key : {"origin-url", "mode", "pull-prefix"}) {
    if (option == key || (option.starts_with("site.") && option.ends_with(std::string(".") + std::string(key)))) return true;
  }
  return false;
}

// SIGHUP: the configuration is read again from the same command line (and
// the --config file it names). A new configuration that does not parse, or
// whose certificates do not load, is refused as a whole: one line on
// stderr, and the one in service stays. Otherwise its live options apply
// (live_settings.h), and each changed option that needs a restart is named.
void reload_configuration(EdgeServer::Parts& p) {
  std::vector<const char*> argv;
  for (const std::string& a : p.arguments) argv.push_back(a.c_str());
  EdgeConfig next;
  std::ostringstream ignored;
  CliOutcome cli = parse_edge_options(static_cast<int>(argv.size()), argv.data(), ignored, next);
  auto refuse = [](const std::string& why) {
    std::fprintf(stderr, "relais-edge: configuration reload refused, keeping the one in service: %s\n", why.c_str());
    std::fflush(stderr);
  };
  if (cli.kind != CliOutcome::Kind::run) return refuse(cli.message);
  // The whole new file is checked, also the sites it adds that only a
  // restart will start: a file that would not start must not be half taken
  // (a new site claiming a running site's host is a configuration error).
  if (auto table = build_site_table(next); !table.ok()) return refuse(table.error().message);
  std::vector<std::string> restart_only;
  EdgeConfig applied = apply_live_changes(p.config, next, restart_only);
  if (auto table = build_site_table(applied); !table.ok()) return refuse(table.error().message);
  auto new_keys = load_new_site_keys(p, applied);
  if (!new_keys.ok()) return refuse(new_keys.error().message);
  if (p.tls) {
    if (auto s = reload_tls_service(*p.tls, applied); !s.ok()) return refuse(s.error().message);
  }
  if (p.access_log && applied.access_log != p.config.access_log) p.access_log->request_reopen(applied.access_log);
  start_new_sites(p, applied, std::move(new_keys.value()));
  p.config = applied;
  publish_live(p);
  retire_sites(p, applied);  // after the workers were told: a site is unrouted before its sync stops
  for (auto& w : p.workers) w->request_reconfigure();
  std::string waiting;
  for (const std::string& option : restart_only) {
    std::fprintf(stderr, "relais-edge: reload: --%s changed, applies after a restart or an upgrade (SIGUSR2)%s\n",
                 option.c_str(), pull_wiring_option(option) ? ": pull-through still uses the origins and mode it started with" : "");
    waiting.append(waiting.empty() ? "" : ", ").append("--").append(option);
  }
  std::fflush(stderr);
  if (p.tls) std::printf("tls certificates reloaded\n");
  // Never a bare "reloaded" while a change is not in service (an operator
  // changing origin-url must not read that the new origin is used).
  if (waiting.empty()) std::printf("configuration reloaded\n");
  else std::printf("configuration reloaded, except what needs a restart: %s\n", waiting.c_str());
  std::fflush(stdout);
}

void start_upgrade(EdgeServer::Parts& p) {
  if (p.upgrade_child > 0) {
    std::fprintf(stderr, "relais-edge: upgrade: pid %d is already starting\n", static_cast<int>(p.upgrade_child));
    return;
  }
  auto pid = start_upgraded_binary(current_executable(), p.arguments, p.listeners);
  if (!pid.ok()) {
    std::fprintf(stderr, "relais-edge: %s; still serving\n", pid.error().message.c_str());
    return;
  }
  p.upgrade_child = pid.value();
  std::printf("upgrade: started pid %d\n", static_cast<int>(pid.value()));
  std::fflush(stdout);
}

// SIGCHLD: a new binary that exits before it took over failed; this one serves on.
void reap_upgrade(EdgeServer::Parts& p) {
  if (p.upgrade_child <= 0) return;
  int status = 0;
  if (::waitpid(p.upgrade_child, &status, WNOHANG) != p.upgrade_child) return;
  p.upgrade_child = 0;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::fprintf(stderr, "relais-edge: upgrade failed: the new binary exited with status %d; still serving\n", code);
  std::fflush(stderr);
}

constexpr int kServerSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD};

}  // namespace

void block_server_signals() {
  ::signal(SIGPIPE, SIG_IGN);  // a client that goes away is an EPIPE, not a death
  sigset_t set;
  sigemptyset(&set);
  for (int s : kServerSignals) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Result<std::unique_ptr<EdgeServer>> EdgeServer::create(const EdgeConfig& config, std::vector<std::string> arguments) {
  auto p = std::make_unique<Parts>();
  p->config = config;
  p->memory_capacity_bytes = config.memory_cache_bytes;
  p->arguments = std::move(arguments);
  p->inherited = InheritedListeners::from_environment();
  p->multipart_boundary = random_boundary();
  auto table = build_site_table(config);
  if (!table.ok()) return table.error();
  std::vector<std::string> unauthenticated;  // sites that take unsigned manifests
  for (SiteConfig& site : effective_sites(config)) {
    auto keys = load_site_keys(site);
    if (!keys.ok()) return keys.error();
    if (keys.value()->empty()) unauthenticated.push_back(site.name);
    p->sites.push_back(std::make_unique<Site>(std::move(site), std::move(keys.value()), !config.sites.empty()));
  }
  // The histograms' site label, by row: with sections, a row per possible
  // site (a site added on SIGHUP takes the next; empty rows are not
  // rendered), then "-" (answered before any site was known), so that the
  // per-worker histograms are sized once and a row never changes site.
  p->site_names.clear();
  for (const auto& site : p->sites) p->site_names.push_back(site->config.name);
  if (!config.sites.empty()) {
    p->site_names.resize(kMaxConfiguredSites);
    p->site_names.push_back("-");
  }
  publish_live(*p);
  if (config.access_log != "off") {
    auto log = AccessLog::open(config.access_log);
    if (!log.ok()) return log.error();
    p->access_log = std::move(log.value());
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
  shared.live = &p->live;
  for (const auto& site : p->sites) shared.sites.push_back({&site->catalog, site->config.store, &site->quarantine});
  shared.access_log = p->access_log.get();
  shared.open_connections = &p->open_connections;
  shared.site_names = p->site_names;
  shared.memory_bytes = config.memory_cache_bytes / config.workers;
  shared.memory_object_max = config.memory_object_max_bytes;
  shared.pull = pull_settings_from(config);
  p->pulled_disk = open_pulled_disk(config, p->sites);
  shared.pull.disk = p->pulled_disk.get();
  if (shared.pull.probe.enabled()) p->probed_origins = shared.pull.probe_origins;
  shared.open_files = std::max<std::size_t>(1, config.open_files / config.workers);
  if (config.workers > 1) {
    // A pass's invalidation (RFC 9111 §4.4) reaches the other workers' tables
    // as an admin purge does, without waiting: the worker that passed it
    // dropped its own copy and the disk's before the answer left.
    shared.invalidate_pulled = [parts = p.get()](unsigned from, std::uint16_t site, const std::string& key) {
      for (std::size_t i = 0; i < parts->workers.size(); ++i)
        if (i != from) parts->workers[i]->request_pull_invalidation(site, key);
    };
  }
  for (unsigned i = 0; i < config.workers; ++i) p->workers.push_back(std::make_unique<Worker>(i, shared));

  if (auto s = open_worker_listeners(*p, config.listen, "--listen", "http", false); !s.ok()) return s.error();
  if (auto s = open_worker_listeners(*p, config.tls_listen, "--tls-listen", "https", true); !s.ok()) return s.error();
  if (auto s = open_admin(*p); !s.ok()) return s.error();
  // Once the configuration is known good: a bad option stays one line (exit 2).
  if (!unauthenticated.empty() && config.sites.empty()) {
    std::fprintf(stderr, "relais-edge: warning: no --trusted-key: manifests are not authenticated, the edge serves whatever its origin sends\n");
  } else if (!unauthenticated.empty()) {
    std::string names;
    for (const std::string& name : unauthenticated) names.append(names.empty() ? "" : ", ").append(name);
    std::fprintf(stderr, "relais-edge: warning: no trusted-key for site %s: its manifests are not authenticated, it serves whatever its origin sends\n",
                 names.c_str());
  }
  for (const auto& site : p->sites) site->load_at_start();
  std::fflush(stdout);
  return std::unique_ptr<EdgeServer>(new EdgeServer(std::move(p)));
}

std::vector<Error> EdgeServer::check(const EdgeConfig& config) {
  std::vector<Error> errors;
  check_addresses(config, errors);
  check_paths(config, errors);
  if (auto limiter = make_limiter(config); !limiter.ok()) errors.push_back(limiter.error());
  if (auto tls = make_tls_service(config); !tls.ok()) errors.push_back(tls.error());
  if (auto keys = TrustedKeys::load(config.trusted_keys); !keys.ok())
    errors.push_back(Error::config("--trusted-key " + keys.error().message));
  for (const SiteConfig& site : config.sites)
    if (site.own_trusted_keys)
      if (auto keys = load_site_keys(site); !keys.ok()) errors.push_back(keys.error());
  if (auto table = build_site_table(config); !table.ok()) errors.push_back(table.error());
  return errors;
}

EdgeServer::EdgeServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

std::vector<std::string> EdgeServer::site_names() const {
  std::vector<std::string> names;
  for (const auto& site : parts_->sites) names.push_back(site->config.name);
  return names;
}

EdgeServer::~EdgeServer() {
  for (const auto& site : parts_->sites) site->stop_background();
  for (auto& w : parts_->workers) w->request_stop();
  for (auto& w : parts_->workers) w->join();
  if (parts_->admin) parts_->admin->stop();
}

int EdgeServer::run() {
  Parts& p = *parts_;
  for (auto& w : p.workers) w->start();
  p.admin->start();
  // After the first load (create()): each site serves its on-disk catalog
  // before its first sync ends, each on its own schedule.
  for (const auto& site : p.sites) site->start_background(p.config, p.sites.size());
  std::printf("ready\n");
  std::fflush(stdout);
  if (pid_t replaced = upgrade_parent(); replaced != 0) {
    // Serving on the inherited sockets: the old binary may drain now, and
    // systemd follows this process from here on.
    notify_service_manager("MAINPID=" + std::to_string(::getpid()) + "\nREADY=1");
    ::kill(replaced, SIGTERM);
    std::printf("upgrade: took over from pid %d\n", static_cast<int>(replaced));
    std::fflush(stdout);
  } else {
    notify_service_manager("READY=1");
  }

  sigset_t set;
  sigemptyset(&set);
  for (int s : kServerSignals) sigaddset(&set, s);
  // Once a second (or after a signal) this thread frees the catalogs the
  // workers have let go of, so that no worker frees one between two requests.
  const timespec tick{1, 0};
  for (;;) {
    int sig = ::sigtimedwait(&set, nullptr, &tick);
    for (const auto& site : p.sites) {
      site->catalog.release_retired();
      if (auto line = site->publication_watch.check(site->loader->publication(), unix_now())) {
        std::fprintf(stderr, "relais-edge: %s%s\n", site->named ? ("site " + site->config.name + ": ").c_str() : "",
                     line->c_str());
        std::fflush(stderr);
      }
    }
    if (sig < 0) continue;  // the tick (EAGAIN) or EINTR
    if (sig == SIGHUP) {
      notify_service_manager("RELOADING=1");
      reload_configuration(p);
      reload_all_sites(p);
      // logrotate's postrotate may send either signal: both reopen the log.
      if (p.access_log) p.access_log->request_reopen();
      notify_service_manager("READY=1");
    } else if (sig == SIGUSR1) {
      if (p.access_log) p.access_log->request_reopen();
    } else if (sig == SIGUSR2) {
      start_upgrade(p);
    } else if (sig == SIGCHLD) {
      reap_upgrade(p);
    } else {
      break;  // SIGTERM, SIGINT: graceful stop
    }
  }
  notify_service_manager("STOPPING=1");
  for (const auto& site : p.sites) site->stop_background();
  for (auto& w : p.workers) w->request_stop();
  for (auto& w : p.workers) w->join();
  p.admin->stop();
  std::printf("stopped\n");
  std::fflush(stdout);
  return 0;
}

}  // namespace relais
