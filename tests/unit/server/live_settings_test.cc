// apply_live_changes: which options a SIGHUP applies to a running edge and
// which it names as needing a restart.
#include "edge/server/live_settings.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace relais {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(LiveSettings, LiveOptionsAreTakenAndNothingIsNamed) {
  EdgeConfig running, next;
  next.server_name = "two";
  next.keepalive_timeout_ms = 5'000;
  next.max_connections = 77;
  next.cache_control_rules = {{"/videos/", "public, max-age=9"}};
  next.query_keys = {"v"};
  next.tls_cert = "/etc/relais/new.pem";
  next.drain_timeout_ms = 1'000;
  next.access_log = "/var/log/relais/other.log";
  std::vector<std::string> restart_only;
  EdgeConfig applied = apply_live_changes(running, next, restart_only);
  EXPECT_TRUE(restart_only.empty()) << restart_only.front();
  EXPECT_EQ(applied.server_name, "two");
  EXPECT_EQ(applied.keepalive_timeout_ms, 5'000u);
  EXPECT_EQ(applied.max_connections, 77u);
  EXPECT_EQ(applied.cache_control_rules.size(), 1u);
  EXPECT_EQ(applied.tls_cert, "/etc/relais/new.pem");
  EXPECT_EQ(applied.access_log, "/var/log/relais/other.log");
}

TEST(LiveSettings, RestartOnlyOptionsKeepTheirRunningValueAndAreNamed) {
  EdgeConfig running, next;
  next.workers = running.workers + 1;
  next.listen = {"127.0.0.1:8081"};
  next.max_head_bytes = 16384;  // pooled buffers are sized by it
  next.memory_cache_bytes = 1ull << 30;
  next.address_slots = 1024;
  next.store = "/srv/other";
  next.access_log = "off";      // switching the log off changes what workers hold
  std::vector<std::string> restart_only;
  EdgeConfig applied = apply_live_changes(running, next, restart_only);
  for (const char* option : {"workers", "listen", "max-header-bytes", "memory-cache", "address-slots", "store", "access-log"})
    EXPECT_TRUE(has(restart_only, option)) << option;
  EXPECT_EQ(applied.workers, running.workers);
  EXPECT_EQ(applied.listen, running.listen);
  EXPECT_EQ(applied.max_head_bytes, running.max_head_bytes);
  EXPECT_EQ(applied.access_log, running.access_log);
}

TEST(LiveSettings, ARepeatableLineRemovedIsNamedToo) {
  EdgeConfig running, next;
  running.network_limits = {"10.0.0.0/8=1000:5000:10000"};
  std::vector<std::string> restart_only;
  (void)apply_live_changes(running, next, restart_only);
  EXPECT_TRUE(has(restart_only, "network-limit"));
}

// A key retired by a reload must not go on being trusted in silence: the
// trusted keys are read at start, so a changed set is named (found by the
// hostile review: the reload said nothing and kept the old key).
TEST(LiveSettings, AChangedTrustedKeySetIsNamedAsRestartOnly) {
  EdgeConfig running, next;
  running.trusted_keys = {"/etc/relais/old.pub"};
  next.trusted_keys = {"/etc/relais/new.pub"};
  std::vector<std::string> restart_only;
  EdgeConfig applied = apply_live_changes(running, next, restart_only);
  EXPECT_TRUE(has(restart_only, "trusted-key"));
  EXPECT_EQ(applied.trusted_keys, running.trusted_keys);
}

SiteConfig site(const std::string& name, const std::string& host, const std::string& store) {
  SiteConfig s;
  s.name = name;
  s.hosts = {host};
  s.store = store;
  return s;
}

TEST(LiveSettings, SiteRulesHostsCertificatesAndTheSetOfSitesAreLive) {
  EdgeConfig running, next;
  running.sites = {site("a", "a.test", "/s/a"), site("b", "b.test", "/s/b")};
  next.sites = running.sites;
  next.sites[0].hosts = {"a.test", "*.a.test"};
  next.sites[0].cache_control_html = "no-cache";
  next.sites[1].tls_cert = "/etc/relais/b.pem";
  next.sites[1].store = "/s/elsewhere";
  std::vector<std::string> restart_only;
  EdgeConfig applied = apply_live_changes(running, next, restart_only);
  EXPECT_EQ(applied.sites[0].hosts.size(), 2u);
  EXPECT_EQ(applied.sites[0].cache_control_html, "no-cache");
  EXPECT_EQ(applied.sites[1].tls_cert, "/etc/relais/b.pem");
  EXPECT_EQ(applied.sites[1].store, "/s/b");
  EXPECT_EQ(restart_only, std::vector<std::string>{"site.b.store"});

  // A new site first in the file: added after the running ones (their indices stay).
  next.sites.insert(next.sites.begin(), site("c", "c.test", "/s/c"));
  applied = apply_live_changes(running, next, restart_only);
  ASSERT_EQ(applied.sites.size(), 3u) << "a new site is added live";
  EXPECT_EQ(applied.sites[2].name, "c");
  EXPECT_EQ(applied.sites[0].hosts.size(), 2u) << "the running sites still change live";
  EXPECT_FALSE(has(restart_only, "site.c.hosts"));
  // Removing one: retired in its place (the others keep their index), not restart-only.
  next.sites.pop_back();
  applied = apply_live_changes(running, next, restart_only);
  ASSERT_EQ(applied.sites.size(), 3u);
  EXPECT_EQ(applied.sites[1].name, "b");
  EXPECT_TRUE(applied.sites[1].retired);
  EXPECT_FALSE(applied.sites[0].retired);
  EXPECT_FALSE(has(restart_only, "site.b.hosts")) << restart_only.size();
  // A retired name comes back only with a restart (its index is spent).
  EdgeConfig after_removal = applied;
  next.sites.push_back(site("b", "b.test", "/s/b"));
  applied = apply_live_changes(after_removal, next, restart_only);
  EXPECT_TRUE(applied.sites[1].retired);
  EXPECT_TRUE(has(restart_only, "site.b.hosts"));
  // The last section cannot be removed live (the global store would become the site).
  EdgeConfig none = next;
  none.sites.clear();
  applied = apply_live_changes(running, none, restart_only);
  EXPECT_FALSE(applied.sites[0].retired);
  // An edge without sections cannot go to sections live: its implicit site has no name to keep.
  EdgeConfig implicit;
  applied = apply_live_changes(implicit, next, restart_only);
  EXPECT_TRUE(applied.sites.empty());
  EXPECT_TRUE(has(restart_only, "site.c.hosts"));
}

TEST(LiveSettings, EachSiteHasItsResponderAndTheTableRoutesToIt) {
  EdgeConfig c;
  c.cache_control_html = "public, max-age=60";
  c.sites = {site("a", "a.test", "/s/a"), site("b", "*.b.test", "/s/b")};
  c.sites[0].cache_control_html = "no-cache";
  c.sites[1].cache_control_html = c.cache_control_html;
  c.sites[1].query_keys = {"v"};
  auto live = make_live_settings(c, "boundary");
  ASSERT_EQ(live->site_responders.size(), 2u);
  EXPECT_EQ(live->site_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(live->site_responders[0].settings().cache_control.html, "no-cache");
  EXPECT_EQ(live->site_responders[1].settings().query_keys, std::vector<std::string>{"v"});
  EXPECT_EQ(live->sites.route("x.b.test", "", false).site, 1);
  EXPECT_EQ(live->sites.route("c.test", "", false).refuse, 404);
  EXPECT_TRUE(live->named_sites);
}

TEST(LiveSettings, WithoutSitesOneImplicitSiteAnswersEveryHost) {
  EdgeConfig c;
  c.query_keys = {"page"};
  auto live = make_live_settings(c, "boundary");
  ASSERT_EQ(live->site_responders.size(), 1u);
  EXPECT_EQ(live->site_names, std::vector<std::string>{"default"});
  EXPECT_EQ(live->site_responders[0].settings().query_keys, std::vector<std::string>{"page"});
  EXPECT_EQ(live->sites.route("anything.test", "other.test", true).site, 0);
  EXPECT_FALSE(live->named_sites);
}

TEST(LiveSettings, SnapshotCarriesServerSettingsAndResponder) {
  EdgeConfig c;
  c.server_name = "edge-7";
  c.drain_timeout_ms = 4'000;
  auto live = make_live_settings(c, "boundary");
  EXPECT_EQ(live->responder.settings().server_name, "edge-7");
  EXPECT_EQ(live->responder.settings().multipart_boundary, "boundary");
  EXPECT_EQ(live->server.drain_timeout_ms, 4'000u);
}

}  // namespace
}  // namespace relais
