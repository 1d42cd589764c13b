// How the kernel's structs are laid out in this dump, resolved from its DWARF once, plus the
// small reading primitives every kernel-model reader shares.
//
// drgn reads `task->pid` through a generic object model; crash keeps a global table of 1,052
// offsets filled by version checks. vmscope does neither in its hot loops: each subsystem
// (tasks, printk, modules, per-CPU data) declares a small layout struct — the member offsets
// and global addresses it needs — built from DWARF the first time it is asked for, and walks
// kernel data with plain offset arithmetic on bytes read once per object. Features are
// detected by asking DWARF whether a member or type exists (`task_struct.__state` or `.state`),
// never by comparing kernel versions.
//
// Here:
//   Field / FieldResolver   a member's offset, size and bit-field position, from a type
//   StructWindow            the bytes of one object read once (the span its layout needs)
//   walk_list               program/list_walker.h's bounded walk of a list_head ring, run
//                           backwards too when a corrupt link stops it
//   KernelLayouts           the per-dump cache of every subsystem's layout
//
// Threading: everything here is immutable after construction except KernelLayouts' lazy
// cache, which is safe to use from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arch/virtual_memory.h"
#include "debuginfo/debug_info.h"
#include "debuginfo/type.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

// One member of a struct: where its bytes are and how to turn them into an integer.
struct Field {
  std::uint64_t offset = 0;     // bytes from the start of the object
  std::uint32_t size = 0;       // bytes; 0 means "the kernel has no such member"
  bool is_signed = false;       // integers and enums
  std::uint16_t bit_shift = 0;  // bit fields: the field's first bit within the bytes at offset
  std::uint16_t bit_size = 0;   // bit fields: width in bits (0: not a bit field)

  bool present() const { return size != 0; }
  std::uint64_t end() const { return offset + size; }
  // The integer in `object` (the bytes of the whole object, or a window starting at 0 as the
  // object does). Sign-extends signed fields to 64 bits; the caller checked the bounds.
  std::uint64_t extract(std::span<const std::byte> object) const;
};

// Resolves member designators ("pid", "thread_info.cpu", "signal") of one struct type into
// Fields. A missing member is a kNotFound error from required() and an absent Field from
// optional(); feature detection uses the latter.
class FieldResolver {
 public:
  explicit FieldResolver(debuginfo::QualifiedType type) : type_(std::move(type)) {}
  static Result<FieldResolver> find(const debuginfo::DebugInfo& debug, std::string_view type);

  Result<Field> required(std::string_view designator) const;
  Field optional(std::string_view designator) const;
  bool has(std::string_view designator) const { return optional(designator).present(); }
  // The member's own type (for element counts, nested structs).
  Result<debuginfo::QualifiedType> member_type(std::string_view designator) const;
  Result<std::uint64_t> size() const;
  const debuginfo::QualifiedType& type() const { return type_; }

 private:
  debuginfo::QualifiedType type_;
};

// Field for a designator resolved against `type`.
Result<Field> field_of(const debuginfo::QualifiedType& type, std::string_view designator);

// [begin, end) byte range of an object that a layout reads; grown field by field.
struct ByteSpan {
  std::uint64_t begin = UINT64_MAX;
  std::uint64_t end = 0;
  void add(const Field& field);
  bool empty() const { return end <= begin; }
};

// The bytes [span.begin, span.end) of the object at `address`, read with one call.
class StructWindow {
 public:
  static Result<StructWindow> read(const VirtualMemory& memory, std::uint64_t address,
                                   ByteSpan span);
  // A window over bytes the caller already has (tests, nested objects).
  StructWindow(std::uint64_t address, std::uint64_t begin, std::vector<std::byte> bytes)
      : address_(address), begin_(begin), bytes_(std::move(bytes)) {}

  std::uint64_t address() const { return address_; }
  // The integer value of a present field inside the window; 0 for an absent field (the
  // caller decided it may be absent). A field outside the window is a bug: kInternal.
  Result<std::uint64_t> get(const Field& field) const;
  // get() where a bug in the layout is impossible by construction (field in the span).
  std::uint64_t value(const Field& field) const { return get(field).value_or(0); }
  // A char array member up to its first NUL.
  std::string string(const Field& field) const;

 private:
  std::uint64_t address_;
  std::uint64_t begin_;
  std::vector<std::byte> bytes_;
};

// A large array (a ring buffer's descriptors, its text) read once in page-sized chunks, so an
// excluded or missing page costs only the entries on it. bytes() fails for a range touching a
// chunk that could not be read, with that chunk's error.
class RegionSnapshot {
 public:
  static constexpr std::uint64_t kChunk = 4096;
  // Fails only with kLimitExceeded for a region larger than `max_size` (a corrupt size).
  static Result<RegionSnapshot> read(const VirtualMemory& memory, std::uint64_t address,
                                     std::uint64_t size, std::uint64_t max_size,
                                     const CancellationToken& cancel);
  std::uint64_t address() const { return address_; }
  std::uint64_t size() const { return bytes_.size(); }
  Result<std::span<const std::byte>> bytes(std::uint64_t offset, std::uint64_t length) const;
  // The first chunk error, if any chunk failed.
  const std::optional<Error>& first_error() const { return first_error_; }

 private:
  std::uint64_t address_ = 0;
  std::vector<std::byte> bytes_;
  std::vector<std::optional<Error>> chunk_errors_;
  std::optional<Error> first_error_;
};

// ---------------------------------------------------------------------------------------------
// Bounded list walk that recovers past a break.

struct ListWalkLimits {
  std::size_t max_nodes = std::size_t{1} << 22;  // PID_MAX_LIMIT: no kernel list we walk is longer
};

// The nodes of a circular `struct list_head` list, head excluded, in order.
struct ListWalk {
  std::vector<std::uint64_t> nodes;
  // Set when the walk could not go round the whole ring: why (a read failure with its
  // address, kLoopDetected, kCorrupt for a node whose `prev` does not point back, or
  // kLimitExceeded). Nodes recovered by walking backwards from the head are appended after
  // the forward ones; `recovered_backwards` counts them.
  std::optional<Error> stopped;
  std::size_t recovered_backwards = 0;
  bool complete() const { return !stopped; }
};

// program/list_walker.h's walk_list from `head` (the address of a list_head): bounded,
// loop-detecting, checking that each node's prev points back. When it stops early, the same
// walk runs backwards from the head (next and prev swapped) to recover what lies beyond the
// break: one corrupt pointer in a list of 10,000 tasks costs the tasks it hides, not all
// those after it. Only cancellation is an error; an unreadable head is a walk that stopped
// at once. `next_offset`/`prev_offset` are the list_head's members, from DWARF.
Result<ListWalk> walk_list(const VirtualMemory& memory, std::uint64_t head,
                           std::uint64_t next_offset, std::uint64_t prev_offset,
                           const CancellationToken& cancel, const ListWalkLimits& limits = {});

// ---------------------------------------------------------------------------------------------
// The per-dump cache.

struct ListHeadLayout {
  std::uint64_t next = 0;
  std::uint64_t prev = 8;
  static Result<ListHeadLayout> resolve(const debuginfo::DebugInfo& debug);
};

struct TaskLayout;
struct PerCpuLayout;
struct PrintkRingbufferLayout;
struct PrintkLogBufLayout;
struct ModuleLayout;
struct SysLayout;

// Every subsystem's layout for one dump, each resolved on first use and kept (a failure too:
// a kernel without `struct printk_ringbuffer` does not get asked again). Holds a reference to
// the debug info, which must outlive it (the Program owns both in practice).
class KernelLayouts {
 public:
  explicit KernelLayouts(const debuginfo::DebugInfo& debug);
  ~KernelLayouts();
  KernelLayouts(const KernelLayouts&) = delete;
  KernelLayouts& operator=(const KernelLayouts&) = delete;

  const debuginfo::DebugInfo& debug() const { return debug_; }

  Result<const ListHeadLayout*> list_head() const;
  Result<const TaskLayout*> tasks() const;
  Result<const PerCpuLayout*> per_cpu() const;
  Result<const PrintkRingbufferLayout*> printk_ringbuffer() const;
  Result<const PrintkLogBufLayout*> printk_log_buf() const;
  Result<const ModuleLayout*> modules() const;
  Result<const SysLayout*> sys() const;

 private:
  template <typename T>
  struct Slot {
    std::once_flag once;
    std::optional<Result<std::unique_ptr<T>>> value;
  };
  template <typename T, typename F>
  Result<const T*> get(Slot<T>& slot, F&& resolve) const;

  const debuginfo::DebugInfo& debug_;
  mutable Slot<ListHeadLayout> list_head_;
  mutable Slot<TaskLayout> tasks_;
  mutable Slot<PerCpuLayout> per_cpu_;
  mutable Slot<PrintkRingbufferLayout> printk_ringbuffer_;
  mutable Slot<PrintkLogBufLayout> printk_log_buf_;
  mutable Slot<ModuleLayout> modules_;
  mutable Slot<SysLayout> sys_;
};

}  // namespace vmscope::kernel
