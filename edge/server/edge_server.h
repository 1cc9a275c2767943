// EdgeServer: relais-edge assembled: listeners, workers, admin, access log,
// catalog, and the signal loop that runs them.
//
// Start-up errors an operator can fix (an address in use, an unreadable log
// file) come back from create() as config errors (exit 2); a missing or bad
// manifest does not stop the edge: it answers 503 and /healthz says so until
// a catalog loads (SIGHUP or the next sync).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/edge_config.h"
#include "origin-sync/result.h"

namespace relais {

class EdgeServer {
 public:
  // arguments: the command line (argv), parsed again on SIGHUP and passed
  // to the new binary on SIGUSR2.
  static Result<std::unique_ptr<EdgeServer>> create(const EdgeConfig& config, std::vector<std::string> arguments);
  // --check-config: what create() would refuse, and what would fail later
  // (a store that cannot be created, an unwritable log), without binding or
  // starting anything. Every error found, each naming its option.
  static std::vector<Error> check(const EdgeConfig& config);
  ~EdgeServer();

  // Blocks until SIGTERM or SIGINT, then drains (--drain-timeout). SIGHUP
  // reloads the configuration (live options, live_settings.h), the catalog
  // and the certificates, and reopens the access log; SIGUSR1 reopens the
  // access log; SIGUSR2 starts a binary upgrade (binary_upgrade.h). Returns
  // the exit status.
  int run();

  // The sites by index (SiteIndex, ResponseSummary::site): the values of
  // the metrics' `site` label, "default" for the edge without [site.*].
  std::vector<std::string> site_names() const;

  struct Parts;

 private:
  explicit EdgeServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// Blocks the signals run() waits for; call before any thread starts.
void block_server_signals();

}  // namespace relais
