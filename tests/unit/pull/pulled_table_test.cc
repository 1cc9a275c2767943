// The memory tier of pulled objects and the stored form of origin responses:
// variants by Vary, eviction by bytes, the store decision, 304 freshening and
// the fields passed on to clients.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edge/cache/freshness/secondary_key.h"
#include "edge/pull/pulled_object.h"
#include "edge/pull/pulled_response.h"
#include "edge/pull/pulled_table.h"

namespace relais::pull {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

upstream::OriginHead head(int status, std::vector<upstream::OriginField> fields) {
  return upstream::OriginHead{status, std::move(fields)};
}

PulledRef object(const std::string& body, const std::string& vary = "", const std::string& secondary = "") {
  auto o = std::make_shared<PulledObject>();
  o->status = 200;
  o->fields = {{"Cache-Control", "max-age=60"}};
  if (!vary.empty()) o->fields.push_back({"Vary", vary});
  o->stored.facts = freshness::read_response_facts(200, field_views(o->fields), kNow);
  o->secondary = secondary;
  auto bytes = std::make_shared<MemoryObject>();
  bytes->bytes = body;
  o->body = bytes;
  return o;
}

// A purge names a path (its keys with a query too, every variant) or a
// prefix ending in "/"; never another site's keys, never a longer name.
TEST(PulledTable, PurgeDropsAPathOrAPrefixOfOneSite) {
  PulledTable table(1 << 20);
  for (const char* key : {"0 /p", "0 /p?v=1", "0 /pp", "0 /dir/a", "0 /dir/b/c", "0 /dirt", "1 /p", "1 /dir/a"})
    ASSERT_TRUE(table.put(key, object(key)));
  ASSERT_TRUE(table.put("0 /p", object("other variant", "Accept-Encoding", "br")));
  EXPECT_EQ(table.purge("0 /p", false), 3u);
  EXPECT_EQ(table.purge("0 /dir/", true), 2u);
  EXPECT_EQ(table.purge("0 /p", false), 0u);
  EXPECT_EQ(table.objects(), 4u);  // 0 /pp, 0 /dirt, 1 /p, 1 /dir/a
  EXPECT_NE(table.find("1 /p", {}), nullptr);
  EXPECT_NE(table.find("0 /pp", {}), nullptr);
}

TEST(PulledTable, FindsTheVariantTheRequestsFieldsSelect) {
  const std::vector<freshness::FieldView> gzip = {{"Accept-Encoding", "gzip, deflate"}};
  const std::vector<freshness::FieldView> none;
  const auto gz_key = freshness::secondary_key("Accept-Encoding", gzip);
  const auto plain_key = freshness::secondary_key("Accept-Encoding", none);
  ASSERT_TRUE(gz_key && plain_key);
  PulledTable table(1 << 20);
  ASSERT_TRUE(table.put("0 /v", object("GZ", "Accept-Encoding", *gz_key)));
  ASSERT_TRUE(table.put("0 /v", object("PLAIN", "Accept-Encoding", *plain_key)));
  bool any = false;
  EXPECT_EQ(table.find("0 /v", gzip, &any)->body->bytes, "GZ");
  EXPECT_EQ(table.find("0 /v", none)->body->bytes, "PLAIN");
  EXPECT_TRUE(any);
  EXPECT_EQ(table.find("0 /other", none, &any), nullptr);
  EXPECT_FALSE(any);
}

TEST(PulledTable, ReplacesTheSameVariantAndEvictsLeastRecentlyUsedByBytes) {
  const std::string body(1000, 'x');
  const std::uint64_t one = object(body)->charge() + 4;  // + the primary key "0 /a"
  PulledTable table(2 * one + one / 2);
  ASSERT_TRUE(table.put("0 /a", object(body)));
  ASSERT_TRUE(table.put("0 /a", object(body)));  // the same variant: replaced, not added
  EXPECT_EQ(table.objects(), 1u);
  ASSERT_TRUE(table.put("0 /b", object(body)));
  EXPECT_NE(table.find("0 /a", {}), nullptr);  // /a is now the most recent
  ASSERT_TRUE(table.put("0 /c", object(body)));
  EXPECT_EQ(table.objects(), 2u);
  EXPECT_EQ(table.find("0 /b", {}), nullptr);  // the least recently used went
  EXPECT_NE(table.find("0 /a", {}), nullptr);
  EXPECT_LE(table.used_bytes(), 2 * one + one / 2);
  EXPECT_FALSE(table.put("0 /huge", object(std::string(10 * one, 'h'))));
}

// A key keeps at most kMaxVariants variants: one more drops the key's least
// recently used one, never another key's.
TEST(PulledTable, AKeyKeepsAtMostSixteenVariantsTheLeastRecentlyUsedGoes) {
  PulledTable table(1 << 20);
  ASSERT_TRUE(table.put("0 /other", object("other")));
  std::vector<std::string> values;
  for (std::size_t i = 0; i <= PulledTable::kMaxVariants; ++i) values.push_back(std::to_string(i));
  auto fields = [&](std::size_t i) { return std::vector<freshness::FieldView>{{"X-Variant", values[i]}}; };
  auto put = [&](std::size_t i) {
    const auto key = freshness::secondary_key("X-Variant", fields(i));
    ASSERT_TRUE(key);
    ASSERT_TRUE(table.put("0 /v", object(values[i], "X-Variant", *key)));
  };
  for (std::size_t i = 0; i < PulledTable::kMaxVariants; ++i) put(i);
  EXPECT_EQ(table.objects(), PulledTable::kMaxVariants + 1);
  ASSERT_NE(table.find("0 /v", fields(0)), nullptr);  // 0 is now the key's most recent, 1 its least
  put(PulledTable::kMaxVariants);
  EXPECT_EQ(table.objects(), PulledTable::kMaxVariants + 1);
  EXPECT_EQ(table.find("0 /v", fields(1)), nullptr);
  EXPECT_NE(table.find("0 /v", fields(0)), nullptr);
  EXPECT_NE(table.find("0 /v", fields(PulledTable::kMaxVariants)), nullptr);
  EXPECT_NE(table.find("0 /other", {}), nullptr);
}

TEST(PulledTable, ErasesOnlyThatObject) {
  PulledTable table(1 << 20);
  const PulledRef a = object("a");
  ASSERT_TRUE(table.put("0 /a", a));
  table.erase("0 /a", object("other").get());
  EXPECT_EQ(table.objects(), 1u);
  table.erase("0 /a", a.get());
  EXPECT_EQ(table.objects(), 0u);
  EXPECT_EQ(table.used_bytes(), 0u);
}

TEST(PlanStore, StoresWhatRfc9111AllowsAndNothingElse) {
  const freshness::ExchangeTimes times{kNow, kNow};
  const auto plan = [&](std::vector<upstream::OriginField> fields, int status = 200, std::uint64_t max = 1 << 20) {
    return plan_store(head(status, std::move(fields)), {}, times, kNow, max, {});
  };
  EXPECT_TRUE(plan({{"Cache-Control", "max-age=60"}}).storable);
  EXPECT_FALSE(plan({{"Cache-Control", "no-store, max-age=60"}}).storable);
  EXPECT_FALSE(plan({{"Cache-Control", "private, max-age=60"}}).storable);
  EXPECT_FALSE(plan({{"Cache-Control", "max-age=60"}, {"Set-Cookie", "a=b"}}).storable);
  EXPECT_FALSE(plan({{"Cache-Control", "max-age=60"}, {"Vary", "*"}}).storable);
  EXPECT_TRUE(plan({}, 404).storable);  // negative caching: cacheable by default
  EXPECT_FALSE(plan({{"Cache-Control", "max-age=60"}, {"Content-Length", "2000000"}}).storable);  // over object_max
  // Hop-by-hop fields are not stored (RFC 9111 §3.1).
  const StorePlan p = plan({{"Cache-Control", "max-age=60"}, {"Connection", "x-hop"}, {"X-Hop", "1"}, {"Keep-Alive", "5"}});
  ASSERT_TRUE(p.storable);
  for (const auto& f : p.object.fields) {
    EXPECT_NE(f.name, "Connection");
    EXPECT_NE(f.name, "X-Hop");
    EXPECT_NE(f.name, "Keep-Alive");
  }
}

TEST(Freshen, A304ReplacesFieldsSharesTheBodyAndRestartsTheClock) {
  const PulledRef stored = object("body");
  const PulledRef fresh = freshen(*stored, head(304, {{"Cache-Control", "max-age=600"}, {"Content-Length", "0"}}),
                                  {kNow + 100, kNow + 100}, kNow + 100);
  EXPECT_EQ(fresh->body, stored->body);
  EXPECT_EQ(fresh->stored.facts.directives.max_age, 600);
  EXPECT_EQ(fresh->stored.times.response_time, kNow + 100);
}

// A 304 with no validator answers our conditional on this stored response:
// it freshens it; one naming another strong entity-tag does not (§4.3.4).
TEST(Freshen, ABare304FreshensTheRevalidatedResponseAnotherTagDoesNot) {
  auto stored = std::make_shared<PulledObject>(*object("body"));
  stored->fields.push_back({"ETag", "\"e\""});
  stored->stored.facts = freshness::read_response_facts(200, field_views(stored->fields), kNow);
  const PulledRef fresh = freshen(*stored, head(304, {{"Cache-Control", "max-age=600"}}), {kNow + 5, kNow + 5}, kNow + 5);
  ASSERT_NE(fresh, nullptr);
  EXPECT_EQ(fresh->stored.facts.directives.max_age, 600);
  EXPECT_EQ(fresh->stored.facts.etag, "\"e\"");
  EXPECT_EQ(freshen(*stored, head(304, {{"ETag", "\"other\""}}), {kNow, kNow}, kNow), nullptr);
}

TEST(ForwardedFields, LeaveOutHopByHopFramingAndOurOwnFields) {
  const upstream::OriginHead h = head(200, {{"Content-Type", "text/plain"}, {"Connection", "close, X-Private"},
                                            {"X-Private", "1"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"},
                                            {"Date", "x"}, {"Server", "origin"}, {"Age", "3"}, {"ETag", "\"e\""}});
  std::vector<http::HeaderField> out;
  forwarded_fields(h, out);
  std::vector<std::string> names;
  for (const auto& f : out) names.emplace_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Content-Type", "ETag"}));
}

}  // namespace
}  // namespace relais::pull
