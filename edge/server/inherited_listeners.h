// Listening sockets handed from a running relais-edge to the binary that
// replaces it (SIGUSR2, binary_upgrade.h), nginx-style: the new process
// inherits the very sockets, so their accept queues, and the connections
// waiting in them, survive the change of process. A fresh SO_REUSEPORT
// socket would not do: the kernel drops the connections queued on the old
// process's sockets when it closes them.
//
// Passed in the environment as RELAIS_LISTEN_FDS="FD KIND CONFIGURED;...",
// KIND one of http, https, admin, CONFIGURED the address as written in the
// configuration (so "127.0.0.1:0" finds the port the old process got).
#pragma once

#include <string>
#include <vector>

#include "origin-sync/unique_fd.h"

namespace relais {

inline constexpr const char* kListenFdsVariable = "RELAIS_LISTEN_FDS";

struct ListenerRecord {
  int fd = -1;
  std::string kind;        // "http", "https", "admin"
  std::string configured;  // as in --listen, --tls-listen, --admin-listen
};

std::string format_listener_records(const std::vector<ListenerRecord>& records);
// Entries that are not "FD KIND ADDRESS", or whose fd is not an open
// listening socket, are skipped: a stale or forged variable opens nothing.
std::vector<ListenerRecord> parse_listener_records(const std::string& text);

// The sockets this process inherited; taken out one address at a time, the
// rest closed when it goes.
class InheritedListeners {
 public:
  // Reads and clears RELAIS_LISTEN_FDS.
  static InheritedListeners from_environment();
  // Every inherited socket of that kind and configured address (in order).
  std::vector<UniqueFd> take(const std::string& kind, const std::string& configured);
  bool empty() const { return records_.empty(); }

 private:
  std::vector<ListenerRecord> records_;
  std::vector<UniqueFd> owned_;  // parallel to records_
};

}  // namespace relais
