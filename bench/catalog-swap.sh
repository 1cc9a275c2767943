#!/usr/bin/env bash
# What a catalog swap of a large manifest costs the requests in flight (issue 21 item 6).
#
#   python3 bench/big-manifest.py /tmp/relais-big        # 1 M entries
#   bash bench/catalog-swap.sh /tmp/relais-big [BIN_DIR] # BIN_DIR: build/bin
#
# relais-edge (--workers 1, pinned with its loader thread to core 0, as a one-core edge would be)
# serves one of the store's real blobs to wrk (core 1, 64 connections, 12 s) twice: once with no
# reload, once with a SIGHUP every 4 s, each to a manifest with other bytes (the generation flipped,
# the end line's checksum recomputed), so every SIGHUP loads and swaps a whole 1 M-entry catalog.
# Prints wrk's req/s and latency percentiles for both runs and how many reloads completed. Bounded:
# each wrk run is 12 s, each wait for the edge 60 s.
set -euo pipefail
store=$1
bin=${2:-build/bin}
port=${RELAIS_PORT:-18481}
admin=${RELAIS_ADMIN_PORT:-19491}
log=$(mktemp /tmp/relais-catalog-swap.XXXXXX)
cp "$store/manifest" "$store/manifest.orig"
trap 'kill "$pid" 2>/dev/null || true; mv "$store/manifest.orig" "$store/manifest"; rm -f "$log"' EXIT

loads() { grep -c 'catalog generation' "$log" || true; }
wait_loads() {
  for _ in $(seq 1 600); do
    [ "$(loads)" -ge "$1" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.1
  done
  return 1
}
flip_generation() {  # rewrites STORE/manifest with generation N and a valid end line
  python3 "$(dirname "$0")/lib/set-manifest-generation.py" "$store/manifest" "$1"
}

taskset -c 0 "$bin/relais-edge" --store "$store" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" \
  --workers 1 --memory-cache 16M --access-log off --address-rate 0 --address-connections 0 --rehash-rate 0 >"$log" 2>&1 &
pid=$!
wait_loads 1 || { echo "the catalog did not load within 60 s" >&2; exit 1; }
path=$(sed -n 4p "$store/manifest" | cut -f2)
url="http://127.0.0.1:$port/$path"
curl -s -o /dev/null -w "edge: $path -> %{http_code}\n" "$url"

summary() { awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Latency/ && !lat {lat=1; max=$4}
                 END {printf "req/s %s, latency p50 %s p99 %s max %s\n", rps, p50, p99, max}'; }
echo "no reload:    $(taskset -c 1 timeout 30 wrk -t1 -c64 -d12s --latency "$url" | summary)"
before=$(loads)
(
  for g in 2 3 4; do
    sleep 3.5
    flip_generation "$((1000 + g))"
    kill -HUP "$pid"
  done
) &
swapper=$!
echo "3 reloads:    $(taskset -c 1 timeout 30 wrk -t1 -c64 -d12s --latency "$url" | summary)"
wait "$swapper"
wait_loads $((before + 3)) || true  # SIGHUPs during a load may be served by one reload
echo "reloads completed: $(( $(loads) - before )); VmHWM $(awk '$1 == "VmHWM:" {print $2 / 1024 " MiB"}' /proc/$pid/status)"
