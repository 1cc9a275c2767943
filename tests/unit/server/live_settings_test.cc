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
