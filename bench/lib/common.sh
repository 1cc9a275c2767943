# shellcheck shell=bash
# bench/lib/common.sh: logging, the work directory, tracked child processes and
# their cleanup, free loopback ports, bounded waits, machine facts.
# Sourced by bench/run, bench/lib/*.sh and bench/attacks/*; needs bash 4.
#
# Stable functions (callers rely on these names and arguments):
#   bench_log MSG...              one line on stderr: "[bench HH:MM:SS] MSG"
#   bench_die MSG...              bench_log, then exit 1
#   bench_init [TAG]              repo root as BENCH_REPO (cwd set to it), work dir
#                                 BENCH_WORK=/tmp/relais-bench-TAG.XXXX (mode 755, removed
#                                 at exit), EXIT/INT/TERM traps that stop every tracked pid,
#                                 raises ulimit -n (BENCH_NOFILE holds the result)
#   bench_track PID               stop PID (TERM, then KILL after 5 s) at exit
#   bench_stop_pid PID [SECS]     TERM, wait up to SECS (5), then KILL; reaps it
#   bench_free_port               prints a free TCP port on 127.0.0.1
#   bench_wait_http URL [SECS]    polls URL with curl (-k) until a 2xx/3xx/4xx answer,
#                                 at most SECS (10); returns 1 on timeout
#   bench_wait_line FILE REGEX [SECS] [PID]
#                                 waits until FILE has a line matching REGEX (printed),
#                                 at most SECS (30); gives up early when PID dies
#   bench_machine_facts           markdown bullet lines: CPU, nproc, kernel, tool versions
#   bench_require_cores N         exits 1 unless nproc >= N
#
# Variables: BENCH_REPO, BENCH_WORK, BENCH_NOFILE, BENCH_SERVER_CPU (0),
# BENCH_CLIENT_CPU (1): the core servers are pinned to, the core load generators use.

[ -n "${_BENCH_COMMON_SH:-}" ] && return 0
_BENCH_COMMON_SH=1

BENCH_SERVER_CPU=${BENCH_SERVER_CPU:-0}
BENCH_CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
_bench_pids=()

bench_log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
bench_die() { bench_log "$@"; exit 1; }

bench_require_cores() {
  if [ "$(nproc)" -lt "$1" ]; then
    bench_die "needs $1 cores (servers on core $BENCH_SERVER_CPU, load generator on core $BENCH_CLIENT_CPU)"
  fi
}

bench_track() { _bench_pids+=("$1"); }

bench_stop_pid() {
  local pid=$1 secs=${2:-5} i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < secs * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

_bench_cleanup() {
  local p
  for p in "${_bench_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${_bench_pids[@]}"; do bench_stop_pid "$p" 5; done
  if [ -n "${BENCH_WORK:-}" ] && [ -z "${BENCH_KEEP_WORK:-}" ]; then rm -rf "$BENCH_WORK"; fi
}

bench_init() {
  local tag=${1:-run}
  BENCH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  cd "$BENCH_REPO" || exit 1
  # Work dir in /tmp, world-readable: nginx workers and the varnish child drop privileges.
  BENCH_WORK=$(mktemp -d "/tmp/relais-bench-$tag.XXXXXX")
  chmod 755 "$BENCH_WORK"
  trap _bench_cleanup EXIT
  trap 'exit 130' INT TERM
  # Idle connections and 1 000-connection runs need one descriptor each.
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  BENCH_NOFILE=$(ulimit -n)
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_wait_http() {
  local url=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    local code
    code=$(curl -ks -o /dev/null --max-time 2 -w '%{http_code}' "$url" 2>/dev/null || true)
    case $code in [234]??) return 0 ;; esac
    sleep 0.1
  done
  return 1
}

bench_wait_line() {
  local file=$1 re=$2 secs=${3:-30} pid=${4:-} i line
  for ((i = 0; i < secs * 10; i++)); do
    line=$(grep -m1 -E "$re" "$file" 2>/dev/null || true)
    if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

bench_machine_facts() {
  echo "- host: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), nproc $(nproc)," \
       "$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
  echo "- versions: $(nginx -v 2>&1 | sed 's/^nginx version: //');" \
       "$(varnishd -V 2>&1 | head -1 | sed 's/ revision.*//;s/(//');" \
       "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); $(openssl version | awk '{print $1, $2}');" \
       "relais $(git -C "$BENCH_REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$BENCH_REPO" diff --quiet HEAD -- edge origin-sync config 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "- kTLS: kernel tls module $(if [ -d /sys/module/tls ]; then echo loaded; else echo 'not available (modprobe tls fails or was not run)'; fi)"
}
