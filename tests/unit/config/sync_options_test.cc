#include "config/sync_options.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace relais {
namespace {

struct Parsed {
  CliOutcome outcome;
  SyncConfig config;
  std::string out;
};

Parsed parse(std::vector<const char*> args) {
  args.insert(args.begin(), "relais-sync");
  Parsed p;
  std::ostringstream out;
  p.outcome = parse_sync_options(static_cast<int>(args.size()), args.data(), out, p.config);
  p.out = out.str();
  return p;
}

TEST(SyncOptions, PublishTakesTwoPositionalDirectoriesAndJobs) {
  auto p = parse({"publish", "src", "out", "--jobs", "3", "--quiet"});
  ASSERT_EQ(p.outcome.kind, CliOutcome::Kind::run) << p.outcome.message;
  EXPECT_EQ(p.config.command, SyncConfig::Command::publish);
  EXPECT_EQ(p.config.source_dir, "src");
  EXPECT_EQ(p.config.out_dir, "out");
  EXPECT_EQ(p.config.jobs, 3u);
  EXPECT_TRUE(p.config.quiet);
}

TEST(SyncOptions, JobsDefaultsToOnePerCore) {
  auto p = parse({"publish", "src", "out"});
  ASSERT_EQ(p.outcome.kind, CliOutcome::Kind::run);
  EXPECT_GE(p.config.jobs, 1u);
  EXPECT_FALSE(p.config.quiet);
}

TEST(SyncOptions, PullAndVerifyTakeStoreAndOrigin) {
  auto pull = parse({"pull", "--origin", "/srv/origin", "--store", "/srv/store"});
  ASSERT_EQ(pull.outcome.kind, CliOutcome::Kind::run) << pull.outcome.message;
  EXPECT_EQ(pull.config.command, SyncConfig::Command::pull);
  EXPECT_EQ(pull.config.origin, "/srv/origin");
  EXPECT_EQ(pull.config.store, "/srv/store");
  auto verify = parse({"verify", "--store", "/srv/store"});
  ASSERT_EQ(verify.outcome.kind, CliOutcome::Kind::run);
  EXPECT_EQ(verify.config.command, SyncConfig::Command::verify);
}

struct BadRow {
  std::vector<const char*> args;
  std::string_view must_mention;
};

TEST(SyncOptions, BadCommandLinesAreOneLineUsageErrorsNamingTheProblem) {
  const std::vector<BadRow> rows = {
      {{}, "subcommand"},
      {{"frobnicate"}, "frobnicate"},
      {{"--bogus"}, "--bogus"},
      {{"publish"}, "SRC_DIR"},
      {{"publish", "src"}, "OUT_DIR"},
      {{"publish", "src", "out", "extra"}, "positional"},
      {{"publish", "src", "out", "--jobs", "many"}, "--jobs"},
      {{"publish", "src", "out", "--jobs", "-1"}, "--jobs"},
      {{"publish", "src", "out", "--jobs", "100000"}, "--jobs"},
      {{"publish", "src", "out", "--frobnicate"}, "frobnicate"},
      {{"pull", "--store", "/s"}, "--origin"},
      {{"pull", "--origin"}, "origin"},
      {{"verify", "--store", ""}, "--store"},
      {{"verify", "--origin", "x"}, "origin"},
      {{"publish", "src", "out", "--config", "/nonexistent/relais-sync.conf"}, "--config"},
  };
  for (const auto& row : rows) {
    auto p = parse(row.args);
    std::string joined;
    for (auto* a : row.args) joined += std::string(a) + " ";
    EXPECT_EQ(p.outcome.kind, CliOutcome::Kind::usage_error) << joined;
    EXPECT_NE(p.outcome.message.find(row.must_mention), std::string::npos) << joined << "=> " << p.outcome.message;
    EXPECT_EQ(p.outcome.message.find('\n'), std::string::npos) << joined;
  }
}

TEST(SyncOptions, HelpListsEverySubcommandAndDefaults) {
  auto p = parse({"--help"});
  EXPECT_EQ(p.outcome.kind, CliOutcome::Kind::done);
  for (std::string_view needle : {"publish", "pull", "verify", "--jobs", "--origin", "--store", "--config",
                                  "/var/lib/relais/store", "(=0)"})
    EXPECT_NE(p.out.find(needle), std::string::npos) << needle;
  auto sub = parse({"publish", "--help"});
  EXPECT_EQ(sub.outcome.kind, CliOutcome::Kind::done);
  EXPECT_NE(sub.out.find("--quiet"), std::string::npos);
}

TEST(SyncOptions, VersionPrintsTheVersion) {
  auto p = parse({"--version"});
  EXPECT_EQ(p.outcome.kind, CliOutcome::Kind::done);
  EXPECT_EQ(p.out, std::string("relais-sync ") + RELAIS_VERSION + "\n");
}

TEST(SyncOptions, ConfigFileSuppliesOptionsAndFlagsWin) {
  std::string dir = "/tmp/relais-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string conf = dir + "/sync.conf";
  std::ofstream(conf) << "# relais-sync\nstore = /from/file\norigin = /origin/from/file\njobs = 5\n";
  auto p = parse({"pull", "--config", conf.c_str(), "--jobs", "2"});
  ASSERT_EQ(p.outcome.kind, CliOutcome::Kind::run) << p.outcome.message;
  EXPECT_EQ(p.config.store, "/from/file");
  EXPECT_EQ(p.config.origin, "/origin/from/file");
  EXPECT_EQ(p.config.jobs, 2u);
  std::ofstream(conf) << "no-such-key = 1\n";
  auto bad = parse({"pull", "--config", conf.c_str()});
  EXPECT_EQ(bad.outcome.kind, CliOutcome::Kind::usage_error);
  EXPECT_NE(bad.outcome.message.find("no-such-key"), std::string::npos) << bad.outcome.message;
  ::unlink(conf.c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace relais
