#!/usr/bin/env bash
# Cache-policy simulation: builds relais-sim (Release), replays the default
# traces (3 mixed Zipf traces + "Monday morning", 2 M requests each) and any
# trace given on the command line, writes the report and one plot per trace:
#   bench/results/sim-DATE.md             markdown tables (also printed)
#   bench/results/sim-DATE/TRACE.dat      data for the plots
#   bench/results/sim-DATE-TRACE.png      miss ratio vs cache size, per policy
#
#   bash bench/sim/run.sh [relais-sim options...]
#   bash bench/sim/run.sh --access-log /var/log/relais/access.log
#   bash bench/sim/run.sh --no-synthetic --txt trace.csv:2:3 --sizes 0.5,1,2,5
#
# Deterministic (fixed seeds); the default run takes well under a minute on
# 2 cores once built. Environment: RELAIS_SIM_BUILD_DIR (build-sim),
# RELAIS_JOBS (1). Needs gnuplot (gnuplot-nox) for the plots; without it the
# tables are still written.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

build=${RELAIS_SIM_BUILD_DIR:-build-sim}
jobs=${RELAIS_JOBS:-1}
day=$(date +%F)
results=bench/results
data=$results/sim-$day
mkdir -p "$data"

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release --log-level=WARNING >/dev/null
cmake --build "$build" -j"$jobs" --target relais-sim >/dev/null

rm -f "$data"/*.dat
"$build/bin/relais-sim" --title "$day" --markdown "$results/sim-$day.md" --dat-dir "$data" "$@"

if ! command -v gnuplot >/dev/null; then
  echo "run.sh: gnuplot not found, no plots (apt-get install gnuplot-nox)" >&2
  exit 0
fi
for dat in "$data"/*.dat; do
  [ -e "$dat" ] || continue
  name=$(basename "$dat" .dat)
  png=$results/sim-$day-$name.png
  gnuplot -e "dat='$dat'; out='$png'; name='$name'" bench/sim/plot.gp
  echo "run.sh: wrote $png" >&2
done
echo "run.sh: wrote $results/sim-$day.md" >&2
