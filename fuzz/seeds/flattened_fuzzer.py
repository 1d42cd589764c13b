#!/usr/bin/env python3
"""Writes small makedumpfile flattened streams into the directory given as argv[1]: seeds for
flattened_fuzzer (a synthetic kdump file cut into records in shuffled order, records that
overlap, holes, a stream cut short without its end marker, an empty stream)."""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kdump_compressed_fuzzer import kdump_file  # noqa: E402


def flatten(records, end_marker=True):
    out = bytearray(4096)
    out[0:12] = b"makedumpfile"
    struct.pack_into(">qq", out, 16, 1, 1)
    for offset, data in records:
        out += struct.pack(">qq", offset, len(data)) + data
    if end_marker:
        out += struct.pack(">qq", -1, -1)
    return bytes(out)


def chunks(data, size):
    return [(at, data[at:at + size]) for at in range(0, len(data), size)]


def seeds():
    rng = random.Random(3)
    kdump = kdump_file()
    records = chunks(kdump, 700)
    yield "in-order", flatten(records)
    rng.shuffle(records)
    yield "shuffled", flatten(records)
    yield "overlapping", flatten(records + [(100, b"\xAA" * 300), (50, b"\xBB" * 80)])
    yield "holes", flatten([(0, b"\x01" * 10), (5000, b"\x02" * 10)])
    yield "cut-short", flatten(records, end_marker=False)[:-250]
    yield "empty", flatten([])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(out, f"seed-{name}"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
