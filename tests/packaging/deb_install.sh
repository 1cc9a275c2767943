#!/usr/bin/env bash
# The package installs with dpkg -i on this system, creates the relais user,
# and the installed binary, run as that user, accepts the installed config
# (--check-config); then it is purged again. It changes the system, so it
# runs only where that is wanted: on CI's fresh machine (CI=true) or with
# RELAIS_TEST_DPKG_INSTALL=1, as root, with no relais package installed
# before (otherwise it skips: exit 77).
# Usage: deb_install.sh BUILD_DIR
set -euo pipefail
build=$1
if [ "${CI:-}" != true ] && [ "${RELAIS_TEST_DPKG_INSTALL:-0}" != 1 ]; then
  echo "skipped: installs a package (set RELAIS_TEST_DPKG_INSTALL=1, or CI=true)"; exit 77
fi
[ "$(id -u)" = 0 ] || { echo "skipped: dpkg -i needs root"; exit 77; }
if dpkg-query -W -f='${Status}' relais 2>/dev/null | grep -q 'install ok installed'; then
  echo "skipped: a relais package is already installed"; exit 77
fi
dir=$(mktemp -d)
installed=0
cleanup() {
  [ "$installed" = 0 ] || dpkg --purge relais >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$dir/out" >"$dir/cpack.log" 2>&1 || { cat "$dir/cpack.log"; exit 1; }
deb=$(ls "$dir"/out/relais_*.deb)
installed=1
dpkg -i "$deb" >"$dir/dpkg.log" 2>&1 || { cat "$dir/dpkg.log"; exit 1; }
getent passwd relais | grep -q ':/usr/sbin/nologin$' || { echo "no relais system user after install"; exit 1; }
[ "$(stat -c %U /var/lib/relais/store)" = relais ] || { echo "/var/lib/relais/store is not the relais user's"; exit 1; }
out=$(runuser -u relais -- /usr/bin/relais-edge --check-config --config /etc/relais/relais-edge.conf 2>&1) \
  || { echo "the installed binary refused the installed config:"; echo "$out"; exit 1; }
grep -q 'configuration OK' <<<"$out" || { echo "$out"; exit 1; }
/usr/bin/relais-sync --help >/dev/null
dpkg --purge relais >"$dir/purge.log" 2>&1 || { cat "$dir/purge.log"; exit 1; }
installed=0
[ ! -e /usr/bin/relais-edge ] || { echo "/usr/bin/relais-edge left after purge"; exit 1; }
echo "package $(basename "$deb") installed, checked its config as the relais user, purged"
