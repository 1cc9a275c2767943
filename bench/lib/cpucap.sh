# shellcheck shell=bash
# bench/lib/cpucap.sh: cap a server at a share of one core with a cgroup CPU quota.
#
# Why: with wrk -t1 on the other core, a server faster than wrk's ceiling (about 105k 10 KiB
# requests/s here) is measured at wrk's pace, and its req/s no longer shows how much more it
# can serve. Capped at the same share of a core, each server is the bottleneck again and req/s
# compares the servers, with wrk's own CPU (reported per run) well below a core.
#
#   cpucap_available             0 when a cgroup CPU controller is writable (v1 cpu, or v2 with cpu)
#   cpucap_apply PERCENT PID...  puts the processes in the bench's cap group, quota PERCENT % of
#                                one core over a 10 ms period (short: the server is throttled
#                                in small slices, not for 50 ms at a time)
#   cpucap_release PID...        back to the root group; removes nothing else
# Needs root. The group is /sys/fs/cgroup/{cpu/,}relais-bench-cap; removed at bench exit by
# cpucap_cleanup (bench_init's traps do not know it: bench/run calls it).

[ -n "${_BENCH_CPUCAP_SH:-}" ] && return 0
_BENCH_CPUCAP_SH=1

_cpucap_root() {
  if [ -w /sys/fs/cgroup/cpu/cgroup.procs ] && [ -e /sys/fs/cgroup/cpu/cpu.cfs_quota_us ]; then
    echo /sys/fs/cgroup/cpu
  elif [ -r /sys/fs/cgroup/cgroup.controllers ] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers \
       && [ -w /sys/fs/cgroup/cgroup.subtree_control ]; then
    echo /sys/fs/cgroup
  else
    return 1
  fi
}

cpucap_available() {
  local root
  root=$(_cpucap_root) || return 1
  mkdir -p "$root/relais-bench-cap" 2>/dev/null || return 1
  [ -w "$root/relais-bench-cap/cgroup.procs" ]
}

cpucap_apply() {  # PERCENT PID...
  local percent=$1 root group pid period=10000
  shift
  root=$(_cpucap_root) || return 1
  group=$root/relais-bench-cap
  mkdir -p "$group" || return 1
  if [ -e "$group/cpu.cfs_quota_us" ]; then
    echo "$period" >"$group/cpu.cfs_period_us" && echo $((period * percent / 100)) >"$group/cpu.cfs_quota_us" || return 1
  else
    grep -qw cpu "$root/cgroup.subtree_control" || echo +cpu >"$root/cgroup.subtree_control" || return 1
    echo "$((period * percent / 100)) $period" >"$group/cpu.max" || return 1
  fi
  for pid in "$@"; do echo "$pid" >"$group/cgroup.procs" || return 1; done
}

cpucap_release() {  # PID...
  local root pid
  root=$(_cpucap_root) || return 1
  for pid in "$@"; do [ -d "/proc/$pid" ] && echo "$pid" >"$root/cgroup.procs"; done
  return 0
}

cpucap_cleanup() {
  local root
  root=$(_cpucap_root) || return 0
  [ -d "$root/relais-bench-cap" ] && rmdir "$root/relais-bench-cap" 2>/dev/null
  return 0
}
