#include "edge/server/site.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "config/site_options.h"

namespace relais {

static_assert(kMaxSites >= kMaxConfiguredSites, "every configured site needs an index below kNoSite");

Site::Site(SiteConfig c, std::shared_ptr<const TrustedKeys> keys, bool from_section)
    : config(std::move(c)), named(from_section), keys_(std::move(keys)) {
  loader = std::make_unique<CatalogLoader>(config.store, catalog, keys_);
}

std::string Site::who() const { return named ? "site " + config.name + ": " : ""; }

void Site::load_at_start() {
  if (auto s = loader->reload(); !s.ok()) {
    // A pull-only site needs no manifest: every path goes to its origin.
    if (config.mode == "pull") {
      std::string origins;
      for (const std::string& url : config.origin_urls) origins += (origins.empty() ? "" : ", ") + url;
      std::printf("%spull-through from %s, no manifest\n", who().c_str(), origins.c_str());
      return;
    }
    std::fprintf(stderr, "relais-edge: %sno catalog yet: %s (answering 503 until one loads)\n", who().c_str(),
                 s.error().message.c_str());
  } else {
    auto current = catalog.current();
    std::printf("%scatalog generation %llu, %zu objects\n", who().c_str(),
                static_cast<unsigned long long>(current->generation()), current->size());
  }
}

void Site::reload_and_announce() {
  std::lock_guard lock(announce_mutex_);
  const std::string who = this->who();
  const std::uint64_t before = catalog.version();
  if (auto s = loader->reload(); !s.ok()) {
    // A pull-only site serves no manifest (every path goes to its origin):
    // a missing one is its normal state, not a failure to report each reload.
    if (config.mode == "pull") return;
    std::fprintf(stderr, "relais-edge: %sreload failed, keeping the catalog in service: %s\n", who.c_str(),
                 s.error().message.c_str());
    std::fflush(stderr);
  } else if (auto current = catalog.current(); current && catalog.version() != before) {
    std::printf("%scatalog generation %llu, %zu objects\n", who.c_str(),
                static_cast<unsigned long long>(current->generation()), current->size());
    std::fflush(stdout);
  }
}

void Site::start_background(const EdgeConfig& c, std::size_t sites) {
  if (!config.origin.empty()) {
    SyncSettings s = sync_settings(config.origin, config.store, config.sync_jobs,
                                   {.retries = c.sync_retries, .gc_grace_ms = c.gc_grace_ms,
                                    .connect_timeout_ms = c.origin_timeout_ms, .stall_timeout_ms = c.origin_stall_timeout_ms,
                                    .min_rate = c.origin_min_rate, .deadline_ms = c.origin_deadline_ms});
    s.trusted_keys = keys_;
    sync = std::make_unique<SyncLoop>(std::move(s), std::chrono::milliseconds(config.sync_interval_ms), sync_stats,
                                      [this] { reload_and_announce(); }, named ? config.name : std::string());
    sync->start();
  }
  if (c.rehash_rate > 0) {
    const std::uint64_t rate = std::max<std::uint64_t>(1, c.rehash_rate / std::max<std::size_t>(1, sites));
    rehash = std::make_unique<RehashLoop>(config.store, rate, std::chrono::milliseconds(c.rehash_interval_ms),
                                          quarantine, rehash_stats);
    rehash->start();
  }
}

void Site::stop_background() {
  if (sync) sync->stop();
  if (rehash) rehash->stop();
}

Result<std::shared_ptr<const TrustedKeys>> load_site_keys(const SiteConfig& site) {
  auto keys = TrustedKeys::load(site.trusted_keys);
  if (!keys.ok())
    return Error::config((site.own_trusted_keys ? "--site." + site.name + ".trusted-key " : std::string("--trusted-key ")) +
                         keys.error().message);
  return std::make_shared<const TrustedKeys>(std::move(keys.value()));
}

Result<SiteTable> build_site_table(const EdgeConfig& c) {
  if (c.sites.empty()) return SiteTable::single();
  SiteTable table;
  for (std::size_t i = 0; i < c.sites.size(); ++i) {
    const SiteConfig& s = c.sites[i];
    if (s.retired) continue;
    for (const std::string& host : s.hosts) {
      if (auto st = table.add(host, static_cast<SiteIndex>(i)); !st.ok())
        return Error::config("--site." + s.name + ".hosts: " + st.error().message);
    }
    if (s.name == c.default_site) table.set_default(static_cast<SiteIndex>(i));
  }
  return table;
}

}  // namespace relais
