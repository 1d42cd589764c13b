#!/usr/bin/env python3
"""Writes small synthetic kdump-compressed files into the directory given as argv[1]: seeds
for kdump_compressed_fuzzer (header versions 1-6, raw and zlib pages, the shared zero page,
excluded pages, the incomplete flag, a split file, notes). Also importable: flattened_fuzzer.py
builds its seeds from kdump_file()."""
import os
import struct
import sys
import zlib

BLOCK = 1024  # the smallest block size the reader accepts keeps seeds small
INCOMPLETE = 0x8


def note(name, ntype, desc):
    raw = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(raw), len(desc), ntype) + pad(raw) + pad(desc)


def prstatus(pid):
    desc = bytearray(336)
    struct.pack_into("<i", desc, 32, pid)
    return bytes(desc)


def page(pfn):
    return bytes((pfn * 13 + i // 16) & 0xFF for i in range(BLOCK))


def kdump_file(version=6, max_mapnr=64, dumped=None, excluded=(), status=0, split=None):
    """dumped: {pfn: 'raw' | 'zlib' | 'zero'}; split: (start_pfn, end_pfn) or None."""
    dumped = dumped if dumped is not None else {1: "raw", 2: "zlib", 3: "zero", 9: "zlib"}
    vmcoreinfo = b"OSRELEASE=6.1.0\nPAGESIZE=1024\n"
    notes = note("CORE", 1, prstatus(1)) + note("VMCOREINFO", 0, vmcoreinfo)
    sub_blocks = 1 + -(-(len(notes) + len(vmcoreinfo)) // BLOCK)
    bitmap_blocks = 2 * -(-((max_mapnr + 7) // 8) // BLOCK)
    bitmap_at = BLOCK * (1 + sub_blocks)
    desc_at = BLOCK * (1 + sub_blocks + bitmap_blocks)
    start, end = split if split else (0, max_mapnr)
    described = [p for p in sorted(dumped) if start <= p < end]

    head = bytearray(BLOCK)
    head[0:8] = b"KDUMP   "
    struct.pack_into("<i", head, 8, version)
    head[12 + 4 * 65:12 + 4 * 65 + 6] = b"x86_64"
    struct.pack_into("<IiiIIIIIIi", head, 424, status, BLOCK, sub_blocks, bitmap_blocks,
                     max_mapnr, 0, 0, 0, 0, 1)
    sub = bytearray(BLOCK * sub_blocks)
    notes_at, vmcoreinfo_at = 2 * BLOCK, 2 * BLOCK + len(notes)
    struct.pack_into("<QiiQQQQQQQQQQQ", sub, 0, 0, 31, 1 if split else 0, start, end,
                     vmcoreinfo_at, len(vmcoreinfo), notes_at, len(notes), 0, 0, start, end,
                     max_mapnr)
    sub[BLOCK:BLOCK + len(notes)] = notes
    sub[BLOCK + len(notes):BLOCK + len(notes) + len(vmcoreinfo)] = vmcoreinfo
    bitmaps = bytearray(BLOCK * bitmap_blocks)
    half = len(bitmaps) // 2
    for pfn in dumped:
        bitmaps[pfn // 8] |= 1 << (pfn % 8)
        bitmaps[half + pfn // 8] |= 1 << (pfn % 8)
    for pfn in excluded:
        bitmaps[pfn // 8] |= 1 << (pfn % 8)

    zero_at = desc_at + 24 * len(described)
    data = bytearray(BLOCK)  # the shared zero page
    descs = b""
    for pfn in described:
        kind = dumped[pfn]
        if kind == "zero":
            descs += struct.pack("<QIIQ", zero_at, BLOCK, 0, 0)
            continue
        stored = zlib.compress(page(pfn)) if kind == "zlib" else page(pfn)
        descs += struct.pack("<QIIQ", zero_at + len(data), len(stored),
                             1 if kind == "zlib" else 0, 0)
        data += stored
    return bytes(head + sub + bitmaps + descs + data)


def seeds():
    yield "v6", kdump_file()
    for version in range(1, 6):
        yield f"v{version}", kdump_file(version=version)
    yield "excluded", kdump_file(excluded=(4, 5, 6))
    yield "incomplete", kdump_file(status=INCOMPLETE)[:-BLOCK // 2]
    yield "split", kdump_file(split=(2, 10))
    yield "many", kdump_file(max_mapnr=200, dumped={p: ("raw", "zlib", "zero")[p % 3]
                                                     for p in range(0, 200, 2)})


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, f"seed-{name}"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
