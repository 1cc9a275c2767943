#include "origin-sync/utf8.h"

#include <gtest/gtest.h>

namespace relais {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  for (std::string_view ok : {"", "abc", "Séance 3 — fractions", "日本語", "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"})
    EXPECT_TRUE(is_valid_utf8(ok)) << ok;
}

TEST(Utf8, RejectsMalformedSequences) {
  for (std::string_view bad : {"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80", "\xf0\x80\x80\x80",
                               "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3", "\xe2\x82", "a\xc3(", "\xe2\x28\xa1"})
    EXPECT_FALSE(is_valid_utf8(bad)) << escape_for_display(bad);
}

TEST(Utf8, PrefixAcceptsOnlyACutAtTheEnd) {
  EXPECT_TRUE(is_valid_utf8_prefix("abc\xe2\x82"));
  EXPECT_FALSE(is_valid_utf8_prefix("abc\xe2\x82x"));
  EXPECT_FALSE(is_valid_utf8_prefix("\xff"));
}

TEST(Utf8, EscapeForDisplayKeepsUtf8AndHexesTheRest) {
  EXPECT_EQ(escape_for_display("Séance"), "Séance");
  EXPECT_EQ(escape_for_display("bad\xffname"), "bad\\xffname");
  EXPECT_EQ(escape_for_display("a\nb\\"), "a\\x0ab\\x5c");
}

}  // namespace
}  // namespace relais
