#include "edge/server/publication_watch.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

TEST(PublicationWatch, LogsOnceWhenThePublicationExpiresAndOnceWhenAFreshOneReplacesIt) {
  PublicationWatch watch;
  const CatalogLoader::Publication old{1000, 2000}, fresh{3000, 9000};
  EXPECT_FALSE(watch.check(old, 1999));  // valid: nothing to say
  auto expired = watch.check(old, 2000);  // the expiry second itself is expired
  ASSERT_TRUE(expired);
  EXPECT_NE(expired->find("expired 0 s ago"), std::string::npos) << *expired;
  EXPECT_NE(expired->find("still serving it"), std::string::npos) << *expired;
  EXPECT_FALSE(watch.check(old, 5000));  // still expired: no second line
  auto back = watch.check(fresh, 5001);
  ASSERT_TRUE(back);
  EXPECT_NE(back->find("no longer degraded"), std::string::npos) << *back;
  EXPECT_FALSE(watch.check(fresh, 5002));
}

TEST(PublicationWatch, AnUnsignedCatalogIsNeverExpired) {
  PublicationWatch watch;
  EXPECT_FALSE(watch.check(std::nullopt, 1'000'000'000));
  EXPECT_FALSE(expired_text(std::nullopt, 1'000'000'000));
  EXPECT_EQ(*expired_text(CatalogLoader::Publication{10, 20}, 25), "publication expired 5 s ago (published 10, expired 20)");
}

}  // namespace
}  // namespace relais
