// SiteTable: Host and SNI to a site, exact before wildcard, longest suffix,
// and the refusals (404 plain, 421 HTTPS and SNI/Host mismatch).
#include "edge/site/site_table.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

SiteTable two_sites() {
  SiteTable t;
  EXPECT_TRUE(t.add("rectorat.example", 0).ok());
  EXPECT_TRUE(t.add("www.rectorat.example", 0).ok());
  EXPECT_TRUE(t.add("*.ent.example", 1).ok());
  EXPECT_TRUE(t.add("*.lyon.ent.example", 2).ok());
  EXPECT_TRUE(t.add("special.lyon.ent.example", 0).ok());
  return t;
}

TEST(SiteTable, ExactNamesIgnoreCasePortAndTrailingDot) {
  SiteTable t = two_sites();
  EXPECT_EQ(t.resolve("rectorat.example"), 0);
  EXPECT_EQ(t.resolve("ReCtOrAt.Example:8443"), 0);
  EXPECT_EQ(t.resolve("rectorat.example."), 0);
  EXPECT_EQ(t.resolve("rectorat.example.:80"), 0);
  EXPECT_EQ(t.resolve("other.example"), kNoSite);
  EXPECT_EQ(t.resolve(""), kNoSite);
  EXPECT_EQ(t.resolve("[::1]:8080"), kNoSite);
}

TEST(SiteTable, WildcardsMatchSubdomainsOnlyAndTheLongestSuffixWins) {
  SiteTable t = two_sites();
  EXPECT_EQ(t.resolve("college.ent.example"), 1);
  EXPECT_EQ(t.resolve("a.b.ent.example"), 1);
  EXPECT_EQ(t.resolve("ent.example"), kNoSite) << "*.x does not match x itself";
  EXPECT_EQ(t.resolve("college.lyon.ent.example"), 2);
  EXPECT_EQ(t.resolve("lyon.ent.example"), 1);
  EXPECT_EQ(t.resolve("special.lyon.ent.example"), 0) << "an exact name beats any wildcard";
  EXPECT_EQ(t.resolve("xent.example"), kNoSite);
  EXPECT_EQ(t.resolve(".ent.example"), kNoSite);
}

TEST(SiteTable, UnknownHostGoesToTheDefaultSiteOrIsRefused) {
  SiteTable t = two_sites();
  EXPECT_EQ(t.route("nowhere.example", "", false).refuse, 404);
  EXPECT_EQ(t.route("nowhere.example", "", true).refuse, 421);
  EXPECT_EQ(t.route("nowhere.example", "", true).site, kNoSite);
  t.set_default(1);
  EXPECT_EQ(t.route("nowhere.example", "", false).site, 1);
  EXPECT_EQ(t.route("nowhere.example", "", false).refuse, 0);
  EXPECT_EQ(t.route("", "", false).site, 1) << "HTTP/1.0 without Host";
}

TEST(SiteTable, SniAndHostOfDifferentSitesAreMisdirected) {
  SiteTable t = two_sites();
  EXPECT_EQ(t.route("rectorat.example", "rectorat.example", true).site, 0);
  EXPECT_EQ(t.route("www.rectorat.example", "rectorat.example", true).site, 0) << "two names of one site";
  EXPECT_EQ(t.route("college.ent.example", "rectorat.example", true).refuse, 421);
  EXPECT_EQ(t.route("rectorat.example", "unknown.example", true).refuse, 421);
  EXPECT_EQ(t.route("rectorat.example", "", true).site, 0) << "no SNI: the Host decides";
  EXPECT_EQ(t.route("rectorat.example", "college.ent.example", false).site, 0) << "SNI means nothing on plain HTTP";
  t.set_default(0);
  EXPECT_EQ(t.route("rectorat.example", "unknown.example", true).site, 0) << "an unknown SNI name is the default site's";
}

TEST(SiteTable, WithoutAHostTheSniNamePicksTheSiteOnTls) {
  // HTTP/1.0 needs no Host; over TLS the SNI name is the name the client gave (hostile review: it got 421).
  const SiteTable t = two_sites();
  EXPECT_EQ(t.route("", "rectorat.example", true).site, 0);
  EXPECT_EQ(t.route("", "college.ent.example", true).site, 1);
  EXPECT_EQ(t.route("", "unknown.example", true).refuse, 421);
  EXPECT_EQ(t.route("", "", true).refuse, 421) << "neither Host nor SNI, no default site";
  EXPECT_EQ(t.route("", "rectorat.example", false).refuse, 404) << "SNI means nothing on plain HTTP";
}

TEST(SiteTable, SingleSendsEverythingToSiteZero) {
  SiteTable t = SiteTable::single();
  EXPECT_EQ(t.route("anything", "", false).site, 0);
  EXPECT_EQ(t.route("anything", "else", true).site, 0);
  EXPECT_EQ(t.route("", "", true).site, 0);
}

TEST(SiteTable, PatternsAreCheckedAndANameBelongsToOneSite) {
  SiteTable t;
  EXPECT_TRUE(t.add("a.example", 0).ok());
  EXPECT_TRUE(t.add("A.EXAMPLE", 0).ok()) << "the same site twice is harmless";
  EXPECT_FALSE(t.add("a.example", 1).ok());
  for (const char* bad : {"", "*.", "a..example", "a.example.", "a*.example", "*", "a b", "a/b", "*.*.example", "-:80"}) {
    EXPECT_FALSE(t.add(bad, 2).ok()) << bad;
  }
  EXPECT_TRUE(host_pattern_problem("*.ent-1.example").empty());
}

TEST(SiteTable, OverlongHostsMatchNothing) {
  SiteTable t = two_sites();
  EXPECT_EQ(t.resolve(std::string(300, 'a') + ".ent.example"), kNoSite);
}

}  // namespace
}  // namespace relais
