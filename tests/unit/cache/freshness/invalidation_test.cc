// RFC 9111 §4.4 (invalidating after unsafe methods). Table of sections: docs/PULL_THROUGH.md.
#include "edge/cache/freshness/invalidation.h"

#include <gtest/gtest.h>

namespace relais::freshness {
namespace {

const OriginOfRequest kRequest{"https", "cdn.example.org", "/cours/maths/page.html?x=1"};

std::vector<std::string> paths(std::string_view method, int status, std::string_view location = "",
                               std::string_view content_location = "") {
  return invalidated_paths(method, status, kRequest, location, content_location);
}

// §4.4: safe methods invalidate nothing (RFC 9110 §9.2.1).
TEST(Invalidation_9111_S4_4, SafeMethodsInvalidateNothing) {
  for (const char* m : {"GET", "HEAD", "OPTIONS", "TRACE"}) EXPECT_TRUE(paths(m, 200).empty()) << m;
}

// §4.4: an unsafe method with a 2xx/3xx invalidates the target URI.
TEST(Invalidation_9111_S4_4, UnsafeNonErrorInvalidatesTarget) {
  EXPECT_EQ(paths("POST", 200), (std::vector<std::string>{"/cours/maths/page.html?x=1"}));
  EXPECT_EQ(paths("DELETE", 303), (std::vector<std::string>{"/cours/maths/page.html?x=1"}));
  EXPECT_EQ(paths("FOO", 204).size(), 1u);  // an unknown method is not safe
}

// §4.4: an error response invalidates nothing.
TEST(Invalidation_9111_S4_4, ErrorStatusInvalidatesNothing) {
  EXPECT_TRUE(paths("POST", 404).empty());
  EXPECT_TRUE(paths("PUT", 500).empty());
}

// §4.4: Location and Content-Location on the same origin are invalidated too.
TEST(Invalidation_9111_S4_4, SameOriginLocationAndContentLocation) {
  const auto p = paths("POST", 201, "https://CDN.example.org:443/cours/new", "other.html");
  EXPECT_EQ(p, (std::vector<std::string>{"/cours/maths/page.html?x=1", "/cours/new", "/cours/maths/other.html"}));
}

// §4.4: a URI on another origin is never invalidated.
TEST(Invalidation_9111_S4_4, OtherOriginsNotInvalidated) {
  EXPECT_EQ(paths("POST", 200, "https://evil.example/cours/new").size(), 1u);
  EXPECT_EQ(paths("POST", 200, "http://cdn.example.org/cours/new").size(), 1u);   // other scheme
  EXPECT_EQ(paths("POST", 200, "//cdn.example.org:8443/x").size(), 1u);           // other port
  EXPECT_EQ(paths("POST", 200, "mailto:a@b").size(), 1u);
  EXPECT_EQ(paths("POST", 200, "/abs/path#frag")[1], "/abs/path");
}

}  // namespace
}  // namespace relais::freshness
