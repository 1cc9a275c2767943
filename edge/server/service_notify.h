// The systemd notification protocol (sd_notify(3)) without libsystemd: one
// datagram to $NOTIFY_SOCKET. Does nothing when the variable is unset (not
// run by systemd, or not Type=notify). The unit (packaging/relais-edge.service)
// uses Type=notify with NotifyAccess=all, so that the process started by a
// binary upgrade can say "MAINPID=<its pid>" and systemd follows it instead
// of treating the old process's exit as the service's end.
#pragma once

#include <string_view>

namespace relais {

void notify_service_manager(std::string_view state);

}  // namespace relais
