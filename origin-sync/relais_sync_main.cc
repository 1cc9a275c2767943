// relais-sync: publish a content tree, pull it into an edge store, verify a store.
//
// main() only wires the command line to the library calls and turns their
// results into the exit status of the README's contract: 0 success, 2 bad usage or
// configuration (one line naming the option), 1 runtime failure (one line
// saying what failed). Everything else lives in origin-sync/ and is tested
// there.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "config/sync_options.h"
#include "origin-sync/local_pull.h"
#include "origin-sync/progress.h"
#include "origin-sync/delta_publishing.h"
#include "origin-sync/publisher.h"
#include "origin-sync/signing_key.h"
#include "origin-sync/store_sync.h"
#include "origin-sync/store_verifier.h"

namespace {

using relais::Encoding;

int fail(const relais::Error& e) {
  std::fprintf(stderr, "relais-sync: %s\n", e.message.c_str());
  return e.source == relais::ErrorSource::config ? 2 : 1;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string publish_summary(const relais::PublishReport& r, double seconds) {
  std::string line = "relais-sync: published " + std::to_string(r.files) + " files (" + std::to_string(r.skipped) +
                     " skipped), " + relais::format_bytes(r.bytes_in) + " in; out:";
  for (Encoding e : {Encoding::br, Encoding::zstd, Encoding::gzip}) {
    const auto i = static_cast<int>(e);
    line += std::string(" ") + std::string(relais::encoding_name(e)) + " " + relais::format_bytes(r.variant_bytes[i]) +
            " (" + std::to_string(r.variant_files[i]) + " files)";
  }
  line += " dcz " + relais::format_bytes(r.delta_bytes) + " (" + std::to_string(r.deltas) + " deltas)";
  char tail[160];
  std::snprintf(tail, sizeof tail, "; %llu compressed, %llu reused, %llu blobs written; generation %llu%s; %.2f s",
                static_cast<unsigned long long>(r.compressed), static_cast<unsigned long long>(r.reused),
                static_cast<unsigned long long>(r.blobs_written), static_cast<unsigned long long>(r.generation),
                r.manifest_changed ? "" : " (unchanged)", seconds);
  return line + tail;
}

static_assert(relais::kMaxSyncDictionaryVersions == relais::kMaxDictionaryVersions);
int run_keygen(const relais::SyncConfig& c) {
  auto id = relais::write_new_key_pair(c.private_key_out, c.public_key_out);
  if (!id) return fail(id.error());
  // The key id only: the private key is never printed.
  std::printf("relais-sync: wrote key %s: private %s (mode 0600, keep it off the edges), public %s\n", id->c_str(),
              c.private_key_out.c_str(), c.public_key_out.c_str());
  return 0;
}

// Without trusted keys an edge takes any manifest its origin sends: said once.
std::shared_ptr<const relais::TrustedKeys> load_trusted_keys(const relais::SyncConfig& c, relais::Status& status) {
  auto keys = relais::TrustedKeys::load(c.trusted_keys);
  if (!keys) {
    status = keys.error();
    return nullptr;
  }
  return std::make_shared<const relais::TrustedKeys>(std::move(keys.value()));
}

void warn_if_expired(const std::optional<relais::PublicationStamp>& stamp) {
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  if (stamp && stamp->expires <= now)
    std::fprintf(stderr, "relais-sync: warning: the publication (generation %llu) expired %lld s ago; edges report degraded\n",
                 static_cast<unsigned long long>(stamp->generation), static_cast<long long>(now - stamp->expires));
}

int run_publish(const relais::SyncConfig& c) {
  const auto start = std::chrono::steady_clock::now();
  std::optional<relais::SigningKey> key;
  if (!c.sign_key.empty()) {
    auto k = relais::SigningKey::load(c.sign_key);
    if (!k) return fail(relais::Error::config("--sign-key " + k.error().message));
    key = std::move(k.value());
  }
  relais::ProgressCounters counters;
  std::optional<relais::Result<relais::PublishReport>> result;
  {
    // The bar is erased when this scope ends, before anything else is printed.
    relais::ProgressBar bar(counters, stderr, !c.quiet && ::isatty(STDERR_FILENO) == 1);
    relais::PublishOptions options;
    options.source_dir = c.source_dir;
    options.out_dir = c.out_dir;
    options.jobs = c.jobs;
    options.dictionary_versions = c.dictionary_versions;
    options.progress = &counters;
    options.warn = [&bar](const std::string& line) { bar.print_line("relais-sync: warning: " + line); };
    options.sign_key = key ? &*key : nullptr;
    options.valid_for_seconds = static_cast<std::int64_t>(c.valid_for_ms / 1000);
    result.emplace(relais::publish(options));
  }
  if (!*result) return fail(result->error());
  if (!c.quiet) std::printf("%s\n", publish_summary(result->value(), seconds_since(start)).c_str());
  return 0;
}

relais::SyncSettings sync_settings_from(const relais::SyncConfig& c) {
  return relais::sync_settings(c.origin, c.store, c.jobs,
                               {.retries = c.retries, .gc_grace_ms = c.gc_grace_ms, .connect_timeout_ms = c.connect_timeout_ms,
                                .stall_timeout_ms = c.stall_timeout_ms, .min_rate = c.min_rate, .deadline_ms = c.deadline_ms});
}

int run_pull(const relais::SyncConfig& c) {
  const auto start = std::chrono::steady_clock::now();
  relais::ProgressCounters counters;
  relais::SyncSettings settings = sync_settings_from(c);
  relais::Status keys_loaded;
  settings.trusted_keys = load_trusted_keys(c, keys_loaded);
  if (!keys_loaded) return fail(relais::Error::config("--trusted-key " + keys_loaded.error().message));
  relais::SyncOutcome outcome;
  {
    // The bar is erased when this scope ends, before anything else is printed.
    // Retried failures are shown only above a bar: a script sees one line per outcome.
    const bool tty = !c.quiet && ::isatty(STDERR_FILENO) == 1;
    relais::ProgressBar bar(counters, stderr, tty);
    settings.progress = &counters;
    if (tty) settings.warn = [&bar](const std::string& line) { bar.print_line("relais-sync: warning: " + line); };
    outcome = relais::sync_store(settings);
  }
  if (!outcome.ok()) return fail(*outcome.error);
  const relais::PullReport& r = outcome.pull;
  if (!c.quiet) {
    std::printf("relais-sync: pulled generation %llu from %s: %llu files, %llu blobs (%llu fetched, %s",
                static_cast<unsigned long long>(r.generation), c.origin.c_str(), static_cast<unsigned long long>(r.files),
                static_cast<unsigned long long>(r.blobs), static_cast<unsigned long long>(r.blobs_fetched),
                relais::format_bytes(r.bytes_fetched).c_str());
    if (r.blobs_resumed > 0) std::printf(", %llu resumed", static_cast<unsigned long long>(r.blobs_resumed));
    if (r.blobs_rejected > 0) std::printf(", %llu rejected and refetched", static_cast<unsigned long long>(r.blobs_rejected));
    std::printf("); manifest %s; %llu old blobs removed; %.2f s\n",
                outcome.not_modified ? "not modified (304)" : r.manifest_changed ? "updated" : "unchanged",
                static_cast<unsigned long long>(outcome.gc.blobs_removed), seconds_since(start));
  }
  return 0;
}

int run_verify(const relais::SyncConfig& c) {
  const auto start = std::chrono::steady_clock::now();
  relais::Status keys_loaded;
  const auto keys = load_trusted_keys(c, keys_loaded);
  if (!keys_loaded) return fail(relais::Error::config("--trusted-key " + keys_loaded.error().message));
  auto result = relais::verify_store(c.store, c.jobs, [](const std::string& problem) {
    std::fprintf(stderr, "relais-sync: verify: %s\n", problem.c_str());
  }, keys.get());
  if (!result) return fail(result.error());
  warn_if_expired(result->publication);
  if (result->problems > 0) {
    std::fprintf(stderr, "relais-sync: verify: %llu of %llu blobs are bad in %s\n",
                 static_cast<unsigned long long>(result->problems), static_cast<unsigned long long>(result->blobs),
                 c.store.c_str());
    return 1;
  }
  if (!c.quiet) {
    const std::string signer = result->publication ? " (XXH3-128 and SHA-256), signed by key " + result->publication->key_id : "";
    std::printf("relais-sync: verified %s: generation %llu, %llu files, %llu blobs, %s, all match%s; %.2f s\n",
                c.store.c_str(), static_cast<unsigned long long>(result->generation),
                static_cast<unsigned long long>(result->files), static_cast<unsigned long long>(result->blobs),
                relais::format_bytes(result->bytes).c_str(), signer.c_str(), seconds_since(start));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    relais::SyncConfig config;
    const relais::CliOutcome outcome = relais::parse_sync_options(argc, argv, std::cout, config);
    if (outcome.kind == relais::CliOutcome::Kind::usage_error) {
      std::fprintf(stderr, "relais-sync: %s\n", outcome.message.c_str());
      return 2;
    }
    if (outcome.kind == relais::CliOutcome::Kind::done) return 0;
    if (config.check_only) {
      std::fputs(relais::describe_sync_config(config).c_str(), stdout);
      const std::vector<std::string> errors = relais::check_sync_config(config);
      for (const std::string& e : errors) std::fprintf(stderr, "relais-sync: %s\n", e.c_str());
      if (!errors.empty()) return 2;
      std::printf("relais-sync: configuration OK\n");
      return 0;
    }
    switch (config.command) {
      case relais::SyncConfig::Command::publish: return run_publish(config);
      case relais::SyncConfig::Command::pull: return run_pull(config);
      case relais::SyncConfig::Command::verify: return run_verify(config);
      case relais::SyncConfig::Command::keygen: return run_keygen(config);
    }
  } catch (const std::exception& e) {
    // Out of memory or a library throwing: still one line and a runtime failure.
    std::fprintf(stderr, "relais-sync: internal error: %s\n", e.what());
  }
  return 1;
}
