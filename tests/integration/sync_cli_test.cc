// relais-sync verify, pull (local origin) and the command line, run as a real binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/harness/sync_support.h"

namespace relais::testing {
namespace {

namespace fs = std::filesystem;

class SyncCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text;
    for (int i = 0; i < 300; ++i) text += "Ligne " + std::to_string(i) + " du cours de français.\n";
    dir.write("src/cours.txt", text);
    dir.write("src/page.html", "<!doctype html><title>x</title>" + text);
    dir.write("src/petit.txt", "petit");
    ProcessResult r = relais_sync({"publish", dir.file("src"), origin, "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(r.out, "");  // --quiet
    manifest = read_published_manifest(origin);
    ASSERT_EQ(manifest.entries.size(), 3u);
  }

  std::string blob_of(std::string_view path, Encoding e = Encoding::identity) const {
    for (const Variant& v : find_entry(manifest, path)->variants) {
      if (v.encoding == e) return blob_path(origin, v.hash);
    }
    ADD_FAILURE() << "no " << encoding_name(e) << " variant for " << path;
    return {};
  }

  TempDir dir;
  std::string origin = dir.file("origin");
  std::string store = dir.file("store");
  Manifest manifest;
};

void overwrite(const std::string& path, const std::string& bytes) {
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

TEST_F(SyncCli, VerifyOfAFreshPublishSucceedsWithOneLine) {
  ProcessResult r = relais_sync({"verify", "--store", origin});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(line_count(r.out), 1u) << r.out;
  EXPECT_NE(r.out.find("all match"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(SyncCli, VerifyReportsATamperedBlob) {
  const std::string blob = blob_of("cours.txt", Encoding::br);
  std::string bytes = read_file(blob);
  bytes[bytes.size() / 2] ^= 0x20;
  overwrite(blob, bytes);
  ProcessResult r = relais_sync({"verify", "--store", origin});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(fs::path(blob).filename().string() + " (br of cours.txt): content hashes to"), std::string::npos) << r.err;
  EXPECT_EQ(line_count(r.err), 2u) << r.err;  // the problem + the count
}

TEST_F(SyncCli, VerifyReportsTruncatedAndMissingBlobsEachOnItsOwnLine) {
  const std::string truncated = blob_of("page.html");
  overwrite(truncated, read_file(truncated).substr(0, 10));
  fs::remove(blob_of("petit.txt"));
  ProcessResult r = relais_sync({"verify", "--store", origin});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("(identity of page.html): size 10, manifest says"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(identity of petit.txt): cannot open"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 of "), std::string::npos) << r.err;
  EXPECT_EQ(line_count(r.err), 3u) << r.err;
}

TEST_F(SyncCli, VerifyWithoutAManifestFailsWithOneLine) {
  ProcessResult r = relais_sync({"verify", "--store", dir.file("empty")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
}

TEST_F(SyncCli, PullFromADirectoryCopiesEveryBlobAndThenTheManifest) {
  ProcessResult r = relais_sync({"pull", "--origin", origin, "--store", store});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(line_count(r.out), 1u) << r.out;
  EXPECT_EQ(read_file(store + "/manifest"), read_file(origin + "/manifest"));
  for (const auto& e : manifest.entries) {
    for (const Variant& v : e.variants) EXPECT_EQ(read_file(blob_path(store, v.hash)), read_file(blob_path(origin, v.hash)));
  }
  EXPECT_EQ(relais_sync({"verify", "--store", store}).exit_code, 0);
  ProcessResult again = relais_sync({"pull", "--origin", origin, "--store", store});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("0 fetched"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("manifest unchanged"), std::string::npos) << again.out;
}

TEST_F(SyncCli, PullRefusesATamperedOriginBlobAndLeavesNothingPartial) {
  const std::string blob = blob_of("cours.txt");
  std::string bytes = read_file(blob);
  bytes[0] ^= 0x01;  // same size, wrong content
  overwrite(blob, bytes);
  ProcessResult r = relais_sync({"pull", "--origin", origin, "--store", store, "--jobs", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(fs::path(blob).filename().string()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(store + "/manifest"));
  EXPECT_FALSE(fs::exists(blob_path(store, find_entry(manifest, "cours.txt")->identity().hash)));
  EXPECT_TRUE(temp_files_under(store).empty());
}

TEST_F(SyncCli, PullRefusesATruncatedOriginBlobAndKeepsThePreviousManifest) {
  ASSERT_EQ(relais_sync({"pull", "--origin", origin, "--store", store}).exit_code, 0);
  const std::string before = read_file(store + "/manifest");
  dir.write("src/nouveau.txt", std::string(5000, 'n'));
  ASSERT_EQ(relais_sync({"publish", dir.file("src"), origin, "--quiet"}).exit_code, 0);
  const Manifest m2 = read_published_manifest(origin);
  const std::string fresh = blob_path(origin, find_entry(m2, "nouveau.txt")->identity().hash);
  overwrite(fresh, read_file(fresh).substr(0, 100));
  ProcessResult r = relais_sync({"pull", "--origin", origin, "--store", store});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(read_file(store + "/manifest"), before);
  EXPECT_TRUE(temp_files_under(store).empty());
}

TEST_F(SyncCli, PullRejectsATamperedOriginManifest) {
  std::string text = read_file(origin + "/manifest");
  text.replace(text.find("petit.txt"), 9, "petit.TXT");
  overwrite(origin + "/manifest", text);
  ProcessResult r = relais_sync({"pull", "--origin", origin, "--store", store});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("checksum"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(store + "/manifest"));
}

TEST_F(SyncCli, PullFromAnUnreachableHttpOriginFailsWithOneLine) {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  ProcessResult r = relais_sync({"pull", "--origin", "http://127.0.0.1:1/course", "--store", store, "--retries", "0"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("manifest"), std::string::npos) << r.err;
}

struct BadCli {
  std::vector<std::string> args;
  std::string must_mention;
};

TEST(SyncCliUsage, BadCommandLinesExitTwoWithOneLineNamingTheProblem) {
  const std::vector<BadCli> rows = {
      {{}, "subcommand"},
      {{"deploy"}, "unknown subcommand 'deploy'"},
      {{"--frobnicate"}, "--frobnicate"},
      {{"publish", "/tmp"}, "OUT_DIR"},
      {{"publish", "/a", "/b", "--jobs", "lots"}, "--jobs"},
      {{"publish", "/a", "/b", "--speed", "11"}, "--speed"},
      {{"pull", "--store", "/tmp/x"}, "--origin"},
      {{"verify", "--store"}, "--store"},
      {{"verify", "--config", "/nonexistent.conf"}, "--config"},
  };
  for (const auto& row : rows) {
    ProcessResult r = relais_sync(row.args);
    std::string joined;
    for (const auto& a : row.args) joined += a + " ";
    EXPECT_EQ(r.exit_code, 2) << joined;
    EXPECT_EQ(line_count(r.err), 1u) << joined << "=> " << r.err;
    EXPECT_TRUE(r.err.starts_with("relais-sync: ")) << r.err;
    EXPECT_NE(r.err.find(row.must_mention), std::string::npos) << joined << "=> " << r.err;
    EXPECT_EQ(r.out, "") << joined;
  }
}

TEST(SyncCliUsage, HelpAndVersion) {
  ProcessResult help = relais_sync({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (std::string_view needle : {"relais-sync publish SRC_DIR OUT_DIR", "relais-sync pull --origin", "relais-sync verify --store",
                                  "--jobs", "--quiet", "--config", "(=/var/lib/relais/store)"})
    EXPECT_NE(help.out.find(needle), std::string::npos) << needle;
  ProcessResult sub = relais_sync({"verify", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--store"), std::string::npos);
  ProcessResult version = relais_sync({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out, std::string("relais-sync ") + RELAIS_VERSION + "\n");
}

TEST(SyncCliUsage, ConfigFileSuppliesTheStore) {
  TempDir dir;
  dir.write("src/a.txt", "a");
  ASSERT_EQ(relais_sync({"publish", dir.file("src"), dir.file("out"), "--quiet"}).exit_code, 0);
  dir.write("verify.conf", "store = " + dir.file("out") + "\njobs = 1\n");
  ProcessResult r = relais_sync({"verify", "--config", dir.file("verify.conf")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(dir.file("out")), std::string::npos) << r.out;
}

}  // namespace
}  // namespace relais::testing
