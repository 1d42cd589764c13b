// Finding VMCOREINFO in a dump's physical memory, for dumps whose writer did not copy it into a
// note: QEMU's dump-guest-memory without `-device vmcoreinfo`, hypervisor and netdump-era
// dumps. Without it there is no KERNELOFFSET, so nothing of a KASLR kernel can be translated.
//
// Why it is there: the kernel writes its VMCOREINFO text at boot (crash_save_vmcoreinfo_init:
// OSRELEASE first, then BUILD-ID, PAGESIZE, SYMBOL(…), …, x86's KERNELOFFSET and
// NUMBER(phys_base)) into `vmcoreinfo_data`, one zeroed page of its own since 4.13, so the text
// starts a page. Older kernels keep it in a static array inside the kernel image — not at a
// page start — so a second pass looks inside pages, within a byte budget.
//
// A candidate must look like real VMCOREINFO, not a stray copy of the word: it starts with
// "OSRELEASE=", is printable text up to its NUL, and has PAGESIZE= and at least one SYMBOL(
// line. Several candidates can exist (a copy in freed memory from a previous boot, the
// crash-time note buffer); all are returned, in address order, and the caller chooses — e.g.
// the one whose BUILD-ID matches the vmlinux. Pages the dump lacks (excluded, absent) are
// skipped silently: that is the normal state of a filtered dump.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dump/physical_memory.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope {

struct VmcoreinfoCandidate {
  std::uint64_t physical_address = 0;
  std::string text;  // up to (not including) the first NUL
};

struct VmcoreinfoScanOptions {
  std::uint64_t page_size = 4096;
  std::size_t max_candidates = 16;
  // The second pass (text anywhere inside a page) reads every byte: bounded.
  std::uint64_t max_inside_page_bytes = 4ull << 30;
};

// Every candidate found. Empty when there is none; errors only on cancellation.
Result<std::vector<VmcoreinfoCandidate>> scan_for_vmcoreinfo(
    const PhysicalMemory& memory, const CancellationToken& cancel,
    const VmcoreinfoScanOptions& options = {});

// True when `text` (up to a NUL) has the shape of VMCOREINFO (see above).
bool looks_like_vmcoreinfo(std::string_view text);

}  // namespace vmscope
