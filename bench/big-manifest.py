#!/usr/bin/env python3
"""Writes a store with a large manifest, to measure what a catalog costs.

    python3 bench/big-manifest.py OUT_DIR [--entries 1000000] [--blobs 100]

OUT_DIR/manifest lists ENTRIES files, like a course tree: paths
"niveau-N/sequence-NN/lecon-NNNNNNN.html" (~37 bytes), one in four an HTML page
with br and gzip variants, the others plain text/PDF/MP4 with the identity only;
~110 bytes per line, ~110 MB for 1 M entries. Every variant has its own
hash. With --short, the worst case for the catalog's ratio to the text:
"dNNN/fNNNNNNN" paths, "text/plain", identity only (~75 bytes per line, the
~64 MB per million lines of issue 21). Only the first BLOBS entries get real blobs (OUT_DIR/blobs/xx/...), so
the edge can serve them; the edge loads the catalog without the others (they
answer 503), `relais-sync verify` reports them missing. Deterministic.

Used to measure the memory and load time of a 1 M-entry catalog: start
`relais-edge --store OUT_DIR`, wait for "catalog generation", read VmHWM and
VmRSS in /proc/PID/status (see bench/results/ for the figures).
"""
import argparse
import ctypes
import os
import random


class XXH128(ctypes.Structure):
    _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]


_lib = ctypes.CDLL("libxxhash.so.0")
_lib.XXH3_128bits.restype = XXH128
_lib.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]


def xxh3_128_hex(data: bytes) -> str:
    """ContentHash::hex(): high 64 bits then low 64 bits, big-endian hex."""
    h = _lib.XXH3_128bits(data, len(data))
    return f"{h.high64:016x}{h.low64:016x}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--blobs", type=int, default=100)
    ap.add_argument("--generation", type=int, default=1)
    ap.add_argument("--short", action="store_true", help="minimal lines (worst case for the catalog/text ratio)")
    a = ap.parse_args()
    rng = random.Random(2021_04_06)
    kinds = [(".html", "text/html; charset=utf-8"), (".txt", "text/plain; charset=utf-8"),
             (".pdf", "application/pdf"), (".mp4", "video/mp4")]
    lines = []
    for i in range(a.entries):
        ext, ctype = kinds[i % 4]
        path = f"niveau-{i % 5}/sequence-{i % 97:02d}/lecon-{i:07d}{ext}"
        if a.short:
            ext, ctype, path = ".txt", "text/plain", f"d{i % 1000:03d}/f{i:07d}"
        if i < a.blobs:
            body = f"lecon {i}\n".encode() * 20
            digest = xxh3_128_hex(body)
            blob = os.path.join(a.out, "blobs", digest[:2], digest)
            os.makedirs(os.path.dirname(blob), exist_ok=True)
            with open(blob, "wb") as f:
                f.write(body)
            variants = [f"identity:{digest}:{len(body)}"]
        else:
            size = rng.randint(2_000, 5_000_000)
            variants = [f"identity:{rng.getrandbits(128):032x}:{size}"]
            if ext == ".html":
                variants.append(f"br:{rng.getrandbits(128):032x}:{size // 4}")
                variants.append(f"gzip:{rng.getrandbits(128):032x}:{size // 3}")
        lines.append((path, f"file\t{path}\t{ctype}\t{1_700_000_000 + i}\t" + "\t".join(variants) + "\n"))
    lines.sort()  # MANIFEST.md: sorted by path in byte order
    head = f"relais-manifest\t1.0\ngeneration\t{a.generation}\npublished\t1700000000\n"
    body = (head + "".join(line for _, line in lines)).encode()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "manifest"), "wb") as f:
        f.write(body)
        f.write(f"end\t{a.entries}\t{xxh3_128_hex(body)}\n".encode())
    print(f"{a.out}/manifest: {a.entries} entries, {len(body)} bytes")


if __name__ == "__main__":
    main()
