#!/usr/bin/env bash
# systemd-analyze verify on packaging/relais-edge.service: no error and no
# warning (an unknown value is only a warning, with exit 0). The unit names
# /usr/bin/relais-edge, which verify requires to exist: a copy points at the
# built binary. Prints the `systemd-analyze security` exposure score.
# Usage: verify_unit.sh UNIT EDGE_BINARY. Exit 77 (ctest SKIP) only without systemd-analyze.
set -euo pipefail
unit=$1 edge=$2
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed (package systemd)"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|/usr/bin/relais-edge|$edge|g" "$unit" > "$dir/relais-edge.service"
out=$(systemd-analyze verify --man=no "$dir/relais-edge.service" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then echo "systemd-analyze verify warned:"; echo "$out"; exit 1; fi
grep -q '^ExecReload=/bin/kill -HUP \$MAINPID$' "$unit" || { echo "no ExecReload sending SIGHUP"; exit 1; }
for key in User=relais ProtectSystem=strict NoNewPrivileges=yes 'ReadWritePaths=/var/lib/relais' LimitNOFILE= \
           AmbientCapabilities=CAP_NET_BIND_SERVICE KillSignal=SIGTERM TimeoutStopSec=; do
  grep -q "^$key" "$unit" || { echo "the unit lacks $key"; exit 1; }
done
systemd-analyze security --offline=yes "$dir/relais-edge.service" 2>/dev/null | tail -1 || true
echo "unit verified"
