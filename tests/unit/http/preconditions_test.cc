// Preconditions: RFC 9110 §13.2.2 evaluation order, entity-tag comparison,
// If-Range.
#include "edge/http/preconditions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::http {
namespace {

constexpr std::int64_t kLastModified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr const char* kAtLm = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr const char* kBeforeLm = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr const char* kAfterLm = "Sun, 06 Nov 1994 08:49:38 GMT";

const Validators kValidators{"\"abc\"", kLastModified, kLastModified};

struct Row {
  const char* name;
  const char* if_match;
  const char* if_unmodified_since;
  const char* if_none_match;
  const char* if_modified_since;
  Precondition expected;
};

Request request(const Row& row, Method method = Method::get) {
  Request r;
  r.method = method;
  r.if_match = row.if_match;
  r.if_unmodified_since = row.if_unmodified_since;
  r.if_none_match = row.if_none_match;
  r.if_modified_since = row.if_modified_since;
  return r;
}

constexpr Precondition kProceed = Precondition::proceed;
constexpr Precondition k304 = Precondition::not_modified;
constexpr Precondition k412 = Precondition::failed;

TEST(Preconditions, EvaluatesInRfc9110Order) {
  const std::vector<Row> rows = {
      {"none", "", "", "", "", kProceed},
      {"If-Match same", "\"abc\"", "", "", "", kProceed},
      {"If-Match star", "*", "", "", "", kProceed},
      {"If-Match list", "\"x\", \"abc\"", "", "", "", kProceed},
      {"If-Match other", "\"x\"", "", "", "", k412},
      {"If-Match weak never matches", "W/\"abc\"", "", "", "", k412},
      {"If-Match malformed", "abc", "", "", "", k412},
      {"IUS at LM", "", kAtLm, "", "", kProceed},
      {"IUS after LM", "", kAfterLm, "", "", kProceed},
      {"IUS before LM", "", kBeforeLm, "", "", k412},
      {"IUS unparseable is ignored", "", "yesterday", "", "", kProceed},
      {"If-Match wins over IUS", "\"abc\"", kBeforeLm, "", "", kProceed},
      {"If-Match fails before INM", "\"x\"", "", "\"abc\"", "", k412},
      {"INM same", "", "", "\"abc\"", "", k304},
      {"INM weak matches", "", "", "W/\"abc\"", "", k304},
      {"INM star", "", "", "*", "", k304},
      {"INM list", "", "", "\"x\" , W/\"abc\"", "", k304},
      {"INM other", "", "", "\"x\"", "", kProceed},
      {"INM malformed", "", "", "\"abc", "", kProceed},
      {"IMS at LM", "", "", "", kAtLm, k304},
      {"IMS after LM", "", "", "", kAfterLm, k304},
      {"IMS before LM", "", "", "", kBeforeLm, kProceed},
      {"IMS unparseable is ignored", "", "", "", "Sun, 06 Nov 1994", kProceed},
      {"INM present overrides IMS", "", "", "\"x\"", kAtLm, kProceed},
      {"INM and IMS both match", "", "", "\"abc\"", kBeforeLm, k304},
      {"IUS fails before INM", "", kBeforeLm, "\"abc\"", "", k412},
      {"all pass, 304 last", "\"abc\"", kAtLm, "\"abc\"", kAtLm, k304},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(evaluate_preconditions(request(row), kValidators), row.expected) << row.name;
    EXPECT_EQ(evaluate_preconditions(request(row, Method::head), kValidators), row.expected) << row.name;
  }
}

TEST(Preconditions, OtherMethodsFailOnIfNoneMatchAndIgnoreIfModifiedSince) {
  const Row inm{"", "", "", "\"abc\"", "", k412};
  EXPECT_EQ(evaluate_preconditions(request(inm, Method::post), kValidators), Precondition::failed);
  const Row ims{"", "", "", "", kAtLm, kProceed};
  EXPECT_EQ(evaluate_preconditions(request(ims, Method::post), kValidators), Precondition::proceed);
}

TEST(Preconditions, StrongAndWeakComparison) {
  // RFC 9110 §8.8.3.2 table.
  EXPECT_FALSE(etag_strong_match("W/\"1\"", "W/\"1\""));
  EXPECT_TRUE(etag_weak_match("W/\"1\"", "W/\"1\""));
  EXPECT_FALSE(etag_strong_match("W/\"1\"", "W/\"2\""));
  EXPECT_FALSE(etag_weak_match("W/\"1\"", "W/\"2\""));
  EXPECT_FALSE(etag_strong_match("W/\"1\"", "\"1\""));
  EXPECT_TRUE(etag_weak_match("W/\"1\"", "\"1\""));
  EXPECT_TRUE(etag_strong_match("\"1\"", "\"1\""));
  EXPECT_TRUE(etag_weak_match("\"1\"", "\"1\""));
  EXPECT_FALSE(etag_strong_match("1", "1"));
  EXPECT_FALSE(etag_weak_match("w/\"1\"", "\"1\""));
  EXPECT_FALSE(etag_weak_match("\"a\"b\"", "\"a\"b\""));
  EXPECT_TRUE(etag_strong_match("\"\"", "\"\""));
}

TEST(Preconditions, EntityTagListsHonourQuotesAndWhitespace) {
  EXPECT_TRUE(etag_list_matches("\"a,b\", \"abc\"", "\"abc\"", false));
  EXPECT_TRUE(etag_list_matches("\"a,b\"", "\"a,b\"", false));
  EXPECT_TRUE(etag_list_matches(" , \"abc\" ,", "\"abc\"", false));
  EXPECT_TRUE(etag_list_matches(" * ", "\"abc\"", false));
  EXPECT_FALSE(etag_list_matches("*, \"abc\"", "\"abc\"", false));  // '*' only alone
  EXPECT_FALSE(etag_list_matches("\"abc\" \"abc\"", "\"abc\"", false));
  EXPECT_FALSE(etag_list_matches("", "\"abc\"", true));
  EXPECT_FALSE(etag_list_matches("\"abc", "\"abc\"", true));
}

TEST(Preconditions, IfRangeNeedsAStrongTagOrTheExactDate) {
  EXPECT_TRUE(if_range_allows("", kValidators));
  EXPECT_TRUE(if_range_allows("\"abc\"", kValidators));
  EXPECT_FALSE(if_range_allows("W/\"abc\"", kValidators));  // weak never matches
  EXPECT_FALSE(if_range_allows("\"x\"", kValidators));
  EXPECT_TRUE(if_range_allows(kAtLm, kValidators));
  EXPECT_FALSE(if_range_allows(kAfterLm, kValidators));
  EXPECT_FALSE(if_range_allows(kBeforeLm, kValidators));
  EXPECT_FALSE(if_range_allows("not a date", kValidators));
}

}  // namespace
}  // namespace relais::http
