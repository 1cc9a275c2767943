# shellcheck shell=bash
# bench/lib/sample.sh: CPU time and resident memory of a server instance
# (bench/lib/servers.sh), read from /proc, to turn a run into CPU-seconds and RSS.
#
# Stable functions:
#   sample_cpu_ticks NAME    prints utime+stime (clock ticks) summed over server_pids NAME
#                            (/proc/PID/stat fields 14 and 15; a process's figure covers all its threads)
#   sample_rss_kib NAME      prints VmRSS (KiB) summed over server_pids NAME
#   sample_begin NAME        remembers the CPU ticks of NAME now
#   sample_end NAME          sets SAMPLE_CPU_S (CPU-seconds since sample_begin NAME, 3 decimals)
#                            and SAMPLE_RSS_KIB (VmRSS now)
# A process that appears or exits between begin and end (a varnish child restarting)
# makes that sample approximate; bench/run reports it as is.

[ -n "${_BENCH_SAMPLE_SH:-}" ] && return 0
_BENCH_SAMPLE_SH=1
# shellcheck source=servers.sh
source "$(dirname "${BASH_SOURCE[0]}")/servers.sh"

_SAMPLE_CLK_TCK=$(getconf CLK_TCK)
declare -gA _SAMPLE_T0=()

sample_cpu_ticks() {
  local pid total=0 t
  for pid in $(server_pids "$1"); do
    # The command name (field 2) may hold spaces: count fields after the last ')'.
    t=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')
    total=$((total + ${t:-0}))
  done
  echo "$total"
}

sample_rss_kib() {
  local pid total=0 r
  for pid in $(server_pids "$1"); do
    r=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
    total=$((total + ${r:-0}))
  done
  echo "$total"
}

sample_begin() { _SAMPLE_T0[$1]=$(sample_cpu_ticks "$1"); }

sample_end() {
  local t1; t1=$(sample_cpu_ticks "$1")
  SAMPLE_CPU_S=$(awk -v a="${_SAMPLE_T0[$1]:-0}" -v b="$t1" -v hz="$_SAMPLE_CLK_TCK" 'BEGIN {printf "%.3f", (b - a) / hz}')
  SAMPLE_RSS_KIB=$(sample_rss_kib "$1")
}
