#!/usr/bin/env bash
# The whole test suite, as CI runs it: AddressSanitizer + UBSan Debug build in
# build-asan/ (warnings are errors), every ctest test, then a short libFuzzer
# run of each fuzz target (tests/fuzz/run.sh). Exits non-zero on any failure.
#
#   bash scripts/test.sh            # from the repo root, Debian 12, as root the first time
#
# Environment: RELAIS_JOBS (nproc), RELAIS_ASAN_BUILD_DIR (build-asan),
# RELAIS_SKIP_FUZZ=1 (skip the fuzz step), RELAIS_FUZZ_SECONDS (per target, default 10),
# RELAIS_FUZZ_BUILD_DIR (build-fuzz, read by tests/fuzz/run.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${RELAIS_JOBS:-$(nproc)}
build=${RELAIS_ASAN_BUILD_DIR:-build-asan}
have_fuzz=0
if [ -f tests/fuzz/run.sh ] && [ "${RELAIS_SKIP_FUZZ:-0}" != 1 ]; then
  have_fuzz=1
fi

step() { printf '\n== %s\n' "$*"; }

step "dependencies (scripts/install-deps.sh)"
RELAIS_FUZZ=$have_fuzz bash scripts/install-deps.sh

step "build ($build: Debug, ASan + UBSan, -Werror)"
cmake -S . -B "$build" -DRELAIS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug --log-level=WARNING
cmake --build "$build" -j"$jobs"

step "sample course (sample-course/generated)"
# Integration tests serve it; they find it through RELAIS_SAMPLE_COURSE.
python3 scripts/make-sample-course.py sample-course/generated
export RELAIS_SAMPLE_COURSE=$PWD/sample-course/generated

step "ctest"
export ASAN_OPTIONS=${ASAN_OPTIONS:-strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j2

if [ "$have_fuzz" = 1 ]; then
  # tests/fuzz/run.sh builds the targets with clang in build-fuzz/ and runs each
  # for a few seconds; new inputs go to build-fuzz/corpus, the seeds are only read.
  per=${RELAIS_FUZZ_SECONDS:-10}
  step "fuzz (tests/fuzz/run.sh, ${per}s per target)"
  RELAIS_FUZZ_JOBS=$jobs bash tests/fuzz/run.sh "$per"
fi

step "all tests passed"
