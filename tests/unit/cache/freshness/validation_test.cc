// RFC 9111 §4.3.1 (sending a validation request), §4.3.2 (answering a
// client's conditional request), §4.3.4 (freshening with a 304), §3.2
// (updating stored fields), §4.3.5 (HEAD), RFC 9110 §13.1.2 / §13.1.3 as a
// cache applies them. Table of sections: docs/PULL_THROUGH.md.
#include "edge/cache/freshness/validation.h"

#include <gtest/gtest.h>

#include "edge/http/request.h"

#include "tests/unit/cache/freshness/message.h"

namespace relais::freshness {
namespace {

using testing::facts;
using testing::http_date;
using testing::kNow;
using testing::Message;

const std::string kLastModified = http_date(kNow - 3600);

// §4.3.1: If-None-Match from the stored ETag, If-Modified-Since from Last-Modified as received.
TEST(Validation_9111_S4_3_1, ConditionalFieldsFromStoredValidators) {
  Message m{{"ETag", "\"v1\""}, {"Last-Modified", kLastModified}};
  const ResponseFacts f = facts(200, m);
  const ResponseFacts* stored[] = {&f};
  const ConditionalFields c = conditional_fields(stored);
  EXPECT_EQ(c.if_none_match, "\"v1\"");
  EXPECT_EQ(c.if_modified_since, kLastModified);
}

// §4.3.1: several stored responses: all their entity-tags, weak ones too.
TEST(Validation_9111_S4_3_1, SeveralStoredEntityTags) {
  Message a{{"ETag", "\"gz\""}};
  Message b{{"ETag", "W/\"br\""}};
  const ResponseFacts fa = facts(200, a), fb = facts(200, b);
  const ResponseFacts* stored[] = {&fa, &fb};
  EXPECT_EQ(conditional_fields(stored).if_none_match, "\"gz\", W/\"br\"");
}

// §4.3.1: no validators: no conditional fields (an unconditional fetch).
TEST(Validation_9111_S4_3_1, NoValidatorsNoConditionals) {
  Message m{{"Cache-Control", "max-age=1"}, {"ETag", "not-quoted"}};
  const ResponseFacts f = facts(200, m);
  const ResponseFacts* stored[] = {&f};
  const ConditionalFields c = conditional_fields(stored);
  EXPECT_TRUE(c.if_none_match.empty());
  EXPECT_TRUE(c.if_modified_since.empty());
}

// A client's GET with these conditional fields (empty: absent).
http::Request client(std::string_view inm, std::string_view ims = {}, std::string_view im = {},
                     std::string_view ius = {}) {
  http::Request r;
  r.method = http::Method::get;
  r.if_none_match = inm;
  r.if_modified_since = ims;
  r.if_match = im;
  r.if_unmodified_since = ius;
  return r;
}

bool not_modified(const http::Request& r, const ResponseFacts& stored, int status = 200) {
  return client_preconditions(r, status, stored, kNow) == http::Precondition::not_modified;
}

bool failed(const http::Request& r, const ResponseFacts& stored) {
  return client_preconditions(r, 200, stored, kNow) == http::Precondition::failed;
}

// §4.3.2 / RFC 9110 §13.1.2: If-None-Match compares weakly.
TEST(Validation_9111_S4_3_2, ClientIfNoneMatchWeakComparison) {
  Message stored{{"ETag", "W/\"abc\""}};
  EXPECT_TRUE(not_modified(client("\"x\", \"abc\""), facts(200, stored)));
  EXPECT_FALSE(not_modified(client("\"zzz\""), facts(200, stored)));
}

// RFC 9110 §13.1.2: "*" matches any stored representation.
TEST(Validation_9110_S13_1_2, IfNoneMatchStar) {
  Message stored{{"Cache-Control", "max-age=1"}};
  EXPECT_TRUE(not_modified(client("*"), facts(200, stored)));
}

// RFC 9110 §13.2.2: If-None-Match present: If-Modified-Since is ignored.
TEST(Validation_9110_S13_2_2, IfNoneMatchOverridesIfModifiedSince) {
  Message stored{{"ETag", "\"abc\""}, {"Last-Modified", kLastModified}};
  EXPECT_FALSE(not_modified(client("\"other\"", http_date(kNow)), facts(200, stored)));
}

// §4.3.2: If-Modified-Since against Last-Modified.
TEST(Validation_9111_S4_3_2, IfModifiedSinceAgainstLastModified) {
  Message stored{{"Last-Modified", kLastModified}};
  const std::string older = http_date(kNow - 7200);
  EXPECT_TRUE(not_modified(client({}, kLastModified), facts(200, stored)));
  EXPECT_FALSE(not_modified(client({}, older), facts(200, stored)));
}

// §4.3.2: no Last-Modified: Date, else the time the response was received.
TEST(Validation_9111_S4_3_2, IfModifiedSinceFallsBackToDateThenReceipt) {
  Message with_date{{"Date", http_date(kNow - 100)}};
  const std::string since = http_date(kNow - 50);
  EXPECT_TRUE(not_modified(client({}, since), facts(200, with_date)));
  Message bare{{"Cache-Control", "max-age=60"}};
  EXPECT_FALSE(not_modified(client({}, since), facts(200, bare)));
}

// RFC 9110 §13.1.3: an invalid If-Modified-Since is ignored.
TEST(Validation_9110_S13_1_3, InvalidIfModifiedSinceIgnored) {
  Message stored{{"Last-Modified", kLastModified}};
  EXPECT_FALSE(not_modified(client({}, "yesterday"), facts(200, stored)));
}

// RFC 9110 §13.1.1, §13.2.2: If-Match compares strongly (a weak tag, on
// either side, never matches), "*" matches any stored response; it is
// evaluated before If-None-Match.
TEST(Validation_9110_S13_1_1, IfMatchStrongComparisonAgainstTheStoredResponse) {
  Message strong{{"ETag", "\"abc\""}}, weak{{"ETag", "W/\"abc\""}}, untagged{{"Cache-Control", "max-age=1"}};
  EXPECT_FALSE(failed(client({}, {}, "\"abc\""), facts(200, strong)));
  EXPECT_TRUE(failed(client({}, {}, "\"zzz\""), facts(200, strong)));
  EXPECT_TRUE(failed(client({}, {}, "W/\"abc\""), facts(200, strong)));
  EXPECT_TRUE(failed(client({}, {}, "\"abc\""), facts(200, weak)));
  EXPECT_TRUE(failed(client({}, {}, "\"abc\""), facts(200, untagged)));
  EXPECT_FALSE(failed(client({}, {}, "*"), facts(200, untagged)));
  EXPECT_TRUE(failed(client("\"abc\"", {}, "\"zzz\""), facts(200, strong)));  // 412 before the 304
}

// RFC 9110 §13.1.4: If-Unmodified-Since against Last-Modified only; ignored
// without one (a Date is no modification date), or when If-Match is present.
TEST(Validation_9110_S13_1_4, IfUnmodifiedSinceAgainstLastModifiedOnly) {
  Message stored{{"Last-Modified", kLastModified}, {"ETag", "\"abc\""}};
  Message dated{{"Date", http_date(kNow - 100)}};
  const std::string before = http_date(kNow - 7200);
  EXPECT_TRUE(failed(client({}, {}, {}, before), facts(200, stored)));
  EXPECT_FALSE(failed(client({}, {}, {}, kLastModified), facts(200, stored)));
  EXPECT_FALSE(failed(client({}, {}, {}, before), facts(200, dated)));
  EXPECT_FALSE(failed(client({}, {}, "\"abc\"", before), facts(200, stored)));
  EXPECT_FALSE(failed(client({}, {}, {}, "not a date"), facts(200, stored)));
}

// RFC 9110 §13.2.1: preconditions are ignored for a response that is not a 2xx.
TEST(Validation_9110_S13_2_1, NotA2xxIgnoresPreconditions) {
  Message stored{{"ETag", "\"abc\""}};
  EXPECT_FALSE(not_modified(client("\"abc\""), facts(404, stored), 404));
  EXPECT_EQ(client_preconditions(client({}, {}, "\"zzz\""), 404, facts(404, stored), kNow),
            http::Precondition::proceed);
}

// §4.3.4: a 304 with a strong ETag selects the stored responses with that strong ETag.
TEST(Validation_9111_S4_3_4, StrongEtagSelects) {
  Message a{{"ETag", "\"a\""}}, b{{"ETag", "\"b\""}}, weak{{"ETag", "W/\"b\""}};
  const ResponseFacts fa = facts(200, a), fb = facts(200, b), fw = facts(200, weak);
  const ResponseFacts* stored[] = {&fa, &fb, &fw};
  Message nm{{"ETag", "\"b\""}};
  EXPECT_EQ(select_for_update(facts(304, nm), stored), (std::vector<std::size_t>{1}));
}

// §4.3.4: otherwise Last-Modified selects.
TEST(Validation_9111_S4_3_4, LastModifiedSelects) {
  Message a{{"Last-Modified", kLastModified}}, b{{"Last-Modified", http_date(kNow - 10)}};
  const ResponseFacts fa = facts(200, a), fb = facts(200, b);
  const ResponseFacts* stored[] = {&fa, &fb};
  Message nm{{"Last-Modified", kLastModified}};
  EXPECT_EQ(select_for_update(facts(304, nm), stored), (std::vector<std::size_t>{0}));
}

// §4.3.4 first bullet: a strong entity-tag no stored response has selects
// none (MUST NOT update), whatever else the 304 carries.
TEST(Validation_9111_S4_3_4, AnotherStrongEtagSelectsNone) {
  Message stored{{"ETag", "\"e-1\""}, {"Last-Modified", kLastModified}};
  const ResponseFacts f = facts(200, stored);
  const ResponseFacts* one[] = {&f};
  Message other{{"ETag", "\"different\""}, {"Last-Modified", kLastModified}, {"Cache-Control", "max-age=3600"}};
  EXPECT_TRUE(select_for_update(facts(304, other), one).empty());
  Message same{{"ETag", "\"e-1\""}, {"Cache-Control", "max-age=3600"}};
  EXPECT_EQ(select_for_update(facts(304, same), one).size(), 1u);
}

// §4.3.4 second bullet: weak validators select the stored response they
// correspond to: a weak tag matches weakly, a Last-Modified exactly; one that
// differs selects none.
TEST(Validation_9111_S4_3_4, WeakValidatorsSelectOnlyWhenTheyCorrespond) {
  Message stored{{"ETag", "W/\"g\""}, {"Last-Modified", kLastModified}};
  const ResponseFacts f = facts(200, stored);
  const ResponseFacts* one[] = {&f};
  Message weak{{"ETag", "W/\"g\""}};
  Message weak_other{{"ETag", "W/\"h\""}};
  Message date{{"Last-Modified", kLastModified}};
  Message other_date{{"Last-Modified", http_date(kNow - 10)}};
  EXPECT_EQ(select_for_update(facts(304, weak), one).size(), 1u);
  EXPECT_EQ(select_for_update(facts(304, date), one).size(), 1u);
  EXPECT_TRUE(select_for_update(facts(304, weak_other), one).empty());
  EXPECT_TRUE(select_for_update(facts(304, other_date), one).empty());
}

// §4.3.4: no validator in the 304: only a single stored response without validators.
TEST(Validation_9111_S4_3_4, NoValidatorSelectsTheOnlyUnvalidatedResponse) {
  Message bare{{"Cache-Control", "max-age=1"}}, tagged{{"ETag", "\"t\""}};
  const ResponseFacts fb = facts(200, bare), ft = facts(200, tagged);
  Message nm{{"Cache-Control", "max-age=60"}};
  const ResponseFacts* one[] = {&fb};
  const ResponseFacts* two[] = {&fb, &ft};
  const ResponseFacts* only_tagged[] = {&ft};
  EXPECT_EQ(select_for_update(facts(304, nm), one).size(), 1u);
  EXPECT_TRUE(select_for_update(facts(304, nm), two).empty());
  EXPECT_TRUE(select_for_update(facts(304, nm), only_tagged).empty());
}

// §3.2: a 304's fields replace the stored ones (all lines of a name); new fields are added.
TEST(Validation_9111_S3_2, MergeReplacesAndAdds) {
  std::vector<StoredField> stored = {{"Cache-Control", "max-age=1"}, {"Cache-Control", "public"},
                                     {"ETag", "\"a\""}, {"X-Old", "1"}};
  Message nm{{"Cache-Control", "max-age=600"}, {"X-New", "2"}, {"Date", http_date(kNow)}};
  merge_not_modified(stored, nm.fields());
  ASSERT_EQ(stored.size(), 5u);
  int cache_control = 0;
  for (const StoredField& f : stored) {
    if (f.name == "Cache-Control") {
      ++cache_control;
      EXPECT_EQ(f.value, "max-age=600");
    }
  }
  EXPECT_EQ(cache_control, 1);
}

// §3.2: Content-Length, and fields the stored body depends on, are never replaced; hop-by-hop not stored.
TEST(Validation_9111_S3_2, MergeKeepsBodyFieldsAndDropsHopByHop) {
  std::vector<StoredField> stored = {{"Content-Length", "100"}, {"Content-Encoding", "br"}};
  Message nm{{"Content-Length", "0"}, {"Content-Encoding", "gzip"}, {"Connection", "X-Trace"},
             {"X-Trace", "1"}, {"Keep-Alive", "timeout=5"}};
  merge_not_modified(stored, nm.fields());
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].value, "100");
  EXPECT_EQ(stored[1].value, "br");
}

// §4.3.5: a HEAD response with another Content-Length or validator invalidates the stored GET.
TEST(Validation_9111_S4_3_5, HeadWithDifferentMetadataInvalidates) {
  Message get{{"Content-Length", "100"}, {"ETag", "\"a\""}};
  Message same{{"Content-Length", "100"}, {"ETag", "\"a\""}};
  Message longer{{"Content-Length", "101"}, {"ETag", "\"a\""}};
  Message retagged{{"ETag", "\"b\""}};
  EXPECT_FALSE(head_invalidates(facts(200, same), facts(200, get)));
  EXPECT_TRUE(head_invalidates(facts(200, longer), facts(200, get)));
  EXPECT_TRUE(head_invalidates(facts(200, retagged), facts(200, get)));
}

// §4.3.3: 304 freshens, a full response replaces, a 5xx or no answer is an origin error.
TEST(Validation_9111_S4_3_3, ClassifiesTheValidationResponse) {
  EXPECT_EQ(classify_validation_response(304), ValidationResult::freshen);
  EXPECT_EQ(classify_validation_response(200), ValidationResult::replace);
  EXPECT_EQ(classify_validation_response(404), ValidationResult::replace);
  EXPECT_EQ(classify_validation_response(501), ValidationResult::replace);
  for (int s : {0, 500, 502, 503, 504}) EXPECT_EQ(classify_validation_response(s), ValidationResult::origin_error) << s;
}

// §3.1: the stored field lines leave out what the storage decision strips, case-insensitively.
TEST(Validation_9111_S3_1, FieldsToStoreLeaveOutStripped) {
  Message m{{"Cache-Control", "max-age=60, private=\"X-User\""}, {"x-user", "42"}, {"Connection", "close"},
            {"ETag", " \"a\" "}};
  const std::vector<std::string> strip = {"x-user", "connection"};
  const std::vector<StoredField> kept = fields_to_store(m.fields(), strip);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].name, "Cache-Control");
  EXPECT_EQ(kept[1].value, "\"a\"");
}

}  // namespace
}  // namespace relais::freshness
