// Every option of relais-edge and of each relais-sync subcommand, one row each,
// run as the real binaries: a bad value is exit 2 with one stderr line naming
// the option, the same line when the value comes from the --config file; a
// good value is accepted (relais-edge --check-config, or a real publish, pull
// or verify run); --help lists the option with its default. The rows are
// checked against --help both ways, so an option added without a row (or
// a row for an option that is gone) fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "tests/integration/harness/sync_support.h"

namespace relais::testing {
namespace {

// tool: "edge", or a relais-sync subcommand. bad/good: nullptr when the
// option takes no value (--help, --quiet) or, for good, when an integration
// test of its own covers it. shown: what --help prints after the option
// ("(=4)"), nullptr for options without one (or an empty one, which Boost
// does not print). needs: other options the
// value only makes sense with (a certificate for --tls-listen).
struct OptionRow {
  std::string tool;
  std::string option;
  const char* bad;
  std::optional<std::string> good;
  const char* shown;
  std::vector<std::pair<std::string, std::string>> needs = {};
  bool in_file = true;  // false: the option cannot come from the file (--config itself)
};

using Args = std::vector<std::pair<std::string, std::string>>;  // --name value, in order; "" value: a flag

class Options : public ::testing::Test {
 protected:
  void SetUp() override {
    dir.write("src/cours.txt", "Le cours de français.\n");
    ASSERT_EQ(relais_sync({"publish", dir.file("src"), published, "--quiet"}).exit_code, 0);
    const ProcessResult cert = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                            "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", pem, "-days",
                                            "2", "-subj", "/CN=localhost"});
    ASSERT_EQ(cert.exit_code, 0) << cert.err;
    ASSERT_EQ(relais_sync({"keygen", sign_key, trusted_key}).exit_code, 0);
  }

  Args base(const std::string& tool) const {
    if (tool == "edge")
      return {{"check-config", ""}, {"listen", "127.0.0.1:0"}, {"admin-listen", "127.0.0.1:0"}, {"store", dir.file("store")}};
    if (tool == "publish") return {{"source", dir.file("src")}, {"out", dir.file("out")}, {"quiet", ""}};
    if (tool == "pull") return {{"origin", published}, {"store", dir.file("store")}, {"quiet", ""}};
    if (tool == "keygen") return {{"private", dir.file("new.key")}, {"public", dir.file("new.pub")}};
    return {{"store", published}, {"quiet", ""}};
  }

  // The tool's command line: its base, what the row needs, then the row's own
  // option (replacing a base option of the same name: most may be given once).
  std::vector<std::string> command(const OptionRow& row, const std::optional<std::string>& value) const {
    Args args = base(row.tool);
    args.insert(args.end(), row.needs.begin(), row.needs.end());
    std::erase_if(args, [&](const auto& a) { return a.first == row.option; });
    if (value) args.emplace_back(row.option, *value);
    std::vector<std::string> argv = {row.tool == "edge" ? RELAIS_EDGE_BIN : RELAIS_SYNC_BIN};
    if (row.tool != "edge") argv.push_back(row.tool);
    for (const auto& [name, v] : args) {
      argv.push_back("--" + name);
      if (!v.empty() || name == row.option) argv.push_back(v);
    }
    return argv;
  }

  std::string help(const std::string& tool) const {
    std::vector<std::string> argv = {tool == "edge" ? RELAIS_EDGE_BIN : RELAIS_SYNC_BIN};
    if (tool != "edge") argv.push_back(tool);
    argv.push_back("--help");
    ProcessResult r = run_process(argv, std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 0) << tool;
    return r.out;
  }

  TempDir dir;
  std::string published = dir.file("published");
  std::string pem = dir.file("cert.pem");
  std::string key = dir.file("cert.key");
  std::string sign_key = dir.file("publisher.key");
  std::string trusted_key = dir.file("publisher.pub");
};

std::vector<OptionRow> rows(const std::string& pem, const std::string& key, const std::string& src,
                            const std::string& published, const std::string& scratch, const std::string& sign_key,
                            const std::string& trusted_key) {
  const std::vector<std::pair<std::string, std::string>> tls = {
      {"tls-listen", "127.0.0.1:0"}, {"tls-cert", pem}, {"tls-key", key}};
  std::vector<OptionRow> r = {
      {"edge", "help", nullptr, std::nullopt, nullptr},
      {"edge", "version", nullptr, std::nullopt, nullptr},
      {"edge", "check-config", nullptr, std::nullopt, nullptr},
      {"edge", "config", "/nonexistent/relais-edge.conf", std::nullopt, nullptr, {}, false},
      {"edge", "listen", "nonsense", "127.0.0.1:0", "(=0.0.0.0:8080)"},
      {"edge", "admin-listen", "127.0.0.1", "127.0.0.1:0", "(=127.0.0.1:9090)"},
      {"edge", "admin-token", "tok\x01en", "s3cret", nullptr},
      {"edge", "store", "", scratch, "(=/var/lib/relais/store)"},
      {"edge", "origin", "ftp://origin.example/cours/", "http://127.0.0.1:1/cours/", nullptr},
      {"edge", "sync-interval", "0s", "5m", "(=1m)"},
      {"edge", "sync-jobs", "0", "8", "(=4)"},
      {"edge", "sync-retries", "99999", "0", "(=4)"},
      {"edge", "origin-timeout", "-5", "500ms", "(=10s)"},
      {"edge", "origin-stall-timeout", "xyz", "2s", "(=30s)"},
      {"edge", "origin-min-rate", "0", "64K", "(=1K)"},
      {"edge", "origin-deadline", "forever", "1h", "(=10m)"},
      {"edge", "gc-grace", "banana", "0s", "(=1h)"},
      {"edge", "memory-cache", "lots", "64M", "(=auto)"},
      {"edge", "memory-object-max", "4Q", "1M", "(=4M)"},
      {"edge", "sendfile-min", "0", "1M", "(=256K)"},
      {"edge", "workers", "257", "2", "(=0)"},
      {"edge", "access-log", "", "off", "(=-)"},
      {"edge", "access-log-format", "xml", "json", "(=combined)"},
      {"edge", "server-name", "relais\x01", "cdn", "(=relais)"},
      // Good values need [site.*] sections: edge_sites_test.cc.
      {"edge", "default-site", "no-such-site", std::nullopt, nullptr},
      {"edge", "drain-timeout", "2h", "5s", "(=30s)"},
      {"edge", "max-header-bytes", "100", "16K", "(=8K)"},
      {"edge", "max-target-bytes", "16K", "2K", "(=4K)"},
      {"edge", "max-headers", "0", "100", "(=64)"},
      {"edge", "max-request-body", "2G", "1M", "(=64K)"},
      {"edge", "header-timeout", "0", "5s", "(=10s)"},
      {"edge", "keepalive-timeout", "8d", "30s", "(=1m)"},
      {"edge", "send-timeout", "0ms", "30s", "(=1m)"},
      {"edge", "max-requests-per-connection", "0", "100", "(=10000)"},
      {"edge", "max-connections", "-1", "1000", "(=0)"},
      {"edge", "max-ranges", "65", "8", "(=16)"},
      {"edge", "address-connections", "many", "64", "(=256)"},
      {"edge", "address-rate", "nan", "50.5", "(=500)"},
      {"edge", "address-burst", "-1", "10", "(=1000)"},
      {"edge", "address-slots", "1", "1024", "(=65536)"},
      {"edge", "network-limit", "10.0.0.0/8", "10.0.0.0/8=1000:5000:10000", nullptr},
      {"edge", "trusted-key", "/nonexistent/publisher.pub", trusted_key, nullptr},
      {"edge", "send-min-rate", "fast", "0", "(=1K)"},
      {"edge", "send-min-rate-grace", "0", "5s", "(=10s)"},
      {"edge", "send-lowat", "1G", "512K", "(=1M)"},
      {"edge", "open-files", "0", "64", "(=1024)"},
      {"edge", "http2", "maybe", "off", "(=on)"},
      {"edge", "http2-max-streams", "0", "50", "(=100)"},
      {"edge", "http2-max-resets", "0", "50", "(=200)"},
      {"edge", "http2-max-control-frames", "5", "500", "(=1000)"},
      {"edge", "http2-hpack-table", "8K", "1K", "(=0)"},
      {"edge", "defer-accept", "2h", "5s", "(=0s)"},
      {"edge", "rehash-rate", "17G", "16M", "(=32M)"},
      {"edge", "rehash-interval", "500ms", "10m", "(=1h)"},
      {"edge", "cache-control-html", "no-cache\x01", "no-cache", "(=public, max-age=60)"},
      {"edge", "cache-control-default", "public\x7f", "public, max-age=3600", "(=public, max-age=86400)"},
      {"edge", "cache-control-rule", "videos=public", "/videos/=public, max-age=604800", nullptr},
      {"edge", "query-key", "a&b", "page", nullptr},
      {"edge", "use-as-dictionary", "text/html,,/cours/", "off", "(=text/html,text/css,text/javascript,application/javascript)"},
      {"edge", "tls-listen", "nonsense", "127.0.0.1:0", nullptr, tls},
      {"edge", "tls-cert", "/nonexistent/cert.pem", pem, nullptr, tls},
      {"edge", "tls-key", "/nonexistent/cert.key", key, nullptr, tls},
      {"edge", "tls-sni-cert", "www.example.org", "www.example.org=" + pem + ":" + key, nullptr, tls},
      {"edge", "tls-ciphers", "NO-SUCH-CIPHER", "ECDHE-ECDSA-AES128-GCM-SHA256", nullptr, tls},
      {"edge", "tls-ciphersuites", "TLS_NO_SUCH_SUITE", "TLS_AES_128_GCM_SHA256", nullptr, tls},
      // A good OCSP response needs a responder: edge_tls_test.cc staples one.
      {"edge", "tls-ocsp-response", "/nonexistent/ocsp.der", std::nullopt, nullptr, tls},
      {"edge", "tls-ticket-rotation", "30s", "1h", "(=12h)"},
      {"edge", "tls-session-tickets", "maybe", "off", "(=on)"},
      {"edge", "mode", "proxy", "both", "(=manifest)", {{"origin-url", "http://127.0.0.1:1"}}},
      {"edge", "origin-url", "http://origin.example/path", "https://origin.example:8443", nullptr},
      {"edge", "origin-url", "http://[::1", "http://[::1]:8080", nullptr},
      {"edge", "origin-url", "http://127.0.0.1:99999", "http://127.0.0.1:65535", nullptr},
      {"edge", "origin-url", "http://127.0.0.1:8a", "http://[::1]", nullptr},
      {"edge", "pull-origin-fails", "0", "5", "(=3)"},
      {"edge", "pull-origin-down-time", "50ms", "30s", "(=10s)"},
      {"edge", "pull-health-path", "healthz", "/healthz", nullptr},
      {"edge", "pull-health-interval", "50ms", "10s", "(=5s)"},
      {"edge", "pull-health-timeout", "5ms", "1s", "(=2s)"},
      // A probe must end before the next one starts.
      {"edge", "pull-health-timeout", "5s", std::nullopt, nullptr, {{"pull-health-path", "/healthz"}}},
      {"edge", "pull-health-rise", "0", "3", "(=2)"},
      {"edge", "pull-prefix", "pulled/", "/pulled/", nullptr, {{"mode", "both"}, {"origin-url", "http://127.0.0.1:1"}}},
      {"edge", "pull-query", "some", "keys", "(=whole)"},
      {"edge", "pull-connect-timeout", "50ms", "1s", "(=3s)"},
      {"edge", "pull-first-byte-timeout", "11m", "20s", "(=15s)"},
      {"edge", "pull-between-bytes-timeout", "0", "20s", "(=15s)"},
      {"edge", "pull-min-rate", "2G", "0", "(=1K)"},
      {"edge", "pull-max-connections", "0", "8", "(=32)"},
      {"edge", "pull-idle-connections", "5000", "8", "(=64)"},
      {"edge", "pull-max-body", "10", "1G", "(=8G)"},
      {"edge", "pull-max-request-body", "65M", "0", "(=1M)"},
      {"edge", "pull-max-keys", "0", "100", "(=1024)"},
      {"edge", "pull-address-fetches", "many", "64", "(=0)"},
      {"edge", "pull-window", "1K", "1M", "(=4M)"},
      {"edge", "pull-lag-timeout", "11m", "5s", "(=15s)"},
      {"edge", "pull-memory", "2T", "128M", "(=256M)"},
      {"edge", "pull-object-max", "2G", "1M", "(=16M)"},
      {"edge", "pull-disk-size", "65T", "0", "(=1G)"},
      {"edge", "pull-disk-dir", "pulled\x01", scratch + "/pulled", nullptr},
      {"edge", "pull-compress-max", "65M", "2M", "(=1M)"},
      {"edge", "pull-slice-size", "65M", "4M", "(=1M)"},
      {"edge", "pull-slice-size", "1", "0", "(=1M)"},  // 0 is off; a 1-byte slice made 4 KiB cost 4096 requests
      {"edge", "pull-slice-size", "63K", "64K", "(=1M)"},
      {"edge", "pull-slice-min", "2T", "16M", "(=8M)"},
      {"edge", "pull-negative-ttl", "2d", "30s", "(=10s)"},
      {"edge", "pull-stale-grace", "8d", "1h", "(=0s)"},
  };
  for (std::string tool : {"publish", "pull", "verify"}) {
    r.push_back({tool, "help", nullptr, std::nullopt, nullptr});
    r.push_back({tool, "config", "/nonexistent/relais-sync.conf", std::nullopt, nullptr, {}, false});
    r.push_back({tool, "jobs", "257", "2", "(=0)"});
    r.push_back({tool, "quiet", nullptr, std::nullopt, nullptr});
    r.push_back({tool, "check-config", nullptr, std::nullopt, nullptr});
  }
  std::vector<OptionRow> sync = {
      {"publish", "source", "", src, nullptr},
      {"publish", "out", "", scratch, nullptr},
      {"publish", "dictionary-versions", "9", "0", "(=3)"},
      {"pull", "origin", "ftp://origin.example/cours/", published, nullptr},
      {"pull", "store", "", scratch, "(=/var/lib/relais/store)"},
      {"pull", "gc-grace", "1y", "0s", "(=1h)"},
      {"pull", "connect-timeout", "0", "2s", "(=10s)"},
      {"pull", "stall-timeout", "500ms", "5s", "(=30s)"},
      {"pull", "min-rate", "0", "512", "(=1K)"},
      {"pull", "deadline", "0", "1m", "(=10m)"},
      {"pull", "retries", "-1", "0", "(=4)"},
      {"verify", "store", "", published, "(=/var/lib/relais/store)"},
      {"publish", "sign-key", "/nonexistent/publisher.key", sign_key, nullptr},
      {"publish", "valid-for", "30s", "1d", "(=7d)", {{"sign-key", sign_key}}},
      // A signed origin: edge_signed_test.cc and the SignedPull unit tests.
      {"pull", "trusted-key", "/nonexistent/publisher.pub", std::nullopt, nullptr},
      {"verify", "trusted-key", sign_key.c_str(), std::nullopt, nullptr},  // a private key is no public key
      {"keygen", "help", nullptr, std::nullopt, nullptr},
      {"keygen", "private", "", std::nullopt, nullptr, {}, false},
      {"keygen", "public", "", std::nullopt, nullptr, {}, false},
  };
  r.insert(r.end(), sync.begin(), sync.end());
  return r;
}

// Option lines of Boost's --help output ("  --name arg (=default)  text"), by name.
std::map<std::string, std::string> option_lines(const std::string& help) {
  static const std::regex option_line(R"(^  (?:-\w \[ )?--([a-z0-9-]+))");
  std::map<std::string, std::string> lines;
  std::istringstream in(help);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, option_line)) lines[m[1]] = line;
  }
  return lines;
}

TEST_F(Options, EveryOptionIsParsedValidatedAndListedWithItsDefault) {
  const auto table = rows(pem, key, dir.file("src"), published, dir.file("scratch"), sign_key, trusted_key);
  std::map<std::string, std::string> helps;
  std::map<std::string, std::set<std::string>> covered;
  for (const OptionRow& row : table) {
    if (!helps.count(row.tool)) helps[row.tool] = help(row.tool);
    covered[row.tool].insert(row.option);
    const std::string where = row.tool + " --" + row.option;
    const std::string line = option_lines(helps[row.tool])[row.option];
    EXPECT_FALSE(line.empty()) << where << " is not in --help";
    if (row.shown != nullptr) {
      EXPECT_NE(line.find(row.shown), std::string::npos) << where << ": " << line;
    }

    if (row.bad != nullptr) {
      const ProcessResult flag = run_process(command(row, row.bad), std::chrono::seconds(30));
      EXPECT_EQ(flag.exit_code, 2) << where << " " << row.bad << ": " << flag.err;
      EXPECT_EQ(line_count(flag.err), 1u) << where << ": " << flag.err;
      EXPECT_NE(flag.err.find("--" + row.option), std::string::npos) << where << ": " << flag.err;
      if (row.in_file) {
        // The same value from the config file: the same line.
        const std::string conf = dir.file("bad.conf");
        dir.write("bad.conf", row.option + " = " + row.bad + "\n");
        std::vector<std::string> argv = command(row, std::nullopt);
        argv.insert(argv.end(), {"--config", conf});
        const ProcessResult file = run_process(argv, std::chrono::seconds(30));
        EXPECT_EQ(file.exit_code, 2) << where << " in the file: " << file.err;
        EXPECT_EQ(file.err, flag.err) << where << " in the file";
      }
    }
    if (row.good) {
      const ProcessResult good = run_process(command(row, *row.good), std::chrono::seconds(60));
      EXPECT_EQ(good.exit_code, 0) << where << " " << *row.good << ": " << good.err;
    }
  }
  for (const auto& [tool, text] : helps) {
    std::set<std::string> listed;
    for (const auto& [name, line] : option_lines(text)) listed.insert(name);
    EXPECT_EQ(listed, covered[tool]) << tool << " --help";
  }
}

// Values the hostile review found accepted: each switched a limit off or
// started the edge on defaults.
TEST_F(Options, ValuesThatWouldSilentlyDisableALimitAreRefused) {
  const std::string directory = dir.file("");
  const OptionRow found[] = {
      {"edge", "address-rate", "1e-300", std::nullopt, nullptr},
      {"edge", "network-limit", "127.0.0.0/8=100:nan:1", std::nullopt, nullptr},
      {"edge", "network-limit", "127.0.0.0/8=100:1:nan", std::nullopt, nullptr},
      {"edge", "network-limit", "127.0.0.0/8=100:1e-300:1", std::nullopt, nullptr},
      {"edge", "config", directory.c_str(), std::nullopt, nullptr},
      {"pull", "config", directory.c_str(), std::nullopt, nullptr},
  };
  for (const OptionRow& row : found) {
    const ProcessResult r = run_process(command(row, row.bad), std::chrono::seconds(30));
    EXPECT_EQ(r.exit_code, 2) << row.tool << " --" << row.option << " " << row.bad << ": " << r.err;
    EXPECT_NE(r.err.find("--" + row.option), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace relais::testing
