// A real browser and dictionaries (RFC 9842): headless Chromium loads a
// lesson over HTTPS, the teacher's weekly edit is published, the browser
// loads it again and must announce the versions it holds, receive dcz for
// the page, its stylesheet and its script, and render the new text.
//
// What Chromium needs (found with Chromium 156, Debian 12), no feature flag:
//   - a certificate it trusts without error: responses with a certificate
//     error are not cached, so they are never dictionaries.
//     --ignore-certificate-errors-spki-list=<base64 SHA-256 of the SPKI>
//     makes the test's self-signed one trusted; http://localhost works too;
//   - a dictionary that is fresh or within stale-while-revalidate
//     (RFC 9842 §2.2.1): the edge runs with max-age=0, stale-while-revalidate
//     so that the second load goes to the edge and may use the first one's
//     responses as dictionaries;
//   - a persistent profile (--user-data-dir) across the two runs.
// Skipped when /usr/bin/chromium is absent.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>

#include "tests/integration/client/raw_client.h"
#include "tests/integration/origin_sync_support.h"

namespace relais::testing {
namespace {

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kCacheControl = "public, max-age=0, stale-while-revalidate=604800";

// Varied enough that br cannot squeeze it to nothing: a delta is published
// only when it beats br by 5 % and 64 bytes.
std::string varied(int i) { return std::to_string((i * 2654435761u) % 1000003u); }

void write_course(const TempDir& dir) {
  std::string page =
      "<!doctype html><html lang=fr><meta charset=utf-8><title>Les fractions</title>"
      "<link rel=stylesheet href=\"../../css/cours.css\"><script src=\"../../js/cours.js\" defer></script>\n"
      "<h1>Les fractions</h1>\n<p>Une fraction partage un tout en parts egales.</p>\n";
  for (int i = 0; i < 40; ++i) page += "<p>Exemple " + varied(i) + " : " + varied(i + 100) + " parts sur " + varied(i + 200) + ".</p>\n";
  dir.write("src/lecons/01-fractions/index.html", page);
  std::string css = "body { font-family: sans-serif; margin: 2em; }\n";
  for (int i = 0; i < 40; ++i) css += ".exercice-" + varied(i) + " { margin-top: " + varied(i + 300) + "px; }\n";
  dir.write("src/css/cours.css", css);
  std::string js = "\"use strict\";\n";
  for (int i = 0; i < 40; ++i) js += "function exercice" + varied(i) + "() { return " + varied(i + 400) + " / 8; }\n";
  dir.write("src/js/cours.js", js);
}

class EdgeDictionaryBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kChromium, X_OK) != 0) GTEST_SKIP() << kChromium << " is not installed";
    write_course(dir);
    publish_and_pull();
    ProcessResult cert = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                      "-nodes", "-keyout", dir.file("key.pem"), "-out", dir.file("cert.pem"), "-days",
                                      "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"});
    ASSERT_EQ(cert.exit_code, 0) << cert.err;
    ProcessResult spki = run_process(
        {"sh", "-c", "openssl x509 -in '" + dir.file("cert.pem") +
                         "' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"});
    ASSERT_EQ(spki.exit_code, 0) << spki.err;
    spki_ = spki.out.substr(0, spki.out.find('\n'));
    edge = std::make_unique<Subprocess>(std::vector<std::string>{
        RELAIS_EDGE_BIN, "--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--tls-cert", dir.file("cert.pem"),
        "--tls-key", dir.file("key.pem"), "--admin-listen", "127.0.0.1:0", "--store", store, "--workers", "1",
        "--access-log", "off", "--cache-control-html", kCacheControl, "--cache-control-default", kCacheControl});
    auto https = edge->wait_for_line("listening https 127.0.0.1:");
    ASSERT_TRUE(https) << edge->stderr_text();
    tls_port = static_cast<std::uint16_t>(std::stoi(*https));
  }
  void publish_and_pull() {
    ProcessResult r = relais_sync({"publish", dir.file("src"), dir.file("out"), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(pull_from(dir.file("out"), store).exit_code, 0);
  }
  // One headless load of the lesson with the test's profile: the DOM, and
  // the net log (request and response headers) in `net_log`.
  std::string load(const std::string& net_log) {
    ProcessResult r = run_process(
        {kChromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=" + dir.file("profile"),
         "--ignore-certificate-errors-spki-list=" + spki_, "--log-net-log=" + net_log, "--dump-dom",
         "https://localhost:" + std::to_string(tls_port) + "/lecons/01-fractions/"},
        std::chrono::seconds(90));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  TempDir dir;
  std::string store = dir.file("store");
  std::string spki_;
  std::unique_ptr<Subprocess> edge;
  std::uint16_t tls_port = 0;
};

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// How many times one exchange's fields appear in a net log. Chromium speaks
// HTTP/2 to the edge: its net log then carries each request's and each
// response's fields twice (the HTTP/2 session's event and the transaction's),
// in lower case; over HTTP/1.1 once, as sent.
std::size_t copies_per_exchange(const std::string& lower_log) { return count(lower_log, "\":status: ") > 0 ? 2 : 1; }

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

TEST_F(EdgeDictionaryBrowser, ChromiumReloadsAChangedLessonAsDczAndRendersTheNewText) {
  const std::string first = load(dir.file("net1.json"));
  EXPECT_NE(first.find("Une fraction partage un tout"), std::string::npos) << first;
  const std::string log1 = lower(read_file(dir.file("net1.json")));
  const std::size_t copies = copies_per_exchange(log1);
  EXPECT_EQ(count(log1, "use-as-dictionary: match="), 3u * copies);  // page, stylesheet, script
  EXPECT_EQ(count(log1, "content-encoding: dcz"), 0u);

  ProcessResult edit = run_process({"python3", std::string(RELAIS_SOURCE_DIR) + "/scripts/sample-course-weekly-edit.py",
                                    dir.file("src")});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  publish_and_pull();
  edge->send_signal(SIGHUP);
  ASSERT_TRUE(edge->wait_for_line("catalog generation 2")) << edge->stderr_text();

  const std::string second = load(dir.file("net2.json"));
  EXPECT_NE(second.find("Semaine 2 : nous reprenons cette lecon"), std::string::npos) << second;
  const std::string log2 = lower(read_file(dir.file("net2.json")));
  EXPECT_EQ(count(log2, "available-dictionary: :"), 3u * copies) << "Chromium announced no dictionary";
  EXPECT_EQ(count(log2, "content-encoding: dcz"), 3u * copies);
}

}  // namespace
}  // namespace relais::testing
