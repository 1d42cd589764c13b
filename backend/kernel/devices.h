// Character and block device majors, as crash's `dev` lists them.
//
// Character devices: the `chrdevs[]` hash of struct char_device_struct (one region of minors
// per entry, chained by `next`), with the struct cdev the region was registered with
// (char_device_struct.cdev, set by __register_chrdev) or, when that is empty, the cdev that
// cdev_add() put in `cdev_map`'s probes for the region's first device number — and that
// cdev's file_operations. Block devices: the `major_names[]` hash of struct blk_major_name,
// each with the first gendisk of that major found among the block device inodes of
// `blockdev_superblock` (5.11+; crash's search_blockdev_inodes) and its
// block_device_operations.
//
// Every offset comes from DWARF; features are detected by asking whether a member or
// variable exists (char_device_struct.cdev, cdev_map, blockdev_superblock). Walks are bounded;
// an unreadable chain or inode keeps what was read, with the reason in `problems`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "program/kernel_symbols.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct CharDeviceRegion {
  std::uint64_t region = 0;  // struct char_device_struct
  std::uint32_t major = 0;
  std::uint32_t baseminor = 0;
  std::uint32_t minorct = 0;
  std::string name;
  std::uint64_t cdev = 0;  // struct cdev; 0: none registered (crash's "(none)")
  std::uint64_t ops = 0;   // cdev->ops (struct file_operations)
  std::string ops_name;    // the symbol at `ops`, empty when there is none
};

struct BlockDeviceMajor {
  std::uint64_t major_name = 0;  // struct blk_major_name
  std::uint32_t major = 0;
  std::string name;
  std::uint64_t gendisk = 0;  // 0: no disk of this major (crash's "(none)")
  std::uint64_t ops = 0;      // gendisk->fops (struct block_device_operations)
  std::string ops_name;
};

struct Devices {
  std::vector<CharDeviceRegion> char_devices;   // chrdevs[] order: bucket, then chain
  std::vector<BlockDeviceMajor> block_devices;  // major_names[] order: bucket, then chain
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

// `symbols` (the kernel's kallsyms and the modules' symbols, Program::kernel_symbols()) names
// operations that live in modules (loop's lo_fops); without it only the vmlinux's symbols are
// used and a module's operations have an address but no name.
Result<Devices> list_devices(const VirtualMemory& memory, const KernelLayouts& layouts,
                             const CancellationToken& cancel,
                             const KernelSymbols* symbols = nullptr);

}  // namespace vmscope::kernel
