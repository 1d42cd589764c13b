#!/usr/bin/env python3
"""Writes VMCOREINFO-like texts into the directory given as argv[1]: seeds for
vmcoreinfo_fuzzer, one per value format the kernel uses, plus malformed lines."""
import os
import sys

seeds = {
    "x86": "OSRELEASE=6.1.0-test\nBUILD-ID=00112233445566778899aabbccddeeff00112233\n"
           "PAGESIZE=4096\nSYMBOL(init_uts_ns)=ffffffff82ff9b60\nOFFSET(page.flags)=0\n"
           "SIZE(page)=64\nLENGTH(zone.free_area)=11\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
           "NUMBER(phys_base)=207618048\nKERNELOFFSET=400000\nCRASHTIME=1700000000\n",
    "arm64": "NUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0xffff800008000000\n"
             "NUMBER(PHYS_OFFSET)=0x40000000\nKERNELOFFSET=0\n",
    "malformed": "no equals\nSYMBOL(=1\nSIZE()=2\nSIZE(a)b=3\n=4\nPAGESIZE=-1\n"
                 "SYMBOL(x)=ff\nSYMBOL(x)=ee\nBUILD-ID=abc\r\n\0SYMBOL(after_nul)=1\n",
}
os.makedirs(sys.argv[1], exist_ok=True)
for name, text in seeds.items():
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(text.encode())
