#!/usr/bin/env python3
"""Writes small synthetic ELF cores into the directory given as argv[1]: seeds for
elf_vmcore_fuzzer (kdump-like, QEMU-like with program headers at 192, paging aliases,
p_filesz < p_memsz, PN_XNUM, a /proc/kcore-like file)."""
import os
import struct
import sys

PT_LOAD, PT_NOTE, PN_XNUM = 1, 4, 0xFFFF


def note(name, ntype, desc):
    raw = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(raw), len(desc), ntype) + pad(raw) + pad(desc)


def prstatus(pid):
    desc = bytearray(336)
    struct.pack_into("<i", desc, 32, pid)
    for i in range(27):
        struct.pack_into("<Q", desc, 112 + 8 * i, 0xFFFFFFFF81000000 + i)
    return bytes(desc)


def elf(segments, phoff=64, xnum=False):
    """segments: (type, paddr, data, memsz, vaddr)"""
    n = len(segments)
    data_at = phoff + 56 * n + (64 if xnum else 0)
    phdrs, blobs = b"", b""
    for ptype, paddr, data, memsz, vaddr in segments:
        phdrs += struct.pack("<IIQQQQQQ", ptype, 0, data_at + len(blobs), vaddr, paddr,
                             len(data), memsz if memsz is not None else len(data), 0)
        blobs += data
    ehdr = b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9
    ehdr += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, phoff,
                        phoff + 56 * n if xnum else 0, 0, 64, 56,
                        PN_XNUM if xnum else n, 64 if xnum else 0, 0, 0)
    out = ehdr + b"\0" * (phoff - len(ehdr)) + phdrs
    if xnum:
        out += struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, n, 0, 0)
    return out + blobs


def page(seed, size=256):
    return bytes((seed + 7 * i) & 0xFF for i in range(size))


notes = (note("CORE", 1, prstatus(1)) + note("CORE", 1, prstatus(2)) +
         note("QEMU", 0, page(3, 64)) +
         note("VMCOREINFO", 0, b"OSRELEASE=6.1.0\nPAGESIZE=4096\nKERNELOFFSET=400000\n"))
seeds = {
    "kdump": elf([(PT_NOTE, 0, notes, None, 0), (PT_LOAD, 0x1000, page(1), None, 0xFFFF888000001000),
                  (PT_LOAD, 0x1100, page(2), None, 0)]),
    "qemu-phoff192": elf([(PT_NOTE, 0, notes, None, 0), (PT_LOAD, 0, page(4), None, 0)], phoff=192),
    "paging-alias": elf([(PT_LOAD, 0, page(5), None, 0xFFFF888000000000),
                         (PT_LOAD, 0x80, page(5)[0x80:], None, 0xFFFFFFFF81000000)]),
    "unsaved-tail": elf([(PT_LOAD, 0x2000, page(6, 64), 0x1000, 0), (PT_LOAD, 0x8000, b"", 0x100, 0)]),
    "xnum": elf([(PT_LOAD, 0x100 * i, page(i, 0x100), None, 0) for i in range(3)], xnum=True),
    "kcore": elf([(PT_NOTE, 0, note("CORE", 4, b"\x7f" * 64) + note("VMCOREINFO", 0, b"PAGESIZE=4096\n"), None, 0),
                  (PT_LOAD, 0xFFFFFFFFFFFFFFFF, page(7, 64), None, 0xFFFFC90000000000),
                  (PT_LOAD, 0, page(8), None, 0xFFFF888000000000)]),
    "netdump": elf([(PT_NOTE, 0, struct.pack("<III", 4, 8, 4) + b"CORE" + struct.pack("<Q", 0xFFFF888012345678), None, 0),
                    (PT_LOAD, 0, page(9), None, 0)]),
}
os.makedirs(sys.argv[1], exist_ok=True)
for name, blob in seeds.items():
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(blob)
