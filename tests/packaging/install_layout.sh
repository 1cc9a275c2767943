#!/usr/bin/env bash
# cmake --install into a DESTDIR lays out /usr/bin, /etc/relais,
# /var/lib/relais; the installed binary accepts the installed config
# (state paths moved into the DESTDIR), which logs where logrotate rotates.
# Usage: install_layout.sh BUILD_DIR
set -euo pipefail
build=$1
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$build" --prefix /usr >/dev/null
for path in usr/bin/relais-edge usr/bin/relais-sync etc/relais/relais-edge.conf etc/logrotate.d/relais-edge \
            usr/lib/systemd/system/relais-edge.service; do
  [ -f "$dest/$path" ] || { echo "not installed: /$path"; exit 1; }
done
for path in var/lib/relais/store var/log/relais; do
  [ -d "$dest/$path" ] || { echo "not installed: /$path/"; exit 1; }
done
grep -qx 'access-log = /var/log/relais/access.log' "$dest/etc/relais/relais-edge.conf"
grep -q '^/var/log/relais/\*.log' "$dest/etc/logrotate.d/relais-edge"
"$dest/usr/bin/relais-edge" --config "$dest/etc/relais/relais-edge.conf" --check-config \
  --store "$dest/var/lib/relais/store" --access-log "$dest/var/log/relais/access.log"
