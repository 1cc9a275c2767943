// RFC 9111 §4.3.1 (sending a validation request), §4.3.2 (answering a
// client's conditional request), §4.3.4 (freshening with a 304), §3.2
// (updating stored fields), §4.3.5 (HEAD), RFC 9110 §13.1.2 / §13.1.3 as a
// cache applies them. Table of sections: docs/PULL_THROUGH.md.
#include "edge/cache/freshness/validation.h"

#include <gtest/gtest.h>

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

// §4.3.2 / RFC 9110 §13.1.2: If-None-Match compares weakly.
TEST(Validation_9111_S4_3_2, ClientIfNoneMatchWeakComparison) {
  Message stored{{"ETag", "W/\"abc\""}};
  Message req{{"If-None-Match", "\"x\", \"abc\""}};
  EXPECT_TRUE(client_not_modified(req.fields(), facts(200, stored), kNow, kNow));
  Message other{{"If-None-Match", "\"zzz\""}};
  EXPECT_FALSE(client_not_modified(other.fields(), facts(200, stored), kNow, kNow));
}

// RFC 9110 §13.1.2: "*" matches any stored representation.
TEST(Validation_9110_S13_1_2, IfNoneMatchStar) {
  Message stored{{"Cache-Control", "max-age=1"}};
  Message req{{"If-None-Match", "*"}};
  EXPECT_TRUE(client_not_modified(req.fields(), facts(200, stored), kNow, kNow));
}

// RFC 9110 §13.2.2: If-None-Match present: If-Modified-Since is ignored.
TEST(Validation_9110_S13_2_2, IfNoneMatchOverridesIfModifiedSince) {
  Message stored{{"ETag", "\"abc\""}, {"Last-Modified", kLastModified}};
  Message req{{"If-None-Match", "\"other\""}, {"If-Modified-Since", http_date(kNow)}};
  EXPECT_FALSE(client_not_modified(req.fields(), facts(200, stored), kNow, kNow));
}

// §4.3.2: If-Modified-Since against Last-Modified.
TEST(Validation_9111_S4_3_2, IfModifiedSinceAgainstLastModified) {
  Message stored{{"Last-Modified", kLastModified}};
  Message same{{"If-Modified-Since", kLastModified}};
  Message older{{"If-Modified-Since", http_date(kNow - 7200)}};
  EXPECT_TRUE(client_not_modified(same.fields(), facts(200, stored), kNow, kNow));
  EXPECT_FALSE(client_not_modified(older.fields(), facts(200, stored), kNow, kNow));
}

// §4.3.2: no Last-Modified: Date, else the time the response was received.
TEST(Validation_9111_S4_3_2, IfModifiedSinceFallsBackToDateThenReceipt) {
  Message with_date{{"Date", http_date(kNow - 100)}};
  Message req{{"If-Modified-Since", http_date(kNow - 50)}};
  EXPECT_TRUE(client_not_modified(req.fields(), facts(200, with_date), kNow, kNow));
  Message bare{{"Cache-Control", "max-age=60"}};
  EXPECT_FALSE(client_not_modified(req.fields(), facts(200, bare), kNow, kNow));
}

// RFC 9110 §13.1.3: an invalid If-Modified-Since is ignored.
TEST(Validation_9110_S13_1_3, InvalidIfModifiedSinceIgnored) {
  Message stored{{"Last-Modified", kLastModified}};
  Message req{{"If-Modified-Since", "yesterday"}};
  EXPECT_FALSE(client_not_modified(req.fields(), facts(200, stored), kNow, kNow));
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
