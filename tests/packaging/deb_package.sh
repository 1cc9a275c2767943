#!/usr/bin/env bash
# cpack -G DEB builds the package; its contents are the expected layout, its
# maintainer scripts parse, and the binary it ships accepts the config it
# ships (--check-config, run from the extracted tree with the state paths
# moved into it: nothing is installed on this system).
# Usage: deb_package.sh BUILD_DIR
set -euo pipefail
build=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$dir/out" >"$dir/cpack.log" 2>&1 || { cat "$dir/cpack.log"; exit 1; }
deb=$(ls "$dir"/out/relais_*.deb)
dpkg-deb -c "$deb" | awk '{print $6}' | sort > "$dir/contents"
for path in ./usr/bin/relais-edge ./usr/bin/relais-sync ./etc/relais/relais-edge.conf ./etc/logrotate.d/relais-edge \
            ./usr/lib/systemd/system/relais-edge.service ./var/lib/relais/store/ ./var/log/relais/; do
  grep -qx -- "$path" "$dir/contents" || { echo "missing from the package: $path"; cat "$dir/contents"; exit 1; }
done
mkdir "$dir/control"
dpkg-deb -e "$deb" "$dir/control"
for script in postinst prerm postrm; do sh -n "$dir/control/$script"; done
grep -q 'useradd --system' "$dir/control/postinst" || { echo "postinst does not create the relais user"; exit 1; }
grep -qx /etc/relais/relais-edge.conf "$dir/control/conffiles" || { echo "the config is not a conffile"; exit 1; }
dpkg-deb -f "$deb" Depends | grep -q libevent || { echo "Depends lacks the shared libraries"; exit 1; }
root=$dir/root
dpkg-deb -x "$deb" "$root"
"$root/usr/bin/relais-edge" --config "$root/etc/relais/relais-edge.conf" --check-config \
  --store "$root/var/lib/relais/store" --access-log "$root/var/log/relais/access.log" > "$dir/check.out"
grep -q 'configuration OK' "$dir/check.out"
echo "package $(basename "$deb") verified"
