#!/usr/bin/env bash
# Kept for habit: the core scenarios of bench/run (relais-edge vs nginx: 10 KiB, 1 MiB,
# random 1 MiB ranges of a 64 MiB file, 10 000 idle connections). See bench/run --help.
#   bash bench/run-core.sh [--quick] [--nginx-only]
set -euo pipefail
servers=relais,nginx
args=()
for arg in "$@"; do
  case $arg in
    --nginx-only) servers=nginx ;;
    *) args+=("$arg") ;;
  esac
done
exec bash "$(dirname "${BASH_SOURCE[0]}")/run" --servers "$servers" --scenarios k10_64,m1,range,idle "${args[@]}"
