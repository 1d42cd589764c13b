#include "kernel/devices.h"

#include <map>
#include <optional>

#include "debuginfo/type_layout.h"
#include "program/list_walker.h"
#include "program/name_lookup.h"
#include "program/walk.h"
#include "support/hex.h"

namespace vmscope::kernel {
namespace {

constexpr std::size_t kMaxChain = 4096;                   // regions sharing one hash bucket
constexpr std::size_t kMaxInodes = std::size_t{1} << 20;  // block device inodes
constexpr std::size_t kMaxNameLength = 256;
constexpr std::uint64_t kMaxBuckets = 1u << 16;
// The kernel's internal dev_t: MAJOR(dev) = dev >> MINORBITS
// (include/linux/kdev_t.h). A kernel ABI constant, not a struct layout, so
// DWARF has no say in it.
constexpr unsigned kMinorBits = 20;

// A global array of pointers (chrdevs[], major_names[]): its address and length
// from DWARF.
struct PointerArray {
  std::uint64_t address = 0;
  std::uint64_t length = 0;
};

Result<PointerArray> pointer_array(const debuginfo::DebugInfo& debug, std::string_view name) {
  VMSCOPE_TRY(debuginfo::Variable v, debug.find_variable(name));
  const debuginfo::Type& type = v.type->underlying();
  if (type.kind() != debuginfo::TypeKind::kArray || !type.length() ||
      *type.length() > kMaxBuckets) {
    return Error(ErrorCode::kUnsupported, std::string(name) + " is not a sized array",
                 {.name = std::string(name)});
  }
  return PointerArray{.address = v.address, .length = *type.length()};
}

// A name member that is a char array (read in place) or a char pointer
// (followed).
struct NameField {
  Field field;
  bool is_pointer = false;
};

Result<NameField> name_field(const FieldResolver& type, std::string_view member) {
  NameField out;
  VMSCOPE_TRY(out.field, type.required(member));
  VMSCOPE_TRY(debuginfo::QualifiedType t, type.member_type(member));
  out.is_pointer = t->underlying().kind() == debuginfo::TypeKind::kPointer;
  return out;
}

struct DevicesLayout {
  // char devices
  PointerArray chrdevs;
  ByteSpan cds_span;
  Field cds_next, cds_major, cds_baseminor, cds_minorct, cds_cdev, cds_fops;
  NameField cds_name;
  std::uint64_t cdev_ops = 0;
  std::optional<std::uint64_t> cdev_map;  // &cdev_map (a struct kobj_map *)
  std::uint64_t kobj_map_probes = 0, probes_length = 0;
  std::uint64_t probe_next = 0, probe_dev = 0, probe_data = 0;
  // block devices
  PointerArray major_names;
  ByteSpan bmn_span;
  Field bmn_next, bmn_major;
  NameField bmn_name;
  std::optional<std::uint64_t> blockdev_superblock;  // &blockdev_superblock
  std::uint64_t sb_inodes = 0;
  ListLayout inode_list;           // entries are struct inode (i_sb_list)
  std::int64_t inode_to_bdev = 0;  // struct bdev_inode: &bdev - &vfs_inode
  std::uint64_t bdev_disk = 0, gendisk_major = 0, gendisk_fops = 0;

  static Result<DevicesLayout> resolve(const debuginfo::DebugInfo& debug);
};

Result<DevicesLayout> DevicesLayout::resolve(const debuginfo::DebugInfo& debug) {
  DevicesLayout l;
  const DebugInfoLookup names(debug);
  VMSCOPE_TRY(l.chrdevs, pointer_array(debug, "chrdevs"));
  VMSCOPE_TRY(FieldResolver cds, FieldResolver::find(debug, "struct char_device_struct"));
  VMSCOPE_TRY(l.cds_next, cds.required("next"));
  VMSCOPE_TRY(l.cds_major, cds.required("major"));
  VMSCOPE_TRY(l.cds_baseminor, cds.required("baseminor"));
  VMSCOPE_TRY(l.cds_minorct, cds.required("minorct"));
  VMSCOPE_TRY(l.cds_name, name_field(cds, "name"));
  l.cds_cdev = cds.optional("cdev");  // 2.6+: the cdev of __register_chrdev
  l.cds_fops = cds.optional("fops");  // older kernels kept the fops in the region
  for (const Field& f :
       {l.cds_next, l.cds_major, l.cds_baseminor, l.cds_minorct, l.cds_name.field}) {
    l.cds_span.add(f);
  }
  if (l.cds_cdev.present()) l.cds_span.add(l.cds_cdev);
  if (l.cds_fops.present()) l.cds_span.add(l.cds_fops);
  if (l.cds_cdev.present()) {
    VMSCOPE_TRY(l.cdev_ops, member_offset(names, "struct cdev", "ops"));
  }
  if (auto map = debug.find_variable("cdev_map"); map.ok()) {
    VMSCOPE_TRY(FieldResolver kobj_map, FieldResolver::find(debug, "struct kobj_map"));
    VMSCOPE_TRY(Field probes, kobj_map.required("probes"));
    VMSCOPE_TRY(debuginfo::QualifiedType probes_type, kobj_map.member_type("probes"));
    const debuginfo::Type& array = probes_type->underlying();
    if (array.kind() == debuginfo::TypeKind::kArray && array.length() &&
        *array.length() <= kMaxBuckets) {
      l.cdev_map = map->address;
      l.kobj_map_probes = probes.offset;
      l.probes_length = *array.length();
      VMSCOPE_TRY(l.probe_next, member_offset(names, "struct probe", "next"));
      VMSCOPE_TRY(l.probe_dev, member_offset(names, "struct probe", "dev"));
      VMSCOPE_TRY(l.probe_data, member_offset(names, "struct probe", "data"));
    }
  }

  VMSCOPE_TRY(l.major_names, pointer_array(debug, "major_names"));
  VMSCOPE_TRY(FieldResolver bmn, FieldResolver::find(debug, "struct blk_major_name"));
  VMSCOPE_TRY(l.bmn_next, bmn.required("next"));
  VMSCOPE_TRY(l.bmn_major, bmn.required("major"));
  VMSCOPE_TRY(l.bmn_name, name_field(bmn, "name"));
  for (const Field& f : {l.bmn_next, l.bmn_major, l.bmn_name.field}) l.bmn_span.add(f);
  if (auto sb = debug.find_variable("blockdev_superblock"); sb.ok()) {
    l.blockdev_superblock = sb->address;
    VMSCOPE_TRY(l.sb_inodes, member_offset(names, "struct super_block", "s_inodes"));
    VMSCOPE_TRY(l.inode_list, list_layout(names, "struct inode", "i_sb_list"));
    VMSCOPE_TRY(std::uint64_t bdev, member_offset(names, "struct bdev_inode", "bdev"));
    VMSCOPE_TRY(std::uint64_t vfs_inode, member_offset(names, "struct bdev_inode", "vfs_inode"));
    l.inode_to_bdev = static_cast<std::int64_t>(bdev) - static_cast<std::int64_t>(vfs_inode);
    VMSCOPE_TRY(l.bdev_disk, member_offset(names, "struct block_device", "bd_disk"));
    VMSCOPE_TRY(l.gendisk_major, member_offset(names, "struct gendisk", "major"));
    VMSCOPE_TRY(l.gendisk_fops, member_offset(names, "struct gendisk", "fops"));
  }
  return l;
}

// The symbol naming an operations table: the vmlinux's, else the kernel's own tables (which
// know the modules'), as crash's value_to_symstr does.
struct OpsNamer {
  const debuginfo::DebugInfo& debug;
  const KernelSymbols* symbols = nullptr;

  std::string operator()(std::uint64_t ops) const {
    if (ops == 0) return {};
    if (auto symbol = debug.symbolize(ops); symbol && symbol->offset == 0) {
      return std::string(symbol->symbol.name);
    }
    if (symbols) {
      if (auto symbol = symbols->symbolize(ops); symbol && symbol->offset == 0) {
        return std::string(symbol->symbol.name);
      }
    }
    return {};
  }
};

Result<std::string> read_name(const VirtualMemory& memory, const StructWindow& window,
                              const NameField& name) {
  if (!name.is_pointer) return window.string(name.field);
  const std::uint64_t pointer = window.value(name.field);
  if (pointer == 0) return std::string();
  return memory.read_c_string(pointer, kMaxNameLength);
}

// cdev_add()'s entry for device number (major, minor) in cdev_map: the cdev, or
// 0.
Result<std::uint64_t> cdev_from_map(const VirtualMemory& memory, const DevicesLayout& l,
                                    std::uint32_t major, std::uint32_t minor) {
  VMSCOPE_TRY(std::uint64_t map, memory.read_u64(*l.cdev_map));
  if (map == 0) return std::uint64_t{0};
  VMSCOPE_TRY(std::uint64_t probe,
              memory.read_u64(map + l.kobj_map_probes + (major % l.probes_length) * 8));
  VisitedNodes seen;
  while (probe != 0) {
    if (!seen.insert(probe) || seen.size() > kMaxChain) {
      return loop_detected("cdev_map probe chain", probe);
    }
    VMSCOPE_TRY(std::uint32_t dev, memory.read_u32(probe + l.probe_dev));
    if ((dev >> kMinorBits) == major && (dev & ((1u << kMinorBits) - 1)) == minor) {
      return memory.read_u64(probe + l.probe_data);
    }
    VMSCOPE_TRY(probe, memory.read_u64(probe + l.probe_next));
  }
  return std::uint64_t{0};
}

void list_char_devices(const VirtualMemory& memory, const OpsNamer& ops_symbol,
                       const DevicesLayout& l, const CancellationToken& cancel, Devices& out) {
  for (std::uint64_t bucket = 0; bucket < l.chrdevs.length; ++bucket) {
    auto head = memory.read_u64(l.chrdevs.address + bucket * 8);
    if (!head.ok()) {
      out.problems.push_back(
          head.error().with_context("reading chrdevs[" + std::to_string(bucket) + "]"));
      continue;
    }
    VisitedNodes seen;
    for (std::uint64_t region = *head; region != 0;) {
      if (!cancel.check().ok()) return;
      if (!seen.insert(region) || seen.size() > kMaxChain) {
        out.problems.push_back(loop_detected("char_device_struct chain", region));
        break;
      }
      auto window = StructWindow::read(memory, region, l.cds_span);
      if (!window.ok()) {
        out.problems.push_back(window.error().with_context("reading char_device_struct " +
                                                           hex_u64(region) + " of chrdevs[" +
                                                           std::to_string(bucket) + "]"));
        break;
      }
      CharDeviceRegion r{.region = region,
                         .major = static_cast<std::uint32_t>(window->value(l.cds_major)),
                         .baseminor = static_cast<std::uint32_t>(window->value(l.cds_baseminor)),
                         .minorct = static_cast<std::uint32_t>(window->value(l.cds_minorct))};
      auto name = read_name(memory, *window, l.cds_name);
      if (name.ok()) {
        r.name = *name;
      } else {
        out.problems.push_back(name.error().with_context("reading the name of char device " +
                                                         std::to_string(r.major)));
      }
      auto note = [&](const Error& e, const char* what) {
        out.problems.push_back(e.with_context(std::string("reading the ") + what +
                                              " of char device region " + hex_u64(region)));
      };
      if (l.cds_cdev.present()) {
        r.cdev = window->value(l.cds_cdev);
        if (r.cdev != 0) {
          if (auto ops = memory.read_u64(r.cdev + l.cdev_ops); ops.ok()) {
            r.ops = *ops;
          } else {
            note(ops.error(), "cdev ops");
          }
        }
      } else if (l.cds_fops.present()) {
        r.ops = window->value(l.cds_fops);
      }
      if (r.ops == 0 && l.cdev_map) {
        auto cdev = cdev_from_map(memory, l, r.major, r.baseminor);
        auto ops = cdev.ok() && *cdev != 0 ? memory.read_u64(*cdev + l.cdev_ops)
                                           : Result<std::uint64_t>(std::uint64_t{0});
        if (!cdev.ok()) {
          note(cdev.error(), "cdev_map entry");
        } else if (!ops.ok()) {
          note(ops.error(), "cdev ops");
        } else if (*ops != 0) {
          r.cdev = *cdev;
          r.ops = *ops;
        }
      }
      if (r.ops == 0) r.cdev = 0;  // a cdev without operations is shown as none, as crash does
      r.ops_name = ops_symbol(r.ops);
      out.char_devices.push_back(std::move(r));
      region = window->value(l.cds_next);
    }
  }
}

struct DiskOfMajor {
  std::uint64_t gendisk = 0;
  std::uint64_t fops = 0;
};

// The first gendisk with non-null fops of each major, in the order of
// blockdev_superblock's inode list (crash's search_blockdev_inodes).
std::map<std::uint32_t, DiskOfMajor> disks_by_major(const VirtualMemory& memory,
                                                    const DevicesLayout& l,
                                                    const CancellationToken& cancel, Devices& out) {
  std::map<std::uint32_t, DiskOfMajor> disks;
  auto sb = memory.read_u64(*l.blockdev_superblock);
  if (!sb.ok() || *sb == 0) {
    if (!sb.ok()) out.problems.push_back(sb.error().with_context("reading blockdev_superblock"));
    return disks;
  }
  WalkOptions options{.cancel = cancel};
  options.max_entries = kMaxInodes;
  auto walk = walk_list(memory, *sb + l.sb_inodes, l.inode_list, options);
  if (walk.error) {
    out.problems.push_back(walk.error->with_context("walking the block device inodes"));
  }
  for (std::uint64_t inode : walk.entries) {
    const std::uint64_t bdev = inode + static_cast<std::uint64_t>(l.inode_to_bdev);
    auto disk = memory.read_u64(bdev + l.bdev_disk);
    if (!disk.ok()) {
      out.problems.push_back(
          disk.error().with_context("reading the disk of block device " + hex_u64(bdev)));
      continue;
    }
    if (*disk == 0) continue;
    auto major = memory.read_u32(*disk + l.gendisk_major);
    auto fops = memory.read_u64(*disk + l.gendisk_fops);
    if (!major.ok() || !fops.ok()) {
      out.problems.push_back((major.ok() ? fops.error() : major.error())
                                 .with_context("reading gendisk " + hex_u64(*disk)));
      continue;
    }
    if (*fops != 0) disks.emplace(*major, DiskOfMajor{*disk, *fops});  // keeps the first
  }
  return disks;
}

void list_block_devices(const VirtualMemory& memory, const OpsNamer& ops_symbol,
                        const DevicesLayout& l, const CancellationToken& cancel, Devices& out) {
  std::map<std::uint32_t, DiskOfMajor> disks;
  if (l.blockdev_superblock) {
    disks = disks_by_major(memory, l, cancel, out);
  } else {
    out.problems.push_back(Error(ErrorCode::kUnsupported,
                                 "no blockdev_superblock: the gendisks of block majors are not "
                                 "looked up on this kernel (bdev_map kernels before 5.11)",
                                 {.name = "blockdev_superblock"}));
  }
  for (std::uint64_t bucket = 0; bucket < l.major_names.length; ++bucket) {
    auto head = memory.read_u64(l.major_names.address + bucket * 8);
    if (!head.ok()) {
      out.problems.push_back(
          head.error().with_context("reading major_names[" + std::to_string(bucket) + "]"));
      continue;
    }
    VisitedNodes seen;
    for (std::uint64_t entry = *head; entry != 0;) {
      if (!cancel.check().ok()) return;
      if (!seen.insert(entry) || seen.size() > kMaxChain) {
        out.problems.push_back(loop_detected("blk_major_name chain", entry));
        break;
      }
      auto window = StructWindow::read(memory, entry, l.bmn_span);
      if (!window.ok()) {
        out.problems.push_back(window.error().with_context("reading blk_major_name " +
                                                           hex_u64(entry) + " of major_names[" +
                                                           std::to_string(bucket) + "]"));
        break;
      }
      BlockDeviceMajor b{.major_name = entry,
                         .major = static_cast<std::uint32_t>(window->value(l.bmn_major))};
      if (auto name = read_name(memory, *window, l.bmn_name); name.ok()) {
        b.name = *name;
      } else {
        out.problems.push_back(name.error().with_context("reading the name of block major " +
                                                         std::to_string(b.major)));
      }
      if (auto it = disks.find(b.major); it != disks.end()) {
        b.gendisk = it->second.gendisk;
        b.ops = it->second.fops;
        b.ops_name = ops_symbol(b.ops);
      }
      out.block_devices.push_back(std::move(b));
      entry = window->value(l.bmn_next);
    }
  }
}

}  // namespace

Result<Devices> list_devices(const VirtualMemory& memory, const KernelLayouts& layouts,
                             const CancellationToken& cancel, const KernelSymbols* symbols) {
  VMSCOPE_TRY(DevicesLayout l, DevicesLayout::resolve(layouts.debug()));
  VMSCOPE_CHECK(cancel.check());
  Devices out;
  const OpsNamer namer{layouts.debug(), symbols};
  list_char_devices(memory, namer, l, cancel, out);
  VMSCOPE_CHECK(cancel.check());
  list_block_devices(memory, namer, l, cancel, out);
  VMSCOPE_CHECK(cancel.check());
  return out;
}

}  // namespace vmscope::kernel
