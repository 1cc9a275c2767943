// LiveSettings: the part of the configuration a SIGHUP may change under a
// running edge: what connections read (timeouts, per-connection limits) and
// what responses say (Server, Cache-Control, ranges, query keys).
//
// Immutable once published. The signal thread publishes a new snapshot in
// the holder and wakes every worker; a worker swaps its reference between
// two callbacks, so one request never sees two configurations, and a
// connection picks the new values up at its next request or timer.
//
// Sites added to the file are added live (site_state; edge_server.cc starts
// their threads), removed ones retired in place. What is not here needs a
// restart or a binary upgrade (SIGUSR2): sockets, workers, the store and origin, the memory tier (its policy tables are sized
// at start), the parser's head limits (pooled buffers are sized by them), the
// per-address limiter table. apply_live_changes() says which of those a new
// configuration changed, so the operator is told instead of left guessing.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/edge_config.h"
#include "edge/http/responder.h"
#include "edge/server/server_settings.h"
#include "edge/site/site_table.h"

namespace relais {

class CatalogHolder;
class BlobQuarantine;

// What a worker needs of one site (site.h): each worker opens the site's
// store itself and reads its catalog lock-free.
struct WorkerSiteShared {
  CatalogHolder* catalog = nullptr;
  std::string store_root;
  const BlobQuarantine* quarantine = nullptr;  // blobs the re-hasher found corrupt and could not remove
};

struct LiveSettings {
  ServerSettings server;
  http::Responder responder;  // answers what no site does (parse errors, 429, 408, 404/421 of an unknown host)
  // Host/SNI -> site (edge/site/site_table.h), and per site, by index: the
  // responder with its rules, its name (logs, metrics). Sites themselves
  // are fixed at start (site.h); their hosts and rules change live.
  SiteTable sites = SiteTable::single();
  std::vector<http::Responder> site_responders;
  std::vector<std::string> site_names;
  bool named_sites = false;  // [site.*] sections: the access log names the site
  // Per site, by index: what a worker opens for it. A site added on SIGHUP
  // appears here; each worker opens its store on its own thread when it
  // takes this snapshot (Worker::reconfigure), before it can route to it.
  // The pointers stay valid: a site is never freed while the edge runs.
  std::vector<WorkerSiteShared> site_state;
};

// multipart_boundary: kept across reloads (a byteranges boundary per process).
// The host patterns were checked (build_site_table, site.h) before.
std::shared_ptr<const LiveSettings> make_live_settings(const EdgeConfig& config, const std::string& multipart_boundary);

class LiveSettingsHolder {
 public:
  void publish(std::shared_ptr<const LiveSettings> settings);
  std::shared_ptr<const LiveSettings> current() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const LiveSettings> settings_;
};

// The configuration to run after a reload: `running` with every live option
// taken from `next`. restart_only receives the name of each option that
// differs between the result and `next`: it keeps its running value.
EdgeConfig apply_live_changes(const EdgeConfig& running, const EdgeConfig& next, std::vector<std::string>& restart_only);

}  // namespace relais
