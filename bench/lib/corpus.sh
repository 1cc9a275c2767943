# shellcheck shell=bash
# bench/lib/corpus.sh: the benchmark corpus, a content tree every server serves.
# Needs bench/lib/common.sh (sourced here) and BENCH_REPO (bench_init).
#
# Stable functions:
#   corpus_make DIR [ZIPF_FILES]
#       writes, deterministically (fixed seeds):
#         f1k.bin f10k.bin f1m.bin f64m.bin    incompressible scenario files (1 KiB .. 64 MiB)
#         page.html                            a lesson page (HTML, compressible), also course/...
#         course/...                           the sample course (scripts/make-sample-course.py
#                                              --skip-large): lesson pages, CSS, JS, real PDFs, a video
#         videos/clip-4m.mp4 videos/lecon-16m.mp4   incompressible "videos"
#         z/00000.jpg .. z/NNNNN.jpg           ZIPF_FILES (default 0) files of 8..64 KiB (uniform),
#                                              the catalog of the Zipf scenario
#       world-readable (nginx workers run as nobody).
#   corpus_gzip DIR       gzip -9 -k next to every compressible file (html css js svg json txt vtt)
#                         for nginx gzip_static; run it after relais_publish, so relais publishes
#                         its own variants from the sources only
#   corpus_zipf_bytes DIR prints the total size in bytes of DIR/z/*

[ -n "${_BENCH_CORPUS_SH:-}" ] && return 0
_BENCH_CORPUS_SH=1
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

corpus_make() {
  local dir=$1 zipf=${2:-0}
  python3 - "$dir" "$BENCH_REPO" "$zipf" <<'PY' || return 1
import hashlib, os, random, shutil, subprocess, sys
out, repo, zipf = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
def blob(name, size):
    # Incompressible and deterministic, like a video: no server can win by compressing.
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        i = 0
        while size > 0:
            n = min(size, 1 << 20)
            f.write(hashlib.shake_256(b"relais bench %s %d" % (name.encode(), i)).digest(n))
            size -= n
            i += 1
blob("f1k.bin", 1024)
blob("f10k.bin", 10 * 1024)
blob("f1m.bin", 1 << 20)
blob("f64m.bin", 64 << 20)
blob("videos/clip-4m.mp4", 4 << 20)
blob("videos/lecon-16m.mp4", 16 << 20)
course = os.path.join(out, "course")
subprocess.run([sys.executable, os.path.join(repo, "scripts/make-sample-course.py"), "--skip-large", course],
               check=True, stdout=subprocess.DEVNULL)
shutil.copyfile(os.path.join(course, "lecons/01-decouvrir-les-fractions/index.html"), os.path.join(out, "page.html"))
if zipf:
    rng = random.Random(20260316)
    zdir = os.path.join(out, "z")
    os.makedirs(zdir, exist_ok=True)
    for i in range(zipf):
        size = rng.randint(8 * 1024, 64 * 1024)
        with open(os.path.join(zdir, "%05d.jpg" % i), "wb") as f:
            f.write(b"\xff\xd8\xff\xe0" + rng.randbytes(size - 4))
PY
  chmod -R a+rX "$dir"
}

corpus_gzip() {
  local dir=$1
  find "$dir" -type f \( -name '*.html' -o -name '*.css' -o -name '*.js' -o -name '*.svg' \
       -o -name '*.json' -o -name '*.txt' -o -name '*.vtt' \) -size +0 -print0 \
    | xargs -0 -r gzip -9 -k -f
  chmod -R a+rX "$dir"
}

corpus_zipf_bytes() {
  { find "$1/z" -type f -name '*.jpg' -printf '%s\n' 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}'
}
