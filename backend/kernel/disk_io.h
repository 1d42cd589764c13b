// Disks and their requests in flight, as crash's `dev -d` lists them: every struct gendisk
// registered in `block_class` (the class's klist of devices whose type is `disk_type`), with
// its major, name, request queue and the requests in flight on that queue, split into reads
// and writes.
//
// For a blk-mq queue (request_queue.mq_ops set and struct request with a `state`) a request
// is in flight when its tag is allocated in a hardware context's tag bitmap (or the tag set's
// shared tags), the request belongs to this queue and its state is MQ_RQ_IN_FLIGHT — the
// kernel's blk_mq_in_flight(), replayed as crash does. Older request paths (the legacy
// request_list, per-CPU disk_stats.in_flight) are not read: such a disk is listed without
// counts and the reason is in `problems`.
//
// The class's private data is `block_class.p` (up to 6.3) or found in `class_kset` (6.4+);
// the gendisk of a device is `block_device.bd_disk` of the block_device around it (5.11+) or
// the gendisk around its part0 (hd_struct.__dev, before). All detected from DWARF.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/virtual_memory.h"
#include "kernel/kernel_layouts.h"
#include "support/cancellation.h"
#include "support/result.h"

namespace vmscope::kernel {

struct DiskIo {
  std::uint64_t gendisk = 0;
  std::uint32_t major = 0;
  std::string name;         // gendisk.disk_name
  std::uint64_t queue = 0;  // struct request_queue
  // Requests in flight; nullopt when they could not be counted (the reason is in problems).
  std::optional<std::uint32_t> reads, writes;
};

struct DiskIoList {
  std::vector<DiskIo> disks;  // block_class order
  std::vector<Error> problems;
  bool partial() const { return !problems.empty(); }
};

// crash's `dev -d` leaves out disks whose name starts with "ram" or "loop"; this does not
// (a caller wanting crash's table filters with crash_skips_disk()).
Result<DiskIoList> list_disk_io(const VirtualMemory& memory, const KernelLayouts& layouts,
                                const CancellationToken& cancel);

bool crash_skips_disk(const std::string& name);

}  // namespace vmscope::kernel
