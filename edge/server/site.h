// Site: one publisher's content on a shared edge, as it runs: its store, the
// catalog in service (CatalogHolder, which every worker reads lock-free), the
// loader that fills it, its own sync thread with its own schedule and its own
// re-hash thread. A site whose origin is down or whose store is broken keeps
// its last catalog (or none: 503 for its hosts) and never touches another's.
//
// Which site a request belongs to is edge/site/site_table.h (Host and SNI,
// protocol-neutral); what its responses say (Cache-Control rules, query keys,
// ranges) is its http::Responder in LiveSettings; its certificate is in the
// TLS context (tls_service.h). The runtime parts live here, beside the other
// background threads of edge/server, until that folder is split.
//
// Lifecycle: made by EdgeServer::create() in configuration order (the index
// is the site's number in logs, metrics and SiteTable), loaded once before
// the workers start, sync and re-hash started by run(), stopped before the
// workers join. A site added on SIGHUP is made, loaded and started by the
// signal thread (edge_server.cc: start_new_sites) and takes the next index;
// one removed is retired (SiteConfig::retired: routes nothing, threads
// stopped, start_new_sites/retire_sites) but never freed while the edge runs:
// workers hold pointers into it and may be sending one of its responses.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/edge_config.h"
#include "edge/cache/catalog.h"
#include "edge/server/catalog_loader.h"
#include "edge/server/publication_watch.h"
#include "edge/server/rehash_loop.h"
#include "edge/server/sync_loop.h"
#include "edge/site/site_table.h"
#include "edge/storage/blob_quarantine.h"
#include "origin-sync/result.h"
#include "origin-sync/signing_key.h"

namespace relais {

struct Site {
  Site(SiteConfig config, std::shared_ptr<const TrustedKeys> keys, bool named);
  Site(const Site&) = delete;
  Site& operator=(const Site&) = delete;

  // The first load, before the workers start: prints the catalog line, or
  // that the site answers 503 until a catalog loads (SIGHUP, its next sync).
  void load_at_start();
  // Reloads STORE/manifest; prints "catalog generation N, M objects" (with
  // "site NAME: " before it when sites are configured) when the catalog in
  // service changed. From the signal thread, the sync thread, start-up.
  void reload_and_announce();
  // Starts the sync thread (with an origin) and the re-hash thread (rate >
  // 0). --rehash-rate is the whole edge's: each of `sites` gets its share.
  void start_background(const EdgeConfig& edge, std::size_t sites);
  void stop_background();

  SiteConfig config;
  bool named;  // from a [site.NAME] section (else the implicit one: lines keep their old form)
  CatalogHolder catalog;
  std::unique_ptr<CatalogLoader> loader;
  PublicationWatch publication_watch;
  SyncStats sync_stats;
  std::unique_ptr<SyncLoop> sync;
  BlobQuarantine quarantine;  // the re-hasher's findings, read by every worker's store of this site
  RehashStats rehash_stats;
  std::unique_ptr<RehashLoop> rehash;

 private:
  std::string who() const;  // "site NAME: " before its lines, "" for the implicit site
  std::shared_ptr<const TrustedKeys> keys_;
  std::mutex announce_mutex_;  // the signal and the sync thread both print the catalog line
};

// Host patterns and default site of a configuration; an error names the
// option ("--site.NAME.hosts: host 'a..b' has an empty label").
Result<SiteTable> build_site_table(const EdgeConfig& config);

// The keys a site's publications must be signed with (SiteConfig::trusted_keys,
// its own or the global ones), read from their files; an error names the
// option that listed the file (--site.NAME.trusted-key or --trusted-key).
Result<std::shared_ptr<const TrustedKeys>> load_site_keys(const SiteConfig& site);

}  // namespace relais
