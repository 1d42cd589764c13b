#include "kernel/kernel_layouts.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_set>

#include "debuginfo/type_layout.h"
#include "debuginfo/type_name.h"
#include "kernel/modules.h"
#include "kernel/per_cpu.h"
#include "kernel/printk_log_buf.h"
#include "kernel/printk_ringbuffer.h"
#include "kernel/sys_info.h"
#include "kernel/tasks.h"
#include "program/list_walker.h"

namespace vmscope::kernel {

std::uint64_t Field::extract(std::span<const std::byte> object) const {
  std::uint64_t raw = 0;
  const std::size_t n = std::min<std::size_t>(size, sizeof raw);
  std::memcpy(&raw, object.data() + offset, n);  // little-endian targets only (x86_64)
  unsigned width = static_cast<unsigned>(n * 8);
  if (bit_size != 0) {
    raw >>= bit_shift;
    width = bit_size;
  }
  if (width < 64) {
    const std::uint64_t mask = (std::uint64_t{1} << width) - 1;
    raw &= mask;
    if (is_signed && (raw >> (width - 1)) != 0) raw |= ~mask;
  }
  return raw;
}

Result<Field> field_of(const debuginfo::QualifiedType& type, std::string_view designator) {
  VMSCOPE_TRY(debuginfo::MemberLocation where, debuginfo::resolve_designator(type, designator));
  Field field;
  field.offset = where.bit_offset / 8;
  const debuginfo::Type& member = where.type->underlying();
  field.is_signed = member.is_signed();
  if (where.bit_field_size != 0) {
    field.bit_shift = static_cast<std::uint16_t>(where.bit_offset % 8);
    field.bit_size = static_cast<std::uint16_t>(where.bit_field_size);
    field.size = static_cast<std::uint32_t>((field.bit_shift + field.bit_size + 7) / 8);
  } else {
    VMSCOPE_TRY(std::uint64_t size, debuginfo::sizeof_type(where.type));
    field.size = static_cast<std::uint32_t>(size);
  }
  if (field.size == 0) {
    return Error(ErrorCode::kTypeError,
                 "member '" + std::string(designator) + "' of '" + debuginfo::type_name(type) +
                     "' has no bytes",
                 {.name = std::string(designator)});
  }
  return field;
}

Result<FieldResolver> FieldResolver::find(const debuginfo::DebugInfo& debug,
                                          std::string_view type) {
  VMSCOPE_TRY(debuginfo::QualifiedType found, debug.find_type(type));
  return FieldResolver(std::move(found));
}

Result<Field> FieldResolver::required(std::string_view designator) const {
  auto field = field_of(type_, designator);
  if (!field.ok()) {
    return field.error().with_context(debuginfo::type_name(type_) + "." + std::string(designator));
  }
  return field;
}

Field FieldResolver::optional(std::string_view designator) const {
  return field_of(type_, designator).value_or(Field{});
}

Result<debuginfo::QualifiedType> FieldResolver::member_type(std::string_view designator) const {
  VMSCOPE_TRY(debuginfo::MemberLocation where, debuginfo::resolve_designator(type_, designator));
  return where.type;
}

Result<std::uint64_t> FieldResolver::size() const {
  return debuginfo::sizeof_type(type_);
}

void ByteSpan::add(const Field& field) {
  if (!field.present()) return;
  begin = std::min(begin, field.offset);
  end = std::max(end, field.end());
}

Result<StructWindow> StructWindow::read(const VirtualMemory& memory, std::uint64_t address,
                                        ByteSpan span) {
  if (span.empty()) return StructWindow(address, 0, {});
  std::vector<std::byte> bytes(span.end - span.begin);
  VMSCOPE_CHECK(memory.read(address + span.begin, bytes));
  return StructWindow(address, span.begin, std::move(bytes));
}

Result<std::uint64_t> StructWindow::get(const Field& field) const {
  if (!field.present()) return std::uint64_t{0};
  if (field.offset < begin_ || field.end() > begin_ + bytes_.size()) {
    return Error(ErrorCode::kInternal, "field outside the bytes read for the object",
                 {.address = address_ + field.offset});
  }
  Field local = field;
  local.offset -= begin_;
  return local.extract(bytes_);
}

std::string StructWindow::string(const Field& field) const {
  if (!field.present() || field.offset < begin_ || field.end() > begin_ + bytes_.size()) {
    return {};
  }
  const char* chars = reinterpret_cast<const char*>(bytes_.data() + (field.offset - begin_));
  return std::string(chars, strnlen(chars, field.size));
}

Result<RegionSnapshot> RegionSnapshot::read(const VirtualMemory& memory, std::uint64_t address,
                                            std::uint64_t size, std::uint64_t max_size,
                                            const CancellationToken& cancel) {
  if (size > max_size) {
    return Error(ErrorCode::kLimitExceeded,
                 "region of " + std::to_string(size) + " bytes is larger than the " +
                     std::to_string(max_size) + " allowed",
                 {.address = address});
  }
  RegionSnapshot region;
  region.address_ = address;
  region.bytes_.resize(size);
  const std::uint64_t chunks = (size + kChunk - 1) / kChunk;
  region.chunk_errors_.resize(chunks);
  for (std::uint64_t i = 0; i < chunks; ++i) {
    if (i % 64 == 0) VMSCOPE_CHECK(cancel.check());
    const std::uint64_t offset = i * kChunk;
    const std::uint64_t length = std::min(kChunk, size - offset);
    Status s = memory.read(address + offset, std::span(region.bytes_).subspan(offset, length));
    if (!s.ok()) {
      region.chunk_errors_[i] = s.error();
      if (!region.first_error_) region.first_error_ = s.error();
    }
  }
  return region;
}

Result<std::span<const std::byte>> RegionSnapshot::bytes(std::uint64_t offset,
                                                         std::uint64_t length) const {
  if (offset > bytes_.size() || length > bytes_.size() - offset) {
    return Error(ErrorCode::kInvalidArgument, "range outside the region read",
                 {.address = address_ + offset});
  }
  if (length == 0) return std::span<const std::byte>();
  for (std::uint64_t chunk = offset / kChunk; chunk <= (offset + length - 1) / kChunk; ++chunk) {
    if (chunk_errors_[chunk]) return *chunk_errors_[chunk];
  }
  return std::span<const std::byte>(bytes_).subspan(offset, length);
}

// ---------------------------------------------------------------------------------------------

Result<ListWalk> walk_list(const VirtualMemory& memory, std::uint64_t head,
                           std::uint64_t next_offset, std::uint64_t prev_offset,
                           const CancellationToken& cancel, const ListWalkLimits& limits) {
  const WalkOptions options{.max_entries = limits.max_nodes, .cancel = cancel};
  WalkResult<std::uint64_t> forward = vmscope::walk_list(
      memory, head, ListLayout{.next_offset = next_offset, .prev_offset = prev_offset}, options);
  if (forward.error && forward.error->code() == ErrorCode::kCancelled) return *forward.error;
  ListWalk walk;
  walk.nodes = std::move(forward.entries);
  walk.stopped = std::move(forward.error);
  if (walk.complete()) return walk;

  // Backwards from the head: prev pointers, each node's next pointing back. It stops at the
  // break from the other side (or at a node the forward walk already has).
  WalkResult<std::uint64_t> backward = vmscope::walk_list(
      memory, head, ListLayout{.next_offset = prev_offset, .prev_offset = next_offset}, options);
  if (backward.error && backward.error->code() == ErrorCode::kCancelled) return *backward.error;
  std::unordered_set<std::uint64_t> have(walk.nodes.begin(), walk.nodes.end());
  std::vector<std::uint64_t> recovered;
  for (std::uint64_t node : backward.entries) {
    if (have.count(node) || walk.nodes.size() + recovered.size() >= limits.max_nodes) break;
    recovered.push_back(node);
  }
  walk.recovered_backwards = recovered.size();
  walk.nodes.insert(walk.nodes.end(), recovered.rbegin(), recovered.rend());
  return walk;
}

// ---------------------------------------------------------------------------------------------

Result<ListHeadLayout> ListHeadLayout::resolve(const debuginfo::DebugInfo& debug) {
  VMSCOPE_TRY(FieldResolver list, FieldResolver::find(debug, "struct list_head"));
  VMSCOPE_TRY(Field next, list.required("next"));
  VMSCOPE_TRY(Field prev, list.required("prev"));
  return ListHeadLayout{next.offset, prev.offset};
}

KernelLayouts::KernelLayouts(const debuginfo::DebugInfo& debug) : debug_(debug) {}
KernelLayouts::~KernelLayouts() = default;

template <typename T, typename F>
Result<const T*> KernelLayouts::get(Slot<T>& slot, F&& resolve) const {
  std::call_once(slot.once, [&] {
    Result<T> resolved = resolve();
    if (resolved.ok()) {
      slot.value.emplace(std::make_unique<T>(std::move(resolved).value()));
    } else {
      slot.value.emplace(std::move(resolved).error());
    }
  });
  if (!slot.value->ok()) return slot.value->error();
  return static_cast<const T*>(slot.value->value().get());
}

Result<const ListHeadLayout*> KernelLayouts::list_head() const {
  return get(list_head_, [&] { return ListHeadLayout::resolve(debug_); });
}
Result<const TaskLayout*> KernelLayouts::tasks() const {
  return get(tasks_, [&] { return TaskLayout::resolve(debug_); });
}
Result<const PerCpuLayout*> KernelLayouts::per_cpu() const {
  return get(per_cpu_, [&] { return PerCpuLayout::resolve(debug_); });
}
Result<const PrintkRingbufferLayout*> KernelLayouts::printk_ringbuffer() const {
  return get(printk_ringbuffer_, [&] { return PrintkRingbufferLayout::resolve(debug_); });
}
Result<const PrintkLogBufLayout*> KernelLayouts::printk_log_buf() const {
  return get(printk_log_buf_, [&] { return PrintkLogBufLayout::resolve(debug_); });
}
Result<const ModuleLayout*> KernelLayouts::modules() const {
  return get(modules_, [&] { return ModuleLayout::resolve(debug_); });
}
Result<const SysLayout*> KernelLayouts::sys() const {
  return get(sys_, [&] { return SysLayout::resolve(debug_); });
}

}  // namespace vmscope::kernel
