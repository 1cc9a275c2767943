#include "tests/integration/edge_fixture.h"

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "tests/integration/client/raw_client.h"

namespace relais::testing {

std::map<std::string, std::string> standard_tree() {
  std::string lesson = "<!doctype html><html lang=fr><body>";
  for (int i = 0; i < 300; ++i) lesson += "<p>Les fractions : un demi, un tiers, un quart. Exercice " + std::to_string(i) + ".</p>\n";
  lesson += "</body></html>\n";
  std::mt19937_64 rng(42);
  auto random_bytes = [&](std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  };
  std::map<std::string, std::string> files;
  files["index.html"] = lesson;
  files["cours/index.html"] = "<!doctype html><title>Cours</title><p>Sommaire</p>\n" + lesson;
  files["cours/lecon.html"] = lesson + "<!-- lecon -->\n";
  files["cours/style.css"] = std::string(4000, ' ') + "body { font-family: sans-serif; }\n";
  files["cours/Séance 3 — fractions.pdf"] = "%PDF-1.4\n" + random_bytes(20000);
  files["videos/big.bin"] = random_bytes(3 << 20);  // above --memory-object-max: disk tier
  files["empty.txt"] = "";
  return files;
}

bool publish_tree(const TempDir& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [path, bytes] : files) dir.write("src/" + path, bytes);
  ProcessResult r = run_process({RELAIS_SYNC_BIN, "publish", dir.file("src"), dir.file("out"), "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

RunningEdge start_edge(const TempDir& dir, const std::vector<std::string>& extra_flags) {
  const std::pair<const char*, std::string> defaults[] = {
      {"--listen", "127.0.0.1:0"}, {"--admin-listen", "127.0.0.1:0"}, {"--store", dir.file("out")},
      {"--workers", "2"},          {"--memory-cache", "64M"},         {"--memory-object-max", "1M"},
      {"--access-log", "off"},     {"--admin-token", "secret-token"},
  };
  std::vector<std::string> argv = {RELAIS_EDGE_BIN};
  for (const auto& [flag, value] : defaults) {
    if (std::find(extra_flags.begin(), extra_flags.end(), flag) != extra_flags.end()) continue;
    argv.push_back(flag);
    argv.push_back(value);
  }
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  return run_edge(argv);
}

RunningEdge run_edge(const std::vector<std::string>& argv) {
  RunningEdge edge;
  edge.process = std::make_unique<Subprocess>(argv);
  auto http = edge.process->wait_for_line("listening http 127.0.0.1:");
  auto admin = edge.process->wait_for_line("listening admin 127.0.0.1:");
  auto ready = edge.process->wait_for_line("ready");
  EXPECT_TRUE(http && admin && ready) << edge.process->stderr_text();
  if (http) edge.port = static_cast<std::uint16_t>(std::stoi(*http));
  if (admin) edge.admin_port = static_cast<std::uint16_t>(std::stoi(*admin));
  return edge;
}

std::string decode_body(const std::string& encoding, const std::string& body, std::size_t expected_size) {
  std::string out(expected_size + 1, '\0');
  if (encoding == "br") {
    std::size_t size = out.size();
    if (BrotliDecoderDecompress(body.size(), reinterpret_cast<const std::uint8_t*>(body.data()), &size,
                                reinterpret_cast<std::uint8_t*>(out.data())) != BROTLI_DECODER_RESULT_SUCCESS)
      return "<brotli error>";
    out.resize(size);
  } else if (encoding == "zstd") {
    std::size_t n = ZSTD_decompress(out.data(), out.size(), body.data(), body.size());
    if (ZSTD_isError(n)) return "<zstd error>";
    out.resize(n);
  } else if (encoding == "gzip") {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return "<zlib error>";
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    z.avail_in = static_cast<uInt>(body.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) return "<gzip error>";
    out.resize(z.total_out);
  } else {
    return body;
  }
  return out;
}

double metric(std::uint16_t admin_port, const std::string& series) {
  auto r = http_get(admin_port, "/metrics");
  if (!r) return -1;
  std::size_t at = r->body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(r->body.substr(at + series.size() + 2));
}

double await_metric(std::uint16_t admin_port, const std::string& series, double min) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const double value = metric(admin_port, series);
    if (value >= min || std::chrono::steady_clock::now() >= until) return value;
    ::poll(nullptr, 0, 20);
  }
}

}  // namespace relais::testing
