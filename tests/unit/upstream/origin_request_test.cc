// The request sent to an origin is rebuilt from an allow-list: what may be
// in it, and what can never get in.
#include "edge/upstream/origin_request.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace relais::upstream {
namespace {

const OriginTarget kTarget{"http://127.0.0.1:8080", "www.example.org"};

TEST(OriginRequest, CarriesOnlyTheAllowedFields) {
  OriginRequest r;
  r.path = "/a/b.html?x=1";
  r.accept_encoding = "br, gzip";
  r.if_none_match = "\"v1\"";
  const auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->url, "http://127.0.0.1:8080/a/b.html?x=1");
  EXPECT_EQ(lines->fields, (std::vector<std::string>{"Host: www.example.org", "Accept:",
                                                      "User-Agent: relais-edge/" RELAIS_VERSION,
                                                      "Accept-Encoding: br, gzip", "If-None-Match: \"v1\""}));
}

// The client's Accept and Accept-Language go as sent (an origin negotiating
// on them must see them); our own Accept line is then not blanked.
TEST(OriginRequest, CarriesTheClientsAcceptAndAcceptLanguage) {
  OriginRequest r;
  r.accept = "image/avif,image/webp";
  r.accept_language = "fr-FR, fr;q=0.9";
  const auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->fields, (std::vector<std::string>{"Host: www.example.org",
                                                      "User-Agent: relais-edge/" RELAIS_VERSION,
                                                      "Accept: image/avif,image/webp", "Accept-Language: fr-FR, fr;q=0.9"}));
  r.accept_language = "fr\r\nX: 1";
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
}

// A slice of a large object (pull/pull_slices.h): our Range, and If-Range so
// that a changed object answers 200 rather than a part of another version.
TEST(OriginRequest, CarriesOurRangeAndIfRange) {
  OriginRequest r;
  r.path = "/video.mp4";
  r.range = "bytes=1048576-2097151";
  r.if_range = "\"v1\"";
  const auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->fields, (std::vector<std::string>{"Host: www.example.org", "Accept:",
                                                      "User-Agent: relais-edge/" RELAIS_VERSION,
                                                      "Range: bytes=1048576-2097151", "If-Range: \"v1\""}));
  r.if_range = "\"v1\"\r\nCookie: x";
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
}

// A pass (pull_pass.h): its method, our framing (no Expect, no
// Transfer-Encoding: the body is whole), Content-Type, Cookie, Authorization.
TEST(OriginRequest, APassCarriesItsMethodContentTypeAndCredentials) {
  OriginRequest r;
  r.method = OriginMethod::post;
  r.path = "/login";
  r.body = "a=1";
  r.content_type = "application/x-www-form-urlencoded";
  r.cookie = "MoodleSession=abc; b=2";
  r.authorization = "Basic dTpw";
  const auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->method, "POST");
  EXPECT_TRUE(lines->send_body);
  EXPECT_EQ(lines->fields, (std::vector<std::string>{"Host: www.example.org", "Accept:",
                                                      "User-Agent: relais-edge/" RELAIS_VERSION, "Expect:",
                                                      "Transfer-Encoding:",
                                                      "Content-Type: application/x-www-form-urlencoded",
                                                      "Authorization: Basic dTpw", "Cookie: MoodleSession=abc; b=2"}));
  // A DELETE without a body sends none (no Content-Length), nor curl's form type.
  OriginRequest d;
  d.method = OriginMethod::del;
  d.path = "/doc";
  const auto del = build_origin_request(kTarget, d);
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->method, "DELETE");
  EXPECT_FALSE(del->send_body);
  EXPECT_NE(std::find(del->fields.begin(), del->fields.end(), "Content-Type:"), del->fields.end());
}

TEST(OriginRequest, APassRefusesCredentialsThatCouldSmuggle) {
  OriginRequest r;
  r.method = OriginMethod::put;
  r.path = "/doc";
  r.cookie = std::string("a=1\r\nX-Evil: 1");
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  r.cookie = std::string("a\0b", 3);
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  r.cookie = std::string(kMaxOriginCookieBytes + 1, 'c');
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  r.cookie = std::string(kMaxOriginCookieBytes, 'c');  // long cookies are common: allowed up to the bound
  EXPECT_TRUE(build_origin_request(kTarget, r).ok());
  r.cookie.clear();
  r.content_type = "text/plain\r\nTransfer-Encoding: chunked";
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  r.content_type.clear();
  r.authorization = "Bearer x\ny";
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
}

// A response to GET or HEAD may be stored: it must never depend on one
// client's credentials (RFC 9111 §3.5) nor carry a body.
TEST(OriginRequest, CredentialsAndBodiesNeverGoWithAGetOrHead) {
  for (OriginMethod m : {OriginMethod::get, OriginMethod::head}) {
    OriginRequest r;
    r.method = m;
    r.cookie = "a=1";
    EXPECT_FALSE(build_origin_request(kTarget, r).ok());
    r.cookie.clear();
    r.authorization = "Basic x";
    EXPECT_FALSE(build_origin_request(kTarget, r).ok());
    r.authorization.clear();
    r.body = "x";
    EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  }
}

// A GET passed for its Authorization (never stored) carries the credentials,
// never a body; HEAD is never credentialed.
TEST(OriginRequest, ACredentialedGetCarriesCredentialsButNoBody) {
  OriginRequest r;
  r.credentialed = true;
  r.authorization = "Bearer t";
  r.cookie = "s=1";
  auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines.value().method, "GET");
  EXPECT_NE(std::find(lines.value().fields.begin(), lines.value().fields.end(), "Authorization: Bearer t"),
            lines.value().fields.end());
  EXPECT_FALSE(lines.value().send_body);
  r.body = "x";
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  r.body.clear();
  r.method = OriginMethod::head;
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
}

// An extension method goes as its token; never one of our names, CONNECT,
// TRACE, nor anything but a token.
TEST(OriginRequest, AnExtensionMethodIsItsToken) {
  OriginRequest r;
  r.method = OriginMethod::extension;
  r.method_token = "M-SEARCH";
  auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->method, "M-SEARCH");
  for (const char* bad : {"", "GET", "TRACE", "CONNECT", "M SEARCH", "M\r\nX", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    r.method_token = bad;
    EXPECT_FALSE(build_origin_request(kTarget, r).ok()) << bad;
  }
}

// The fields a stored Vary names go on its revalidation; never ours, framing,
// conditionals or credentials.
TEST(OriginRequest, VaryFieldsAreForwardedButNeverOursNorCredentials) {
  EXPECT_TRUE(is_forwardable_vary_field("Abc"));
  EXPECT_TRUE(is_forwardable_vary_field("Save-Data"));
  for (const char* name : {"Cookie", "AUTHORIZATION", "Host", "If-None-Match", "Range", "Proxy-Foo", "Accept", "a b", ""})
    EXPECT_FALSE(is_forwardable_vary_field(name)) << name;
  OriginRequest r;
  r.vary_fields = {{"Abc", "123"}};
  auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_NE(std::find(lines->fields.begin(), lines->fields.end(), "Abc: 123"), lines->fields.end());
  r.vary_fields = {{"Cookie", "s=1"}};
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
}

TEST(OriginRequest, PreflightFieldsGoWithOptionsOnly) {
  OriginRequest r;
  r.method = OriginMethod::options;
  r.origin = "http://app.example";
  r.access_control_request_method = "POST";
  const auto lines = build_origin_request(kTarget, r);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->method, "OPTIONS");
  EXPECT_FALSE(lines->send_body);
  EXPECT_NE(std::find(lines->fields.begin(), lines->fields.end(), "Origin: http://app.example"), lines->fields.end());
  EXPECT_NE(std::find(lines->fields.begin(), lines->fields.end(), "Access-Control-Request-Method: POST"),
            lines->fields.end());
  r.origin = "http://a\r\nX: 1";
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  r.origin = "http://app.example";
  r.method = OriginMethod::post;
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
}

TEST(OriginRequest, RefusesPathsThatCouldSmuggle) {
  for (const char* path : {"", "a", "//evil.example/x", "/a b", "/a\r\nX-Evil: 1", "/a#frag", "/\x7f", "/caf\xc3\xa9"}) {
    OriginRequest r;
    r.path = path;
    const auto lines = build_origin_request(kTarget, r);
    ASSERT_FALSE(lines.ok()) << path;
    EXPECT_EQ(lines.error().source, ErrorSource::client);
  }
}

TEST(OriginRequest, RefusesValuesWithLineBreaks) {
  OriginRequest r;
  r.if_none_match = "\"a\"\r\nCookie: x";
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
  r.if_none_match = std::string(kMaxOriginValueBytes + 1, 'a');
  EXPECT_FALSE(build_origin_request(kTarget, r).ok());
}

TEST(OriginRequest, OnlyHttpAndHttpsOriginsWithoutPath) {
  OriginRequest r;
  for (const char* url : {"ftp://127.0.0.1", "file:///etc", "gopher://h", "http://", "http://h/base", "http://u@h",
                          "127.0.0.1:80"}) {
    EXPECT_FALSE(build_origin_request({url, "h"}, r).ok()) << url;
  }
  EXPECT_TRUE(build_origin_request({"https://origin.example:8443", "h"}, r).ok());
}

TEST(OriginRequest, HostMustBeAFieldValueWithoutSpace) {
  OriginRequest r;
  EXPECT_FALSE(build_origin_request({"http://127.0.0.1", ""}, r).ok());
  EXPECT_FALSE(build_origin_request({"http://127.0.0.1", "a b"}, r).ok());
  EXPECT_FALSE(build_origin_request({"http://127.0.0.1", "a\nb"}, r).ok());
}

}  // namespace
}  // namespace relais::upstream
