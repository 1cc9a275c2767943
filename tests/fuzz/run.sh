#!/usr/bin/env bash
# Builds the libFuzzer targets in their own clang build directory and runs
# each for SECONDS_PER_TARGET seconds (default 10). Fails if any target
# crashes, leaks, times out or breaks an invariant; the input that did it is
# kept in build-fuzz/artifacts/. New coverage goes to build-fuzz/corpus/, the
# checked-in seeds in tests/fuzz/corpus/ are only read.
#
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
# Env:   RELAIS_FUZZ_BUILD_DIR (default ROOT/build-fuzz), RELAIS_FUZZ_JOBS (default 1)
set -euo pipefail

seconds="${1:-10}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${RELAIS_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${RELAIS_FUZZ_JOBS:-1}"
all_targets=(fuzz_request_parser fuzz_chunked_decoder fuzz_target_normalizer fuzz_accept_encoding
             fuzz_range_set fuzz_http_date fuzz_manifest fuzz_cache_directives fuzz_log_line)
if [ "$#" -gt 0 ]; then targets=("$@"); else targets=("${all_targets[@]}"); fi

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DRELAIS_FUZZ=ON -DRELAIS_SANITIZE=OFF \
  -DRELAIS_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$jobs" --target "${targets[@]}"

failed=()
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  seeds="$root/tests/fuzz/corpus/$t"
  mkdir -p "$corpus" "$build/artifacts"
  dict=()
  if [ -f "$root/tests/fuzz/dict/$t.dict" ]; then dict=(-dict="$root/tests/fuzz/dict/$t.dict"); fi
  echo "== $t: ${seconds}s"
  if ! "$build/bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
       -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "${dict[@]}" \
       "$corpus" "$seeds" >"$build/$t.log" 2>&1; then
    failed+=("$t")
    echo "!! $t failed; log: $build/$t.log"
    grep -m5 -E "invariant failed|ERROR: |runtime error|Test unit written" "$build/$t.log" || true
  else
    grep -E "stat::number_of_executed_units|cov:" "$build/$t.log" | tail -2 || true
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzzing passed: ${targets[*]}"
