// A real browser over HTTP/2: headless Chromium loads a lesson of the sample
// course over HTTPS from the edge, and its net log must show that every
// request went over one h2 session, the page and its text subresources came
// br-encoded, the lesson video was fetched with a range request (206), and
// every response was a success.
//
// Chromium trusts the test's self-signed certificate through
// --ignore-certificate-errors-spki-list (as in the dictionary browser test).
// The video is <video preload=metadata>: Chromium asks for it with
// "Range: bytes=0-" before the load event. Skipped when /usr/bin/chromium
// is absent.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kLesson = "/lecons/01-decouvrir-les-fractions/";

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(EdgeHttp2Browser, ChromiumLoadsTheLessonOverHttp2WithBrAndTheVideoByRanges) {
  if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
  TempDir dir;
  ProcessResult course = run_process(
      {"python3", std::string(RELAIS_SOURCE_DIR) + "/scripts/make-sample-course.py", "--skip-large", dir.file("src")});
  ASSERT_EQ(course.exit_code, 0) << course.err;
  ProcessResult published = relais_sync({"publish", dir.file("src"), dir.file("out"), "--quiet"});
  ASSERT_EQ(published.exit_code, 0) << published.err;
  const std::string store = dir.file("store");
  ASSERT_EQ(pull_from(dir.file("out"), store).exit_code, 0);
  ProcessResult cert = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                    "-nodes", "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem"), "-days", "2",
                                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"});
  ASSERT_EQ(cert.exit_code, 0) << cert.err;
  ProcessResult spki = run_process(
      {"sh", "-c", "openssl x509 -in '" + dir.file("cert.pem") +
                       "' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"});
  ASSERT_EQ(spki.exit_code, 0) << spki.err;
  Subprocess edge({RELAIS_EDGE_BIN, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--tls-cert",
                   dir.file("cert.pem"), "--tls-key", dir.file("key.pem"), "--admin-listen", "127.0.0.1:0", "--store",
                   store, "--workers", "1", "--access-log", "off"});
  auto https = edge.wait_for_line("listening https 127.0.0.1:");
  ASSERT_TRUE(https) << edge.stderr_text();
  const std::string url = "https://localhost:" + std::to_string(std::stoi(*https)) + kLesson;

  const std::string net_log = dir.file("net.json");
  ProcessResult r = run_process(
      {kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + dir.file("profile"),
       "--ignore-certificate-errors-spki-list=" + spki.out.substr(0, spki.out.find('\n')), "--log-net-log=" + net_log,
       "--dump-dom", url},
      std::chrono::seconds(90));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("fractions"), std::string::npos) << r.out;  // the page rendered
  const std::string log = read_file(net_log);

  // Each response's fields appear once as the HTTP/2 session's :status event
  // (never over HTTP/1.1) and once more as the transaction's headers.
  const std::size_t responses = count(log, "\":status: ");
  // The page, its stylesheet, script, logo, the video and its subtitles.
  EXPECT_GE(responses, 6u) << "not every response came over HTTP/2";
  EXPECT_EQ(count(log, "\":status: 200\"") + count(log, "\":status: 206\""), responses) << "a response was not a success";
  EXPECT_EQ(count(log, "\":path: /videos/lecon-fractions.mp4\"") / 2, count(log, "\":status: 206\""))
      << "the video was not fetched by range";
  EXPECT_GE(count(log, "\":status: 206\""), 1u);
  EXPECT_GE(count(log, "\"content-range: bytes 0-"), 1u);
  // The page, cours.css, cours.js, the SVG logo and the subtitles are text: br (each counted twice).
  EXPECT_GE(count(log, "\"content-encoding: br\""), 2u * 5);
}

}  // namespace
}  // namespace relais::testing
