#!/usr/bin/env bash
# Publish at scale: times `relais-sync publish` on a generated tree of N files
# (default 10 000: lesson-like HTML/CSS/JS/JSON text of 2-24 KiB, plus a few
# incompressible "PDF" and "video" files), cold, unchanged and with one file
# changed, then `relais-sync verify`. Deterministic content (fixed seed).
#
#   bash bench/publish-scale.sh [FILES]        # Release build in build/ (RELAIS_BUILD_DIR)
#
# Bounded: the tree is generated once per run in a temp dir and removed at exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
files=${1:-10000}
build=${RELAIS_BUILD_DIR:-build}
jobs=${RELAIS_JOBS:-$(nproc)}

bash scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DRELAIS_TESTS=OFF --log-level=WARNING
cmake --build "$build" -j"$jobs" --target relais-sync

work=$(mktemp -d /tmp/relais-publish-scale.XXXXXX)
trap 'rm -rf "$work"' EXIT

python3 - "$work/src" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(2020_03_16)
words = ("fraction numérateur dénominateur partage égal moitié tiers quart leçon exercice élève "
         "classe maison cahier correction séance compare range additionne multiplie droite graduée").split()
kinds = [(".html", "<p>{}</p>\n"), (".css", ".c{} {{ margin: 0 auto; }}\n"), (".js", "function f{}() {{ return 1; }}\n"),
         (".json", '{{"k": "{}"}},\n')]
for i in range(n):
    d = os.path.join(root, f"niveau-{i % 5}", f"sequence-{i % 97:02d}")
    os.makedirs(d, exist_ok=True)
    if i % 500 == 0:  # a few already-compressed media files
        with open(os.path.join(d, f"media-{i}.mp4"), "wb") as f:
            f.write(rng.randbytes(256 * 1024))
        continue
    ext, line = kinds[i % len(kinds)]
    size = rng.randint(2, 24) * 1024
    out, total = [], 0
    while total < size:
        s = line.format(" ".join(rng.choice(words) for _ in range(12)))
        out.append(s)
        total += len(s.encode())
    with open(os.path.join(d, f"page-{i}{ext}"), "w", encoding="utf-8") as f:
        f.write("".join(out))
PY
in_bytes=$(du -sb "$work/src" | cut -f1)
sync_bin="$build/bin/relais-sync"
timed() { local t0 t1; t0=$(date +%s.%N); "$@" >"$work/last.out" 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b-a}'; }

cold=$(timed "$sync_bin" publish "$work/src" "$work/out" --jobs "$jobs")
cold_line=$(tail -1 "$work/last.out")
same=$(timed "$sync_bin" publish "$work/src" "$work/out" --jobs "$jobs")
same_line=$(tail -1 "$work/last.out")
first=$(find "$work/src" -name 'page-1.css' | head -1)
echo ".changed { color: red; }" >>"$first"
one=$(timed "$sync_bin" publish "$work/src" "$work/out" --jobs "$jobs")
one_line=$(tail -1 "$work/last.out")
verify=$(timed "$sync_bin" verify --store "$work/out")

cat <<REPORT
publish at scale: $files files, $((in_bytes / 1048576)) MiB, $jobs jobs, $(nproc) cores
| run | seconds | summary |
|---|---:|---|
| cold | $cold | $cold_line |
| unchanged | $same | $same_line |
| one file changed | $one | $one_line |
| verify | $verify | |
REPORT
