#include "kernel/printk_ringbuffer.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "support/hex.h"

namespace vmscope::kernel {
namespace {

// Bounds on what a sane ring can be (CONFIG_LOG_BUF_SHIFT is at most 25, log_buf_len at most
// 2 GiB): a larger count_bits/size_bits is a corrupt header, not a buffer to allocate.
constexpr std::uint64_t kMaxCountBits = 22;
constexpr std::uint64_t kMaxSizeBits = 31;
constexpr std::uint64_t kMaxArrayBytes = 512ull << 20;

// Logical positions of text blocks: odd values mark data-less records (kernel: LPOS_DATALESS).
constexpr std::uint64_t kNoLpos = 0x3;

std::uint64_t enumerator_or(const debuginfo::DebugInfo& debug, std::string_view name,
                            std::uint64_t fallback) {
  auto c = debug.find_constant(name);
  return c.ok() ? c->value : fallback;
}

Result<PrintkRingbufferLayout> resolve_members(const debuginfo::DebugInfo& debug,
                                               PrintkRingbufferLayout l) {
  VMSCOPE_TRY(FieldResolver rb, FieldResolver::find(debug, "struct printk_ringbuffer"));
  VMSCOPE_TRY(l.count_bits, rb.required("desc_ring.count_bits"));
  VMSCOPE_TRY(l.descs, rb.required("desc_ring.descs"));
  VMSCOPE_TRY(l.infos, rb.required("desc_ring.infos"));
  VMSCOPE_TRY(l.head_id, rb.required("desc_ring.head_id.counter"));
  VMSCOPE_TRY(l.tail_id, rb.required("desc_ring.tail_id.counter"));
  VMSCOPE_TRY(l.size_bits, rb.required("text_data_ring.size_bits"));
  VMSCOPE_TRY(l.data, rb.required("text_data_ring.data"));
  for (const Field& f :
       {l.count_bits, l.descs, l.infos, l.head_id, l.tail_id, l.size_bits, l.data}) {
    l.ringbuffer_span.add(f);
  }

  VMSCOPE_TRY(FieldResolver desc, FieldResolver::find(debug, "struct prb_desc"));
  VMSCOPE_TRY(l.desc_size, desc.size());
  VMSCOPE_TRY(l.state_var, desc.required("state_var.counter"));
  VMSCOPE_TRY(l.text_begin, desc.required("text_blk_lpos.begin"));
  VMSCOPE_TRY(l.text_next, desc.required("text_blk_lpos.next"));

  VMSCOPE_TRY(FieldResolver info, FieldResolver::find(debug, "struct printk_info"));
  VMSCOPE_TRY(l.info_size, info.size());
  VMSCOPE_TRY(l.seq, info.required("seq"));
  VMSCOPE_TRY(l.ts_nsec, info.required("ts_nsec"));
  VMSCOPE_TRY(l.text_len, info.required("text_len"));
  VMSCOPE_TRY(l.facility, info.required("facility"));
  VMSCOPE_TRY(l.flags, info.required("flags"));
  VMSCOPE_TRY(l.level, info.required("level"));
  VMSCOPE_TRY(l.caller_id, info.required("caller_id"));
  l.subsystem = info.optional("dev_info.subsystem");
  l.device = info.optional("dev_info.device");

  l.desc_reserved = enumerator_or(debug, "desc_reserved", 0);
  l.desc_committed = enumerator_or(debug, "desc_committed", 1);
  l.desc_finalized = enumerator_or(debug, "desc_finalized", 2);
  l.desc_reusable = enumerator_or(debug, "desc_reusable", 3);
  l.log_cont = static_cast<std::uint32_t>(enumerator_or(debug, "LOG_CONT", 8));
  return l;
}

// Where a record's text is inside the data ring, by the kernel's get_data() rules.
struct TextBlock {
  bool dataless = false;    // an empty record (NO_LPOS): no block at all
  std::uint64_t start = 0;  // offset of the block (its id word) in the data ring
  std::uint64_t size = 0;   // block bytes including the id word
};

std::optional<TextBlock> locate_text(std::uint64_t begin, std::uint64_t next,
                                     std::uint64_t size_bits, std::uint64_t id_size) {
  if ((begin & 1) && (next & 1)) {
    if (begin == kNoLpos && next == kNoLpos) return TextBlock{.dataless = true};
    return std::nullopt;  // FAILED_LPOS: the writer could not allocate text
  }
  const std::uint64_t ring = std::uint64_t{1} << size_bits;
  auto wraps = [&](std::uint64_t lpos) { return lpos >> size_bits; };
  TextBlock block;
  if (wraps(begin) == wraps(next) && begin < next) {
    block.start = begin & (ring - 1);
    block.size = next - begin;
  } else if (wraps(begin + ring) == wraps(next)) {
    block.start = 0;  // the block did not fit at the end and was placed at the start
    block.size = next & (ring - 1);
  } else {
    return std::nullopt;
  }
  if (begin % id_size != 0 || next % id_size != 0 || block.size < id_size ||
      block.start + block.size > ring) {
    return std::nullopt;
  }
  return block;
}

}  // namespace

Result<PrintkRingbufferLayout> PrintkRingbufferLayout::resolve(const debuginfo::DebugInfo& debug) {
  auto prb = debug.find_variable("prb");
  if (!prb.ok()) {
    return Error(ErrorCode::kNotFound, "the kernel has no lockless printk ring buffer (`prb`)",
                 {.name = "prb"});
  }
  PrintkRingbufferLayout l;
  l.prb = prb->address;
  auto resolved = resolve_members(debug, l);
  if (!resolved.ok() && resolved.error().code() == ErrorCode::kNotFound) {
    // `prb` exists, so a missing member is a layout this reader does not know.
    Error e = resolved.error();
    return Error(ErrorCode::kUnsupported, "unknown printk ring buffer layout: " + e.message(),
                 e.payload());
  }
  return resolved;
}

Result<KernelLog> read_printk_ringbuffer(const VirtualMemory& memory,
                                         const PrintkRingbufferLayout& l,
                                         const CancellationToken& cancel) {
  KernelLog log;
  log.source = "printk_ringbuffer";
  VMSCOPE_TRY(std::uint64_t rb, memory.read_u64(l.prb));
  auto header = StructWindow::read(memory, rb, l.ringbuffer_span);
  if (!header.ok()) return header.error().with_context("reading the printk ring buffer header");
  const std::uint64_t count_bits = header->value(l.count_bits);
  const std::uint64_t size_bits = header->value(l.size_bits);
  if (count_bits > kMaxCountBits || size_bits > kMaxSizeBits || size_bits < 3) {
    return Error(ErrorCode::kCorrupt,
                 "printk ring buffer header at " + hex_u64(rb) + " is corrupt: count_bits " +
                     std::to_string(count_bits) + ", size_bits " + std::to_string(size_bits),
                 {.address = rb});
  }
  const std::uint64_t count = std::uint64_t{1} << count_bits;
  const std::uint64_t data = header->value(l.data);
  const unsigned sv_bits = l.state_var.size * 8;
  const unsigned flags_shift = sv_bits - 2;
  const std::uint64_t sv_mask =
      sv_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << sv_bits) - 1;
  const std::uint64_t id_mask = sv_mask & ~(std::uint64_t{3} << flags_shift);
  const std::uint64_t id_size = l.text_begin.size;

  VMSCOPE_TRY(RegionSnapshot descs,
              RegionSnapshot::read(memory, header->value(l.descs), count * l.desc_size,
                                   kMaxArrayBytes, cancel));
  VMSCOPE_TRY(RegionSnapshot infos,
              RegionSnapshot::read(memory, header->value(l.infos), count * l.info_size,
                                   kMaxArrayBytes, cancel));
  for (const RegionSnapshot* region : {&descs, &infos}) {
    if (region->first_error()) {
      log.problems.push_back(region->first_error()->with_context(
          region == &descs ? "reading printk descriptors" : "reading printk infos"));
    }
  }

  const std::uint64_t head = header->value(l.head_id) & id_mask;
  std::uint64_t tail = header->value(l.tail_id) & id_mask;
  std::uint64_t span = ((head - tail) & id_mask) + 1;
  if (span > count) {
    log.problems.push_back(Error(ErrorCode::kCorrupt,
                                 "tail_id and head_id are " + std::to_string(span) +
                                     " ids apart in a ring of " + std::to_string(count) +
                                     "; reading the newest " + std::to_string(count),
                                 {.address = rb}));
    span = count;
    tail = (head - (count - 1)) & id_mask;
  }

  std::set<std::uint64_t> unreadable_text_pages;
  for (std::uint64_t n = 0; n < span; ++n) {
    if (n % 1024 == 0) VMSCOPE_CHECK(cancel.check());
    const std::uint64_t id = (tail + n) & id_mask;
    const std::uint64_t index = id & (count - 1);
    auto desc_bytes = descs.bytes(index * l.desc_size, l.desc_size);
    if (!desc_bytes.ok()) {
      ++log.skipped["unreadable descriptor"];
      continue;
    }
    const std::uint64_t sv = l.state_var.extract(*desc_bytes);
    const std::uint64_t state = (sv >> flags_shift) & 3;
    if ((sv & id_mask) != id) {
      ++log.skipped["descriptor id mismatch"];
      continue;
    }
    if (state == l.desc_reusable) {
      // Freed by the writer to make room (or the ring's initial dummy at the tail): not a
      // record, and nothing the dump lost.
      continue;
    }
    auto info = infos.bytes(index * l.info_size, l.info_size);
    if (!info.ok()) {
      ++log.skipped["unreadable descriptor"];
      continue;
    }
    LogRecord r;
    r.seq = l.seq.extract(*info);
    r.timestamp_ns = l.ts_nsec.extract(*info);
    r.level = static_cast<std::uint8_t>(l.level.extract(*info));
    r.facility = static_cast<std::uint8_t>(l.facility.extract(*info));
    r.flags = static_cast<std::uint32_t>(l.flags.extract(*info));
    r.continuation = (r.flags & l.log_cont) != 0;
    set_caller(r, static_cast<std::uint32_t>(l.caller_id.extract(*info)));
    for (const auto& [field, key] : {std::pair{&l.subsystem, "SUBSYSTEM"}, {&l.device, "DEVICE"}}) {
      if (!field->present()) continue;
      const char* chars = reinterpret_cast<const char*>(info->data() + field->offset);
      std::string value(chars, strnlen(chars, field->size));
      if (!value.empty()) r.context.emplace_back(key, std::move(value));
    }
    if (state == l.desc_reserved) {
      r.state = LogRecordState::kReserved;
      log.records.push_back(std::move(r));
      continue;
    }
    if (state != l.desc_committed && state != l.desc_finalized) {
      ++log.skipped["unknown descriptor state"];
      continue;
    }
    r.state = state == l.desc_finalized ? LogRecordState::kFinalized : LogRecordState::kCommitted;

    auto block = locate_text(l.text_begin.extract(*desc_bytes), l.text_next.extract(*desc_bytes),
                             size_bits, id_size);
    if (!block) {
      ++log.skipped["invalid text block"];
      continue;
    }
    if (!block->dataless) {
      const std::uint64_t text_len =
          std::min<std::uint64_t>(l.text_len.extract(*info), block->size - id_size);
      std::vector<std::byte> bytes(id_size + text_len);
      Status read = memory.read(data + block->start, bytes);
      if (!read.ok()) {
        ++log.skipped["unreadable text"];
        const std::uint64_t page = (data + block->start) & ~std::uint64_t{0xfff};
        if (unreadable_text_pages.insert(page).second && unreadable_text_pages.size() <= 8) {
          log.problems.push_back(read.error().with_context("reading printk text"));
        }
        continue;
      }
      std::uint64_t block_id = 0;
      std::memcpy(&block_id, bytes.data(), std::min<std::size_t>(id_size, sizeof block_id));
      if ((block_id & id_mask) != id) {
        ++log.skipped["text block id mismatch"];
        continue;
      }
      r.text.assign(reinterpret_cast<const char*>(bytes.data() + id_size), text_len);
    }
    log.records.push_back(std::move(r));
  }
  return log;
}

}  // namespace vmscope::kernel
