#include "kernel/disk_io.h"

#include "debuginfo/type_layout.h"
#include "program/list_walker.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "program/xarray_walker.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxDevices = std::size_t{1} << 20;       // devices of the block class
constexpr std::size_t kMaxClasses = 4096;                       // entries of class_kset
constexpr std::size_t kMaxHwQueues = 4096;                      // hardware contexts of one queue
constexpr std::uint64_t kMaxTagDepth = std::uint64_t{1} << 20;  // tags of one bitmap
// include/linux/blk-mq.h and blk_types.h: kernel ABI values, not layouts.
constexpr std::uint64_t kMqRqInFlight = 1;  // enum mq_rq_state MQ_RQ_IN_FLIGHT
constexpr std::uint64_t kReqOpMask = 0xff;  // REQ_OP_BITS = 8; odd ops write

struct DiskIoLayout {
  std::uint64_t block_class = 0, disk_type = 0;
  // class private data: block_class.p, or a subsys_private in class_kset whose
  // .class is us
  std::optional<std::uint64_t> class_p;
  std::uint64_t class_kset = 0, subsys_class = 0, subsys_kobj = 0;
  std::uint64_t kset_list_head = 0;  // kset.list
  ListLayout kset_list;              // kobjects by kobject.entry
  std::uint64_t klist_devices = 0;   // subsys_private.klist_devices.k_list
  ListLayout klist_nodes;            // struct klist_node by n_node
  std::uint64_t n_klist = 0;
  // klist node -> struct device
  std::optional<std::uint64_t> device_knode_class;  // before 5.1: in struct device
  std::uint64_t private_knode_class = 0, private_device = 0;
  std::uint64_t device_type = 0;
  // struct device -> gendisk
  std::optional<std::uint64_t> bd_device, bd_disk;  // 5.11+
  std::optional<std::uint64_t> part0_dev;           // before: gendisk.part0.__dev
  // gendisk
  std::uint64_t major = 0, disk_name = 0, disk_name_size = 0, queue = 0;
  // blk-mq
  std::optional<std::uint64_t> mq_ops;
  std::optional<std::uint64_t> hctx_table;           // xarray (6.0+)
  std::uint64_t queue_hw_ctx = 0, nr_hw_queues = 0;  // array (before)
  XarrayLayout xarray;
  std::uint64_t hctx_tags = 0;
  std::uint64_t tag_set = 0, tag_set_flags = 0;
  std::optional<std::uint64_t> shared_tags;
  std::uint64_t hctx_shared_flag = 0;
  std::uint64_t tags_nr_reserved = 0, tags_bitmap = 0, tags_breserved = 0, tags_rqs = 0;
  bool bitmap_is_pointer = false;
  std::uint64_t sbq_sb = 0, sb_depth = 0, sb_shift = 0, sb_map_nr = 0, sb_map = 0;
  std::uint64_t word_size = 0, word_word = 0;
  std::optional<std::uint64_t> word_cleared;
  std::optional<std::uint64_t> rq_state;
  std::uint64_t rq_q = 0, rq_cmd_flags = 0;

  static Result<DiskIoLayout> resolve(const debuginfo::DebugInfo& debug);
};

std::optional<std::uint64_t> optional_offset(const NameLookup& names, std::string_view type,
                                             std::string_view member) {
  auto offset = member_offset(names, type, member);
  if (!offset.ok()) return std::nullopt;
  return *offset;
}

Result<DiskIoLayout> DiskIoLayout::resolve(const debuginfo::DebugInfo& debug) {
  DiskIoLayout l;
  const DebugInfoLookup names(debug);
  VMSCOPE_TRY(debuginfo::Variable block_class, debug.find_variable("block_class"));
  VMSCOPE_TRY(debuginfo::Variable disk_type, debug.find_variable("disk_type"));
  l.block_class = block_class.address;
  l.disk_type = disk_type.address;
  l.class_p = optional_offset(names, "struct class", "p");
  if (!l.class_p) {
    VMSCOPE_TRY(debuginfo::Variable kset, debug.find_variable("class_kset"));
    l.class_kset = kset.address;
    VMSCOPE_TRY(l.kset_list_head, member_offset(names, "struct kset", "list"));
    VMSCOPE_TRY(l.kset_list, list_layout(names, "struct kobject", "entry"));
    VMSCOPE_TRY(l.subsys_class, member_offset(names, "struct subsys_private", "class"));
    VMSCOPE_TRY(l.subsys_kobj, member_offset(names, "struct subsys_private", "subsys.kobj"));
  }
  VMSCOPE_TRY(l.klist_devices,
              member_offset(names, "struct subsys_private", "klist_devices.k_list"));
  VMSCOPE_TRY(l.klist_nodes, list_layout(names, "struct klist_node", "n_node"));
  VMSCOPE_TRY(l.n_klist, member_offset(names, "struct klist_node", "n_klist"));
  l.device_knode_class = optional_offset(names, "struct device", "knode_class");
  if (!l.device_knode_class) {
    VMSCOPE_TRY(l.private_knode_class,
                member_offset(names, "struct device_private", "knode_class"));
    VMSCOPE_TRY(l.private_device, member_offset(names, "struct device_private", "device"));
  }
  VMSCOPE_TRY(l.device_type, member_offset(names, "struct device", "type"));
  l.bd_device = optional_offset(names, "struct block_device", "bd_device");
  l.bd_disk = optional_offset(names, "struct block_device", "bd_disk");
  if (!l.bd_device || !l.bd_disk) {
    VMSCOPE_TRY(l.part0_dev, member_offset(names, "struct gendisk", "part0.__dev"));
    l.bd_device.reset();
  }
  VMSCOPE_TRY(FieldResolver gendisk, FieldResolver::find(debug, "struct gendisk"));
  VMSCOPE_TRY(Field major, gendisk.required("major"));
  VMSCOPE_TRY(Field disk_name, gendisk.required("disk_name"));
  VMSCOPE_TRY(Field queue, gendisk.required("queue"));
  l.major = major.offset;
  l.disk_name = disk_name.offset;
  l.disk_name_size = disk_name.size;
  l.queue = queue.offset;

  l.mq_ops = optional_offset(names, "struct request_queue", "mq_ops");
  l.rq_state = optional_offset(names, "struct request", "state");
  if (l.mq_ops && l.rq_state) {
    l.hctx_table = optional_offset(names, "struct request_queue", "hctx_table");
    if (l.hctx_table) {
      VMSCOPE_TRY(l.xarray, xarray_layout(names));
    } else {
      VMSCOPE_TRY(l.queue_hw_ctx, member_offset(names, "struct request_queue", "queue_hw_ctx"));
      VMSCOPE_TRY(l.nr_hw_queues, member_offset(names, "struct request_queue", "nr_hw_queues"));
    }
    VMSCOPE_TRY(l.hctx_tags, member_offset(names, "struct blk_mq_hw_ctx", "tags"));
    VMSCOPE_TRY(l.tag_set, member_offset(names, "struct request_queue", "tag_set"));
    VMSCOPE_TRY(l.tag_set_flags, member_offset(names, "struct blk_mq_tag_set", "flags"));
    l.shared_tags = optional_offset(names, "struct blk_mq_tag_set", "shared_tags");
    if (auto flag = debug.find_constant("BLK_MQ_F_TAG_HCTX_SHARED"); flag.ok()) {
      l.hctx_shared_flag = flag->value;
    }
    VMSCOPE_TRY(FieldResolver tags, FieldResolver::find(debug, "struct blk_mq_tags"));
    VMSCOPE_TRY(Field nr_reserved, tags.required("nr_reserved_tags"));
    VMSCOPE_TRY(Field bitmap, tags.required("bitmap_tags"));
    VMSCOPE_TRY(Field breserved, tags.required("breserved_tags"));
    VMSCOPE_TRY(Field rqs, tags.required("rqs"));
    VMSCOPE_TRY(debuginfo::QualifiedType bitmap_type, tags.member_type("bitmap_tags"));
    l.bitmap_is_pointer = bitmap_type->underlying().kind() == debuginfo::TypeKind::kPointer;
    l.tags_nr_reserved = nr_reserved.offset;
    l.tags_bitmap = bitmap.offset;
    l.tags_breserved = breserved.offset;
    l.tags_rqs = rqs.offset;
    VMSCOPE_TRY(l.sbq_sb, member_offset(names, "struct sbitmap_queue", "sb"));
    VMSCOPE_TRY(l.sb_depth, member_offset(names, "struct sbitmap", "depth"));
    VMSCOPE_TRY(l.sb_shift, member_offset(names, "struct sbitmap", "shift"));
    VMSCOPE_TRY(l.sb_map_nr, member_offset(names, "struct sbitmap", "map_nr"));
    VMSCOPE_TRY(l.sb_map, member_offset(names, "struct sbitmap", "map"));
    VMSCOPE_TRY(FieldResolver word, FieldResolver::find(debug, "struct sbitmap_word"));
    VMSCOPE_TRY(l.word_size, word.size());
    VMSCOPE_TRY(Field word_word, word.required("word"));
    l.word_word = word_word.offset;
    if (Field cleared = word.optional("cleared"); cleared.present())
      l.word_cleared = cleared.offset;
    VMSCOPE_TRY(l.rq_q, member_offset(names, "struct request", "q"));
    VMSCOPE_TRY(l.rq_cmd_flags, member_offset(names, "struct request", "cmd_flags"));
  }
  return l;
}

Result<std::uint64_t> class_private(const VirtualMemory& memory, const DiskIoLayout& l,
                                    const CancellationToken& cancel) {
  if (l.class_p) return memory.read_u64(l.block_class + *l.class_p);
  // 6.4+: the class's subsys_private is the one in class_kset whose .class is
  // block_class.
  VMSCOPE_TRY(std::uint64_t kset, memory.read_u64(l.class_kset));
  WalkOptions options{.cancel = cancel};
  options.max_entries = kMaxClasses;
  auto walk = walk_list(memory, kset + l.kset_list_head, l.kset_list, options);
  for (std::uint64_t kobject : walk.entries) {
    const std::uint64_t priv = kobject - l.subsys_kobj;
    VMSCOPE_TRY(std::uint64_t owner, memory.read_u64(priv + l.subsys_class));
    if (owner == l.block_class) return priv;
  }
  if (walk.error) return walk.error->with_context("looking for block_class in class_kset");
  return Error(ErrorCode::kNotFound, "block_class is not registered in class_kset",
               {.name = "block_class"});
}

struct Counts {
  std::uint32_t reads = 0, writes = 0;
};

// Calls on_tag(bit) for every allocated tag of the sbitmap_queue at `sbq`.
template <typename F>
Status for_each_set_tag(const VirtualMemory& memory, const DiskIoLayout& l, std::uint64_t sbq,
                        F&& on_tag) {
  const std::uint64_t sb = sbq + l.sbq_sb;
  VMSCOPE_TRY(std::uint32_t depth, memory.read_u32(sb + l.sb_depth));
  VMSCOPE_TRY(std::uint32_t shift, memory.read_u32(sb + l.sb_shift));
  VMSCOPE_TRY(std::uint32_t map_nr, memory.read_u32(sb + l.sb_map_nr));
  VMSCOPE_TRY(std::uint64_t map, memory.read_u64(sb + l.sb_map));
  if (depth > kMaxTagDepth || shift > 6 || map_nr > kMaxTagDepth) {
    return Error(ErrorCode::kCorrupt,
                 "sbitmap " + hex_u64(sb) + " has depth " + std::to_string(depth) + ", shift " +
                     std::to_string(shift) + ", map_nr " + std::to_string(map_nr),
                 {.address = sb});
  }
  std::uint64_t scanned = 0;
  for (std::uint32_t index = 0; index < map_nr && scanned < depth; ++index) {
    const std::uint64_t per_word = std::uint64_t{1} << shift;
    const std::uint64_t bits = std::min<std::uint64_t>(per_word, depth - scanned);
    scanned += bits;
    const std::uint64_t w = map + index * l.word_size;
    VMSCOPE_TRY(std::uint64_t word, memory.read_u64(w + l.word_word));
    if (l.word_cleared) {
      VMSCOPE_TRY(std::uint64_t cleared, memory.read_u64(w + *l.word_cleared));
      word &= ~cleared;
    }
    for (std::uint64_t bit = 0; bit < bits; ++bit) {
      if ((word >> bit) & 1) VMSCOPE_CHECK(on_tag((std::uint64_t{index} << shift) + bit));
    }
  }
  return ok_status();
}

// blk_mq_queue_tag_busy_iter() with blk_mq_check_inflight() over one struct
// blk_mq_tags.
Status count_tags(const VirtualMemory& memory, const DiskIoLayout& l, std::uint64_t queue,
                  std::uint64_t tags, Counts& counts) {
  VMSCOPE_TRY(std::uint32_t nr_reserved, memory.read_u32(tags + l.tags_nr_reserved));
  VMSCOPE_TRY(std::uint64_t rqs, memory.read_u64(tags + l.tags_rqs));
  auto count = [&](std::uint64_t tag) -> Status {
    VMSCOPE_TRY(std::uint64_t rq, memory.read_u64(rqs + tag * 8));
    if (rq == 0) return ok_status();
    VMSCOPE_TRY(std::uint64_t q, memory.read_u64(rq + l.rq_q));
    VMSCOPE_TRY(std::uint32_t flags, memory.read_u32(rq + l.rq_cmd_flags));
    VMSCOPE_TRY(std::uint32_t state, memory.read_u32(rq + *l.rq_state));
    if (q != queue || state != kMqRqInFlight) return ok_status();
    if ((flags & kReqOpMask) & 1) {
      ++counts.writes;
    } else {
      ++counts.reads;
    }
    return ok_status();
  };
  auto bitmap = [&](std::uint64_t member) -> Result<std::uint64_t> {
    if (!l.bitmap_is_pointer) return tags + member;
    return memory.read_u64(tags + member);
  };
  if (nr_reserved != 0) {
    VMSCOPE_TRY(std::uint64_t reserved, bitmap(l.tags_breserved));
    VMSCOPE_CHECK(for_each_set_tag(memory, l, reserved, count));
  }
  VMSCOPE_TRY(std::uint64_t normal, bitmap(l.tags_bitmap));
  return for_each_set_tag(memory, l, normal,
                          [&](std::uint64_t tag) { return count(tag + nr_reserved); });
}

Result<Counts> count_in_flight(const VirtualMemory& memory, const DiskIoLayout& l,
                               std::uint64_t queue, const CancellationToken& cancel) {
  Counts counts;
  VMSCOPE_TRY(std::uint64_t set, memory.read_u64(queue + l.tag_set));
  VMSCOPE_TRY(std::uint32_t flags, memory.read_u32(set + l.tag_set_flags));
  if ((flags & l.hctx_shared_flag) != 0 && l.shared_tags) {
    VMSCOPE_TRY(std::uint64_t tags, memory.read_u64(set + *l.shared_tags));
    VMSCOPE_CHECK(count_tags(memory, l, queue, tags, counts));
    return counts;
  }
  std::vector<std::uint64_t> hctxs;
  if (l.hctx_table) {
    WalkOptions options{.cancel = cancel};
    options.max_entries = kMaxHwQueues;
    auto walk = walk_xarray(memory, queue + *l.hctx_table, l.xarray, options);
    if (walk.error) return walk.error->with_context("walking the hardware queues");
    for (const XarrayEntry& e : walk.entries) hctxs.push_back(e.entry);
  } else {
    VMSCOPE_TRY(std::uint32_t n, memory.read_u32(queue + l.nr_hw_queues));
    VMSCOPE_TRY(std::uint64_t array, memory.read_u64(queue + l.queue_hw_ctx));
    if (n > kMaxHwQueues) {
      return Error(ErrorCode::kCorrupt, "nr_hw_queues is " + std::to_string(n),
                   {.address = queue + l.nr_hw_queues});
    }
    for (std::uint32_t i = 0; i < n; ++i) {
      VMSCOPE_TRY(std::uint64_t hctx, memory.read_u64(array + i * 8));
      hctxs.push_back(hctx);
    }
  }
  for (std::uint64_t hctx : hctxs) {
    VMSCOPE_CHECK(cancel.check());
    VMSCOPE_TRY(std::uint64_t tags, memory.read_u64(hctx + l.hctx_tags));
    if (tags != 0) VMSCOPE_CHECK(count_tags(memory, l, queue, tags, counts));
  }
  return counts;
}

}  // namespace

bool crash_skips_disk(const std::string& name) {
  return name.rfind("ram", 0) == 0 || name.rfind("loop", 0) == 0;
}

Result<DiskIoList> list_disk_io(const VirtualMemory& memory, const KernelLayouts& layouts,
                                const CancellationToken& cancel) {
  VMSCOPE_TRY(DiskIoLayout l, DiskIoLayout::resolve(layouts.debug()));
  VMSCOPE_CHECK(cancel.check());
  VMSCOPE_TRY(std::uint64_t priv, class_private(memory, l, cancel));
  DiskIoList out;
  WalkOptions options{.cancel = cancel};
  options.max_entries = kMaxDevices;
  auto walk = walk_list(memory, priv + l.klist_devices, l.klist_nodes, options);
  if (walk.error && walk.error->code() == ErrorCode::kCancelled) return *walk.error;
  if (walk.error) out.problems.push_back(walk.error->with_context("walking block_class devices"));
  for (std::uint64_t node : walk.entries) {
    VMSCOPE_CHECK(cancel.check());
    auto note = [&](const Error& e, const std::string& what) {
      out.problems.push_back(e.with_context(what));
    };
    auto owner = memory.read_u64(node + l.n_klist);
    if (!owner.ok()) {
      note(owner.error(), "reading klist node " + hex_u64(node));
      continue;
    }
    if (*owner & 1) continue;  // a dead node, being removed (klist's KNODE_DEAD)
    std::uint64_t device = 0;
    if (l.device_knode_class) {
      device = node - *l.device_knode_class;
    } else {
      auto d = memory.read_u64(node - l.private_knode_class + l.private_device);
      if (!d.ok()) {
        note(d.error(), "reading the device of klist node " + hex_u64(node));
        continue;
      }
      device = *d;
    }
    auto type = memory.read_u64(device + l.device_type);
    if (!type.ok()) {
      note(type.error(), "reading the type of device " + hex_u64(device));
      continue;
    }
    if (*type != l.disk_type) continue;  // a partition
    DiskIo disk;
    if (l.bd_device) {
      auto g = memory.read_u64(device - *l.bd_device + *l.bd_disk);
      if (!g.ok()) {
        note(g.error(), "reading the disk of device " + hex_u64(device));
        continue;
      }
      disk.gendisk = *g;
    } else {
      disk.gendisk = device - *l.part0_dev;
    }
    const std::string where = "reading gendisk " + hex_u64(disk.gendisk);
    auto major = memory.read_u32(disk.gendisk + l.major);
    auto queue = memory.read_u64(disk.gendisk + l.queue);
    std::vector<std::byte> name(l.disk_name_size);
    Status name_read = memory.read(disk.gendisk + l.disk_name, name);
    if (!major.ok() || !queue.ok() || !name_read.ok()) {
      note(!major.ok() ? major.error() : !queue.ok() ? queue.error() : name_read.error(), where);
      continue;
    }
    disk.major = *major;
    disk.queue = *queue;
    for (std::byte b : name) {
      if (b == std::byte{0}) break;
      disk.name.push_back(static_cast<char>(b));
    }
    if (!l.rq_state) {
      note(Error(ErrorCode::kUnsupported,
                 "requests in flight are read only from blk-mq tags (struct "
                 "request has no "
                 "state on this kernel)"),
           "counting the requests of " + disk.name);
    } else if (auto mq_ops = memory.read_u64(disk.queue + *l.mq_ops); !mq_ops.ok()) {
      note(mq_ops.error(), "reading the queue of " + disk.name);
    } else if (*mq_ops == 0) {
      note(Error(ErrorCode::kUnsupported, "the legacy request path is not read"),
           "counting the requests of " + disk.name);
    } else if (auto counts = count_in_flight(memory, l, disk.queue, cancel); counts.ok()) {
      disk.reads = counts->reads;
      disk.writes = counts->writes;
    } else if (counts.error().code() == ErrorCode::kCancelled) {
      return counts.error();
    } else {
      note(counts.error(), "counting the requests in flight of " + disk.name);
    }
    out.disks.push_back(std::move(disk));
  }
  return out;
}

}  // namespace vmscope::kernel
