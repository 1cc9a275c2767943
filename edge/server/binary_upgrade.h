// Binary upgrade without dropping a connection (SIGUSR2), as nginx does it:
//
//   old: SIGUSR2 -> fork + exec the binary now at its own path, same
//        arguments, listening sockets inherited (RELAIS_LISTEN_FDS,
//        inherited_listeners.h) and RELAIS_UPGRADE_FROM=<old pid>
//   new: reads the configuration afresh, adopts the sockets, loads the
//        catalog, prints "ready", then tells its parent to stop (SIGTERM)
//        and systemd that it is the main process now (MAINPID)
//   old: drains like any SIGTERM: stops accepting, finishes responses in
//        flight, exits 0. Both accept on the same sockets meanwhile.
//
// A new binary that fails (bad configuration, crash before ready) exits;
// the old one reaps it, says so on stderr and keeps serving.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "edge/server/inherited_listeners.h"
#include "origin-sync/result.h"

namespace relais {

inline constexpr const char* kUpgradeFromVariable = "RELAIS_UPGRADE_FROM";

// The path this process was started from, to exec its replacement: after a
// package upgrade (a rename over the old file) /proc/self/exe reads
// "PATH (deleted)"; the new file is at PATH.
std::string current_executable();

// Starts the new binary; returns its pid.
Result<pid_t> start_upgraded_binary(const std::string& executable, const std::vector<std::string>& arguments,
                                    const std::vector<ListenerRecord>& listeners);

// In the new process, once it serves: the pid of the process it replaces
// (its parent, named by RELAIS_UPGRADE_FROM), or 0 when not started by an
// upgrade. Clears the variable.
pid_t upgrade_parent();

}  // namespace relais
