#include "config/sync_options.h"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <thread>

#include "config/option_parsing.h"
#include "config/path_check.h"
#include "config/units.h"

namespace po = boost::program_options;

namespace relais {
namespace {

constexpr std::string_view kUsage =
    "Usage: relais-sync publish SRC_DIR OUT_DIR [--jobs N] [--quiet] [--dictionary-versions 3]\n"
    "                           [--sign-key FILE [--valid-for 7d]]\n"
    "       relais-sync pull --origin URL-or-DIR --store DIR [--jobs N] [--quiet] [--gc-grace 1h]\n"
    "                        [--connect-timeout 10s] [--stall-timeout 30s] [--min-rate 1K] [--deadline 10m]\n"
    "                        [--retries 4] [--trusted-key FILE]...\n"
    "       relais-sync verify --store DIR [--jobs N] [--quiet] [--trusted-key FILE]...\n"
    "       relais-sync keygen PRIVATE_FILE PUBLIC_FILE\n"
    "       relais-sync --help | --version\n"
    "Every subcommand also takes --config FILE (keys are the long option names) and --help.\n"
    "Exit status: 0 success, 1 runtime failure, 2 bad usage or configuration.\n";

void add_common(po::options_description& desc) {
  desc.add_options()
    ("help,h", "print this help and exit")
    ("config", po::value<std::string>(), "read options from this file (command-line flags win)")
    ("jobs,j", po::value<std::string>()->default_value("0"), "worker threads (0 = one per core, at most 256)")
    ("quiet,q", po::bool_switch(), "no progress bar and no summary line; warnings and errors are still printed")
    ("check-config", po::bool_switch(), "validate the options and the directories they name, print them and exit: 0, or 2 with one line per error");
}

void add_trusted_key(po::options_description& desc) {
  desc.add_options()
    ("trusted-key", po::value<std::vector<std::string>>(),
       "Ed25519 public key (PEM), repeatable: accept only manifests signed by one of them, check each blob's SHA-256");
}

po::options_description keygen_description() {
  po::options_description desc("relais-sync keygen options");
  desc.add_options()
    ("help,h", "print this help and exit")
    ("private", po::value<std::string>(), "private key file to create, mode 0600 (first positional argument)")
    ("public", po::value<std::string>(), "public key file to create, for edges' --trusted-key (second positional argument)");
  return desc;
}

po::options_description publish_description(const SyncConfig& d) {
  po::options_description desc("relais-sync publish options");
  desc.add_options()
    ("source", po::value<std::string>(), "content tree to publish (first positional argument, SRC_DIR)")
    ("out", po::value<std::string>(), "output directory: manifest + blobs/ (second positional argument, OUT_DIR)")
    ("dictionary-versions", po::value<std::string>()->default_value(std::to_string(d.dictionary_versions)),
       "earlier versions of each changed text file to make dcz deltas against (0-8, 0: none)")
    ("sign-key", po::value<std::string>(), "Ed25519 private key (PEM, mode 0600, from `relais-sync keygen`): sign the manifest")
    ("valid-for", po::value<std::string>()->default_value("7d"),
       "with --sign-key: the publication expires this long after it is published (1m-366d); edges then report degraded");
  add_common(desc);
  return desc;
}

po::options_description pull_description(const SyncConfig& d) {
  auto duration = [](std::uint64_t ms) { return po::value<std::string>()->default_value(format_duration_ms(ms)); };
  po::options_description desc("relais-sync pull options");
  desc.add_options()
    ("origin", po::value<std::string>(), "origin to copy from: an http(s):// URL or a directory written by publish")
    ("store", po::value<std::string>()->default_value(d.store), "store directory to fill (manifest + blobs/)")
    ("gc-grace", duration(d.gc_grace_ms), "delete blobs unreferenced for this long (e.g. 30m, 1h; 0s: at once)")
    ("connect-timeout", duration(d.connect_timeout_ms), "give up connecting to the origin after this (100ms-10m)")
    ("stall-timeout", duration(d.stall_timeout_ms), "cut a transfer slower than --min-rate for this long (1s-1h)")
    ("min-rate", po::value<std::string>()->default_value(format_byte_size(d.min_rate)),
       "bytes per second a transfer must average over --stall-timeout")
    ("deadline", duration(d.deadline_ms),
       "total time one request may take, however fast it trickles (a cut blob resumes on the next attempt)")
    ("retries", po::value<std::string>()->default_value(std::to_string(d.retries)),
       "retries per request, with exponential backoff and jitter (0-20)");
  add_trusted_key(desc);
  add_common(desc);
  return desc;
}

po::options_description verify_description(const SyncConfig& d) {
  po::options_description desc("relais-sync verify options");
  desc.add_options()
    ("store", po::value<std::string>()->default_value(d.store), "store or publish directory to check");
  add_trusted_key(desc);
  add_common(desc);
  return desc;
}

std::optional<CliOutcome> convert_jobs(const po::variables_map& vm, unsigned& jobs) {
  std::uint64_t value = 0;
  if (auto bad = convert_bounded(vm, {"jobs", Unit::count, 0, kMaxSyncJobs}, value)) return bad;
  jobs = value != 0 ? static_cast<unsigned>(value) : std::max(1u, std::thread::hardware_concurrency());
  return std::nullopt;
}

std::optional<CliOutcome> convert_dictionary_versions(const po::variables_map& vm, unsigned& versions) {
  std::uint64_t value = versions;
  if (auto bad = convert_bounded(vm, {"dictionary-versions", Unit::count, 0, kMaxSyncDictionaryVersions}, value))
    return bad;
  versions = static_cast<unsigned>(value);
  return std::nullopt;
}

std::optional<CliOutcome> convert_pull_settings(const po::variables_map& vm, SyncConfig& c) {
  for (auto [bounds, target] : {std::pair{kGcGraceBounds, &c.gc_grace_ms},
                                {kConnectTimeoutBounds, &c.connect_timeout_ms},
                                {kStallTimeoutBounds, &c.stall_timeout_ms},
                                {kMinRateBounds, &c.min_rate},
                                {kDeadlineBounds, &c.deadline_ms}}) {
    if (auto bad = convert_bounded(vm, bounds, *target)) return bad;
  }
  std::uint64_t retries = c.retries;
  if (auto bad = convert_bounded(vm, {"retries", Unit::count, 0, kMaxSyncRetries}, retries)) return bad;
  c.retries = static_cast<unsigned>(retries);
  return std::nullopt;
}

std::optional<CliOutcome> require(const po::variables_map& vm, const char* option, std::string& out,
                                  const char* what) {
  if (!vm.count(option) || vm[option].as<std::string>().empty())
    return CliOutcome::usage(std::string("--") + option + ": " + what + " is required");
  out = vm[option].as<std::string>();
  return std::nullopt;
}

CliOutcome parse_subcommand(std::string_view name, int argc, const char* const* argv, std::ostream& out,
                            SyncConfig& c) {
  po::options_description desc;
  po::positional_options_description positional;
  if (name == "publish") {
    c.command = SyncConfig::Command::publish;
    desc.add(publish_description(c));
    positional.add("source", 1).add("out", 1);
  } else if (name == "keygen") {
    c.command = SyncConfig::Command::keygen;
    desc.add(keygen_description());
    positional.add("private", 1).add("public", 1);
  } else if (name == "pull") {
    c.command = SyncConfig::Command::pull;
    desc.add(pull_description(c));
  } else {
    c.command = SyncConfig::Command::verify;
    desc.add(verify_description(c));
  }
  po::variables_map vm;
  // argv[0] is the subcommand; the parser skips it like a program name.
  if (auto bad = parse_into(desc, &positional, argc, argv, /*config_option=*/c.command != SyncConfig::Command::keygen, vm)) {
    bad->message = std::string(name) + ": " + bad->message;
    return *bad;
  }
  if (vm.count("help")) {
    out << kUsage << '\n' << desc << '\n';
    return CliOutcome::finished();
  }
  if (c.command == SyncConfig::Command::keygen) {
    if (auto bad = require(vm, "private", c.private_key_out, "PRIVATE_FILE (first argument)")) return *bad;
    if (auto bad = require(vm, "public", c.public_key_out, "PUBLIC_FILE (second argument)")) return *bad;
    return CliOutcome::run_it();
  }
  if (auto bad = convert_jobs(vm, c.jobs)) return *bad;
  c.quiet = vm["quiet"].as<bool>();
  c.check_only = vm["check-config"].as<bool>();
  if (vm.count("trusted-key")) c.trusted_keys = vm["trusted-key"].as<std::vector<std::string>>();
  switch (c.command) {
    case SyncConfig::Command::publish:
      if (auto bad = require(vm, "source", c.source_dir, "SRC_DIR (first argument)")) return *bad;
      if (auto bad = require(vm, "out", c.out_dir, "OUT_DIR (second argument)")) return *bad;
      if (auto bad = convert_dictionary_versions(vm, c.dictionary_versions)) return *bad;
      if (vm.count("sign-key")) c.sign_key = vm["sign-key"].as<std::string>();
      if (auto bad = convert_bounded(vm, kValidForBounds, c.valid_for_ms)) return *bad;
      if (c.sign_key.empty() && !vm["valid-for"].defaulted())
        return CliOutcome::usage("--valid-for: only with --sign-key (an unsigned manifest has no expiry)");
      break;
    case SyncConfig::Command::pull:
      if (auto bad = require(vm, "origin", c.origin, "an origin URL or directory")) return *bad;
      if (auto bad = check_origin("origin", c.origin)) return *bad;
      if (auto bad = convert_pull_settings(vm, c)) return *bad;
      [[fallthrough]];
    case SyncConfig::Command::verify:
      if (auto bad = require(vm, "store", c.store, "a store directory")) return *bad;
      break;
    case SyncConfig::Command::keygen:
      break;
  }
  return CliOutcome::run_it();
}

}  // namespace

CliOutcome parse_sync_options(int argc, const char* const* argv, std::ostream& out, SyncConfig& config) {
  if (argc < 2) return CliOutcome::usage("missing subcommand: publish, pull, verify or keygen (see --help)");
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h") {
    const SyncConfig d;
    out << kUsage << '\n' << publish_description(d) << '\n' << pull_description(d) << '\n'
        << verify_description(d) << '\n' << keygen_description() << '\n';
    return CliOutcome::finished();
  }
  if (first == "--version") {
    out << "relais-sync " << RELAIS_VERSION << '\n';
    return CliOutcome::finished();
  }
  if (first == "publish" || first == "pull" || first == "verify" || first == "keygen") return parse_subcommand(first, argc - 1, argv + 1, out, config);
  if (first.starts_with("-")) return CliOutcome::usage("unrecognised option '" + std::string(first) + "' before the subcommand (publish, pull, verify or keygen)");
  return CliOutcome::usage("unknown subcommand '" + std::string(first) + "' (expected publish, pull, verify or keygen)");
}

std::string describe_sync_config(const SyncConfig& c) {
  std::string out;
  auto line = [&out](std::string_view key, std::string_view value) {
    out.append(key).append(" = ").append(value).append("\n");
  };
  switch (c.command) {
    case SyncConfig::Command::publish:
      line("source", c.source_dir);
      line("out", c.out_dir);
      line("dictionary-versions", std::to_string(c.dictionary_versions));
      if (!c.sign_key.empty()) {
        line("sign-key", c.sign_key);
        line("valid-for", format_duration_ms(c.valid_for_ms));
      }
      break;
    case SyncConfig::Command::pull:
      line("origin", c.origin);
      line("store", c.store);
      line("gc-grace", format_duration_ms(c.gc_grace_ms));
      line("connect-timeout", format_duration_ms(c.connect_timeout_ms));
      line("stall-timeout", format_duration_ms(c.stall_timeout_ms));
      line("min-rate", format_byte_size(c.min_rate));
      line("deadline", format_duration_ms(c.deadline_ms));
      line("retries", std::to_string(c.retries));
      for (const std::string& key : c.trusted_keys) line("trusted-key", key);
      break;
    case SyncConfig::Command::verify:
      line("store", c.store);
      for (const std::string& key : c.trusted_keys) line("trusted-key", key);
      break;
    case SyncConfig::Command::keygen:
      line("private", c.private_key_out);
      line("public", c.public_key_out);
      break;
  }
  line("jobs", std::to_string(c.jobs));
  return out;
}

std::vector<std::string> check_sync_config(const SyncConfig& c) {
  std::vector<std::string> errors;
  auto note = [&errors](std::optional<std::string> problem) {
    if (problem) errors.push_back(std::move(*problem));
  };
  switch (c.command) {
    case SyncConfig::Command::publish:
      note(check_directory("--source", c.source_dir, R_OK | X_OK, false));
      note(check_directory("--out", c.out_dir, R_OK | W_OK | X_OK, true));
      break;
    case SyncConfig::Command::pull:
      if (!c.origin.starts_with("http://") && !c.origin.starts_with("https://"))
        note(check_directory("--origin", c.origin, R_OK | X_OK, false));
      note(check_directory("--store", c.store, R_OK | W_OK | X_OK, true));
      break;
    case SyncConfig::Command::verify:
      note(check_directory("--store", c.store, R_OK | X_OK, false));
      break;
    case SyncConfig::Command::keygen:
      break;  // the key files are created with O_EXCL when it runs
  }
  for (const std::string& key : c.trusted_keys)
    if (::access(key.c_str(), R_OK) != 0) errors.push_back("--trusted-key " + key + ": not readable");
  return errors;
}

}  // namespace relais
