// An existing dump file seen as what the dump wire protocol sends (`vmscope send`,
// protocol-spec/dump-wire-protocol.md §6: "vmscope send takes [the DUMPABLE map] from the
// source dump's bitmaps"): the facts of SESSION_START, the META blob, and the pages.
//
// Any format dump::open_dump reads: kdump-compressed (plain or makedumpfile-flattened) gives
// its two bitmaps (memory map and dumped pfns), its header's utsname, phys_base and CPU count,
// and its raw ELF notes; an ELF vmcore gives its PT_LOAD ranges (all dumpable) and the raw
// bytes of its PT_NOTE segments. VMCOREINFO comes from the notes either way; facts a format
// lacks (utsname in ELF, phys_base) come from VMCOREINFO (OSRELEASE, NUMBER(phys_base)).
//
// Pages are read through the Dump's PhysicalMemory, so the sender sends exactly what vmscope
// reads. Thread-safety: that of Dump (reads from several threads are fine).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dump/dump.h"
#include "receiver/dump_meta_blob.h"
#include "support/result.h"

namespace vmscope {

struct DumpSource {
  std::unique_ptr<Dump> dump;
  std::string path;
  std::string format;  // "kdump" or "elf"
  std::uint32_t page_size = 4096;
  std::uint64_t max_pfn = 0;
  std::uint64_t phys_base = 0;
  std::uint32_t nr_cpus = 0;
  std::uint16_t e_machine = 0;
  std::uint8_t dump_level = 0;
  std::uint64_t panic_task = 0;
  // vmcoreinfo, elf_notes, memory_map, dumpable (always set), utsname.
  dumpwire::DumpMetadata metadata;

  std::uint64_t dumpable_pages() const;
};

// Errors: those of opening the dump; kUnsupported for a page size the protocol cannot carry.
Result<DumpSource> open_dump_source(const std::string& path);

}  // namespace vmscope
