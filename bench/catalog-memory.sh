#!/usr/bin/env bash
# Memory and load time of a large catalog (issue 21 item 6).
#
#   python3 bench/big-manifest.py /tmp/relais-big            # 1 M entries (or --short)
#   bash bench/catalog-memory.sh /tmp/relais-big [BIN_DIR]    # BIN_DIR: build/bin
#
# Starts relais-edge on the store (no origin, so no sync), waits for its
# "catalog generation" line, reads VmHWM (peak) and VmRSS (steady) from
# /proc/PID/status, sends SIGHUP with a changed manifest generation to
# measure a swap (old and new catalog both alive), then runs
# `relais-sync verify` on the store under /usr/bin/time for its peak RSS (the
# blobs are mostly missing: verify reports them, its peak is the manifest's).
set -euo pipefail
store=$1
bin=${2:-build/bin}
port=${RELAIS_PORT:-18480}
admin=${RELAIS_ADMIN_PORT:-19490}
log=$(mktemp /tmp/relais-catalog-memory.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

status() { awk -v k="$1:" '$1 == k { print $2 / 1024 " MiB" }' "/proc/$pid/status"; }
wait_for_lines() {  # N: wait until the log has N "catalog generation" lines
  for _ in $(seq 1 600); do
    [ "$(grep -c 'catalog generation' "$log" || true)" -ge "$1" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
  echo "timed out" >&2; exit 1
}

echo "manifest: $(stat -c %s "$store/manifest") bytes"
start=$(date +%s.%N)
"$bin/relais-edge" --store "$store" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --workers 1 \
  --memory-cache 16M --access-log off >"$log" 2>&1 &
pid=$!
wait_for_lines 1
loaded=$(date +%s.%N)
echo "edge: catalog loaded in $(echo "$loaded - $start" | bc) s (process start included)"
echo "edge: after load  VmHWM $(status VmHWM)  VmRSS $(status VmRSS)"
curl -s -o /dev/null -w "edge: first request %{http_code} in %{time_total} s\n" "http://127.0.0.1:$port/$(sed -n 4p "$store/manifest" | cut -f2)"

# A swap: same entries, next generation (the end line's checksum covers it).
cp "$store/manifest" "$store/manifest.orig"
gen=$(sed -n 2p "$store/manifest" | cut -f2)
python3 "$(dirname "$0")/lib/set-manifest-generation.py" "$store/manifest" "$((gen + 1))"
swap_start=$(date +%s.%N)
kill -HUP "$pid"
wait_for_lines 2
echo "edge: reload (SIGHUP) took $(echo "$(date +%s.%N) - $swap_start" | bc) s"
echo "edge: after swap  VmHWM $(status VmHWM)  VmRSS $(status VmRSS)"
mv "$store/manifest.orig" "$store/manifest"
kill "$pid"; wait "$pid" 2>/dev/null || true

/usr/bin/time -f "verify: peak RSS %M KiB, %e s" "$bin/relais-sync" verify --store "$store" >/dev/null 2>"$log" || true
grep '^verify:' "$log"
