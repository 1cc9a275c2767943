# shellcheck shell=bash
# bench/lib/wrk.sh: one wrk run on the load-generator core, parsed.
# Needs bench/lib/common.sh (sourced here).
#
# Stable functions:
#   wrk_run URL SECONDS CONNS [wrk args...]
#       taskset -c BENCH_CLIENT_CPU wrk -t1 -cCONNS -dSECONDS --timeout 10s --latency ARGS URL,
#       bounded by timeout(1) at SECONDS + 30 s. Sets:
#         WRK_RPS        requests/s (wrk's Requests/sec)
#         WRK_REQUESTS   requests completed
#         WRK_BYTES_S    transfer per second as wrk prints it (e.g. 1.2GB)
#         WRK_P50 WRK_P99 latency percentiles as wrk prints them
#         WRK_ERRORS     "" or e.g. "non-2xx=12 Socket errors: connect 0, read 3, ..."
#         WRK_CPU_S      CPU seconds wrk itself used (user + system): near SECONDS means the
#                        load generator's core, not the server, set the pace
#         WRK_OUT        wrk's whole output
#       Returns 1 when wrk failed or printed no Requests/sec.
# wrk -t1: one thread is what one core gives; the Lua scripts in bench/ are passed with -s.

[ -n "${_BENCH_WRK_SH:-}" ] && return 0
_BENCH_WRK_SH=1
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

wrk_run() {
  local url=$1 secs=$2 conns=$3; shift 3
  WRK_RPS=""; WRK_REQUESTS=""; WRK_BYTES_S=""; WRK_P50=""; WRK_P99=""; WRK_ERRORS=""; WRK_CPU_S=""
  # bash's `times` after wrk: its second line is the CPU its children (wrk) used.
  WRK_OUT=$(timeout -k 5 $((secs + 30)) taskset -c "$BENCH_CLIENT_CPU" \
            bash -c 'wrk "$@"; rc=$?; times; exit $rc' wrk \
            -t1 -c"$conns" -d"${secs}s" --timeout 10s --latency "$@" "$url" 2>&1) || {
    WRK_ERRORS="wrk failed: $(tail -2 <<<"$WRK_OUT" | tr '\n' ' ')"
    return 1
  }
  WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' <<<"$WRK_OUT")
  WRK_REQUESTS=$(awk '/requests in/ {print $1}' <<<"$WRK_OUT")
  WRK_BYTES_S=$(awk '/^Transfer\/sec:/ {print $2}' <<<"$WRK_OUT")
  WRK_P50=$(awk '$1 == "50%" {print $2}' <<<"$WRK_OUT")
  WRK_P99=$(awk '$1 == "99%" {print $2}' <<<"$WRK_OUT")
  WRK_CPU_S=$(tail -1 <<<"$WRK_OUT" | awk '
    function secs(t) { split(t, p, "m"); sub("s", "", p[2]); return p[1] * 60 + p[2] }
    NF == 2 && $1 ~ /^[0-9]+m[0-9.]+s$/ {printf "%.2f", secs($1) + secs($2)}')
  local bad sock
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$WRK_OUT")
  sock=$(grep -o 'Socket errors:.*' <<<"$WRK_OUT" || true)
  WRK_ERRORS="${bad:+non-2xx=$bad }$sock"
  [ -n "$WRK_RPS" ]
}
