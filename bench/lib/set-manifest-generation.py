#!/usr/bin/env python3
"""Rewrites a store's manifest with another generation and a valid end line.

    python3 bench/lib/set-manifest-generation.py STORE/manifest N

Same entries, other bytes: an edge that gets a SIGHUP loads and swaps the
whole catalog (it knows a catalog by its manifest's bytes). Written to
MANIFEST.tmp and renamed, so an edge never reads half a file.
"""
import ctypes
import os
import sys


class H(ctypes.Structure):
    _fields_ = [("low64", ctypes.c_uint64), ("high64", ctypes.c_uint64)]


lib = ctypes.CDLL("libxxhash.so.0")
lib.XXH3_128bits.restype = H
lib.XXH3_128bits.argtypes = [ctypes.c_char_p, ctypes.c_size_t]
path, generation = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
cut = data.rstrip(b"\n").rfind(b"\n") + 1
body, end = data[:cut], data[cut:]
lines = body.split(b"\n", 2)
lines[1] = b"generation\t" + generation.encode()
body = b"\n".join(lines)
h = lib.XXH3_128bits(body, len(body))
count = end.split(b"\t")[1]
with open(path + ".tmp", "wb") as out:
    out.write(body + b"end\t" + count + f"\t{h.high64:016x}{h.low64:016x}\n".encode())
os.replace(path + ".tmp", path)
