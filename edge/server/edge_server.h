// EdgeServer: relais-edge assembled: listeners, workers, admin, access log,
// catalog, and the signal loop that runs them.
//
// Start-up errors an operator can fix (an address in use, an unreadable log
// file) come back from create() as config errors (exit 2); a missing or bad
// manifest does not stop the edge: it answers 503 and /healthz says so until
// a catalog loads (SIGHUP or the next sync).
#pragma once

#include <memory>

#include "config/edge_config.h"
#include "origin-sync/result.h"

namespace relais {

class EdgeServer {
 public:
  static Result<std::unique_ptr<EdgeServer>> create(const EdgeConfig& config);
  // --check-config: what create() would refuse without binding or starting
  // anything: addresses, network limits, certificates and keys.
  static Status check(const EdgeConfig& config);
  ~EdgeServer();

  // Blocks until SIGTERM or SIGINT; SIGHUP reloads the catalog from the
  // store, SIGUSR1 reopens the access log. Returns the exit status.
  int run();

  struct Parts;

 private:
  explicit EdgeServer(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

// Blocks the signals run() waits for; call before any thread starts.
void block_server_signals();

}  // namespace relais
