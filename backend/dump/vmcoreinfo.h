// VMCOREINFO: the "KEY=value" lines the kernel writes for dump tools (the VMCOREINFO ELF note
// of /proc/vmcore, QEMU dumps and /proc/kcore; the vmcoreinfo block of kdump-compressed files).
//
// The kernel writes each kind of value in one fixed format (kernel/crash_core.c and the
// arch_crash_save_vmcoreinfo() of each architecture):
//   OSRELEASE=%s              BUILD-ID=<hex bytes>       PAGESIZE=%ld (decimal)
//   SYMBOL(name)=%lx (hex, no 0x)                       KERNELOFFSET=%lx (hex, no 0x)
//   SIZE(name)=%lu  OFFSET(type.member)=%lu  LENGTH(name)=%lu   (decimal)
//   NUMBER(name)=%ld (signed decimal: PAGE_BUDDY_MAPCOUNT_VALUE is -129; x86's phys_base is a
//     NUMBER, so decimal) — except that arm64 and riscv write some NUMBERs as 0x%llx, so a 0x
//     prefix selects hex
//   CRASHTIME=%lld (decimal seconds; only in dumps taken by a crashing kernel)
// Accessors parse in exactly that format and accept an optional 0x prefix on the hex ones.
//
// Parsing never fails: a malformed line (no '=', an unbalanced "KIND(", a value that does not
// parse in its kind's format, a repeated key) is recorded in problems() and the rest is kept.
// The first occurrence of a repeated key wins. Text after a NUL byte is ignored (notes are
// NUL-padded). Immutable after parse(); safe to share between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace vmscope {

struct VmcoreinfoProblem {
  std::uint32_t line = 0;  // 1-based line number
  std::string text;        // the line, cut to a readable length
  std::string reason;
};

class Vmcoreinfo {
 public:
  static Vmcoreinfo parse(std::string_view text);

  // The raw value of a key exactly as written before the '=': "OSRELEASE", "SYMBOL(_stext)".
  std::optional<std::string_view> raw(std::string_view key) const;

  Result<std::uint64_t> symbol(std::string_view name) const;  // SYMBOL(name)
  Result<std::uint64_t> size(std::string_view name) const;    // SIZE(name)
  // OFFSET(type.member): offset("page.flags") or offset("page", "flags").
  Result<std::uint64_t> offset(std::string_view type_member) const;
  Result<std::uint64_t> offset(std::string_view type, std::string_view member) const;
  Result<std::uint64_t> length(std::string_view name) const;  // LENGTH(name)
  // NUMBER(name). A 0x-prefixed (hex) value is returned as its 64-bit two's-complement pattern.
  Result<std::int64_t> number(std::string_view name) const;

  Result<std::string> osrelease() const;
  Result<std::string> build_id() const;  // lower-case hex, validated
  Result<std::uint64_t> page_size() const;
  Result<std::uint64_t> kernel_offset() const;  // KERNELOFFSET (KASLR slide)
  Result<std::int64_t> crash_time() const;      // CRASHTIME, seconds since the epoch

  // Every well-formed key/value pair in the order written (repeats dropped).
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  const std::vector<VmcoreinfoProblem>& problems() const { return problems_; }

 private:
  Result<std::string_view> lookup(const std::string& key) const;

  std::vector<std::pair<std::string, std::string>> entries_;
  std::map<std::string, std::size_t, std::less<>> index_;  // key -> entries_ position
  std::vector<VmcoreinfoProblem> problems_;
};

}  // namespace vmscope
