#include "edge/server/admin_server.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

AdminHandlers handlers(bool healthy, std::string* purged) {
  AdminHandlers h;
  h.token = "t0ken";
  h.healthy = [healthy] { return healthy; };
  h.health_text = [] { return std::string("ok\n"); };
  h.metrics = [] { return std::string("relais_up 1\n"); };
  h.purge = [purged](std::size_t site, std::string_view path) -> Result<std::size_t> {
    *purged = (site == 0 ? "" : std::to_string(site) + ":") + std::string(path);
    return std::size_t{1};
  };
  h.sites = {{"default", ""}};
  return h;
}

// Two sites: rectorat (its own token) and ent (none).
AdminHandlers two_sites(std::string* purged) {
  AdminHandlers h = handlers(true, purged);
  h.sites = {{"rectorat", "rect-token"}, {"ent", ""}};
  return h;
}

TEST(AdminServer, HealthReflectsCatalogState) {
  std::string purged;
  EXPECT_EQ(handle_admin_request("GET", "/healthz", "", handlers(true, &purged)).status, 200);
  EXPECT_EQ(handle_admin_request("GET", "/healthz", "", handlers(false, &purged)).status, 503);
  EXPECT_EQ(handle_admin_request("POST", "/healthz", "", handlers(true, &purged)).status, 405);
}

TEST(AdminServer, MetricsUsePrometheusContentType) {
  std::string purged;
  AdminResponse r = handle_admin_request("GET", "/metrics", "", handlers(true, &purged));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(r.body, "relais_up 1\n");
}

TEST(AdminServer, PurgeRequiresPostAndTheExactBearerToken) {
  std::string purged;
  auto h = handlers(true, &purged);
  EXPECT_EQ(handle_admin_request("GET", "/purge?path=/a", "Bearer t0ken", h).status, 405);
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "", h).status, 401);
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Bearer t0ke", h).status, 401);
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Bearer t0kenX", h).status, 401);
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Basic t0ken", h).status, 401);
  EXPECT_TRUE(purged.empty());
  EXPECT_EQ(handle_admin_request("POST", "/purge", "Bearer t0ken", h).status, 400);
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=%zz", "Bearer t0ken", h).status, 400);
  AdminResponse ok = handle_admin_request("POST", "/purge?x=1&path=/cours/S%C3%A9ance%203.pdf", "Bearer t0ken", h);
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(purged, "/cours/Séance 3.pdf");
}

TEST(AdminServer, PurgeDisabledWithoutToken) {
  std::string purged;
  auto h = handlers(true, &purged);
  h.token.clear();
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Bearer ", h).status, 403);
}

TEST(AdminServer, ASiteTokenPurgesItsOwnSiteOnly) {
  std::string purged;
  auto h = two_sites(&purged);
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Bearer rect-token", h).status, 200);
  EXPECT_EQ(purged, "/a") << "site 0, the token's";
  purged.clear();
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=rectorat&path=/b", "Bearer rect-token", h).status, 200);
  EXPECT_EQ(purged, "/b");
  purged.clear();
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=ent&path=/a", "Bearer rect-token", h).status, 403);
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=nowhere&path=/a", "Bearer rect-token", h).status, 404);
  EXPECT_TRUE(purged.empty());
}

TEST(AdminServer, TheEdgeTokenPurgesTheSiteItNames) {
  std::string purged;
  auto h = two_sites(&purged);
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Bearer t0ken", h).status, 400) << "which site?";
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=ent&path=/a", "Bearer t0ken", h).status, 200);
  EXPECT_EQ(purged, "1:/a");
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=rectorat&path=/c", "Bearer t0ken", h).status, 200);
  EXPECT_EQ(purged, "/c");
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=ent&path=/a", "Bearer wrong", h).status, 401);
}

TEST(AdminServer, ASiteOrPathGivenTwiceOrMalformedIsRefused) {
  // Hostile review: "site=a&site=b" took the first; a proxy in front may read the last.
  std::string purged;
  auto h = two_sites(&purged);
  for (const char* target : {"/purge?site=rectorat&site=ent&path=/a", "/purge?site=ent&path=/a&site=ent",
                             "/purge?site=rectorat&path=/a&path=/b", "/purge?site=%zz&path=/a"}) {
    EXPECT_EQ(handle_admin_request("POST", target, "Bearer t0ken", h).status, 400) << target;
    EXPECT_EQ(handle_admin_request("POST", target, "Bearer rect-token", h).status, 400) << target;
  }
  EXPECT_TRUE(purged.empty()) << purged;
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=ent&path=/a", "Bearer wrong", h).status, 401) << "the token first";
}

TEST(AdminServer, SiteTokensAloneEnablePurge) {
  std::string purged;
  auto h = two_sites(&purged);
  h.token.clear();
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Bearer rect-token", h).status, 200);
  EXPECT_EQ(handle_admin_request("POST", "/purge?site=ent&path=/a", "Bearer ", h).status, 401);
  h.sites[0].token.clear();
  EXPECT_EQ(handle_admin_request("POST", "/purge?path=/a", "Bearer rect-token", h).status, 403);
}

TEST(AdminServer, UnknownPathIs404) {
  std::string purged;
  EXPECT_EQ(handle_admin_request("GET", "/", "", handlers(true, &purged)).status, 404);
}

}  // namespace
}  // namespace relais
