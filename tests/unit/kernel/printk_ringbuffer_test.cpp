// The lockless ring buffer reader on a synthetic ring laid out as the kernel lays it out
// (kernel/printk/printk_ringbuffer.h): descriptors whose state word carries id and state,
// text blocks that start with their descriptor's id, wrapped and data-less blocks, and every
// way a descriptor can be torn.
#include "kernel/printk_ringbuffer.h"

#include <gtest/gtest.h>

#include <cstring>

#include "testing/sparse_physical_memory.h"

namespace vmscope::kernel {
namespace {

class DirectMap : public AddressTranslator {
 public:
  static constexpr std::uint64_t kBase = 0xffff888000000000;
  Result<Translation> translate(std::uint64_t vaddr) const override {
    if (vaddr < kBase) return Error(ErrorCode::kAddressNotMapped, "unmapped", {.address = vaddr});
    return Translation{vaddr - kBase, 4096};
  }
};

constexpr std::uint64_t kPrbVar = 0x1000;  // struct printk_ringbuffer *prb
constexpr std::uint64_t kRing = 0x2000;    // struct printk_ringbuffer
constexpr std::uint64_t kDescs = 0x3000;   // struct prb_desc[4]
constexpr std::uint64_t kInfos = 0x4000;   // struct printk_info[4]
constexpr std::uint64_t kData = 0x5000;    // 128 bytes of text blocks
constexpr std::uint64_t kCountBits = 2;
constexpr std::uint64_t kSizeBits = 7;
constexpr std::uint64_t kShift = 62;  // DESC_FLAGS_SHIFT for a 64-bit state word

// The kernel's 64-bit layout of the structs, as DWARF would give it.
PrintkRingbufferLayout test_layout() {
  PrintkRingbufferLayout l;
  l.prb = DirectMap::kBase + kPrbVar;
  l.count_bits = {.offset = 0, .size = 4};
  l.descs = {.offset = 8, .size = 8};
  l.infos = {.offset = 16, .size = 8};
  l.head_id = {.offset = 24, .size = 8};
  l.tail_id = {.offset = 32, .size = 8};
  l.size_bits = {.offset = 48, .size = 4};
  l.data = {.offset = 56, .size = 8};
  for (const Field& f :
       {l.count_bits, l.descs, l.infos, l.head_id, l.tail_id, l.size_bits, l.data}) {
    l.ringbuffer_span.add(f);
  }
  l.desc_size = 24;
  l.state_var = {.offset = 0, .size = 8};
  l.text_begin = {.offset = 8, .size = 8};
  l.text_next = {.offset = 16, .size = 8};
  l.info_size = 88;
  l.seq = {.offset = 0, .size = 8};
  l.ts_nsec = {.offset = 8, .size = 8};
  l.text_len = {.offset = 16, .size = 2};
  l.facility = {.offset = 18, .size = 1};
  l.flags = {.offset = 19, .size = 1, .bit_shift = 0, .bit_size = 5};
  l.level = {.offset = 19, .size = 1, .bit_shift = 5, .bit_size = 3};
  l.caller_id = {.offset = 20, .size = 4};
  l.subsystem = {.offset = 24, .size = 16};
  l.device = {.offset = 40, .size = 48};
  return l;
}

enum State : std::uint64_t { kReserved = 0, kCommitted = 1, kFinalized = 2, kReusable = 3 };

class PrintkRingbufferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    physical_.write_u64(kPrbVar, v(kRing));
    std::uint32_t bits = kCountBits;
    physical_.write(kRing + 0, &bits, 4);
    physical_.write_u64(kRing + 8, v(kDescs));
    physical_.write_u64(kRing + 16, v(kInfos));
    bits = kSizeBits;
    physical_.write(kRing + 48, &bits, 4);
    physical_.write_u64(kRing + 56, v(kData));
    std::vector<std::uint8_t> zeros(4096);
    physical_.write(kDescs, zeros.data(), zeros.size());
    physical_.write(kInfos, zeros.data(), zeros.size());
    physical_.write(kData, zeros.data(), zeros.size());
  }
  static std::uint64_t v(std::uint64_t p) { return DirectMap::kBase + p; }

  void set_range(std::uint64_t tail, std::uint64_t head) {
    physical_.write_u64(kRing + 24, head);
    physical_.write_u64(kRing + 32, tail);
  }
  void descriptor(std::uint64_t id, std::uint64_t state, std::uint64_t begin, std::uint64_t next) {
    const std::uint64_t at = kDescs + (id & 3) * 24;
    physical_.write_u64(at, (state << kShift) | id);
    physical_.write_u64(at + 8, begin);
    physical_.write_u64(at + 16, next);
  }
  void info(std::uint64_t id, std::uint64_t seq, const std::string& text, std::uint8_t level = 6,
            std::uint8_t flags = 0, std::uint32_t caller = 42, const char* subsystem = "") {
    const std::uint64_t at = kInfos + (id & 3) * 88;
    std::vector<std::uint8_t> bytes(88);
    std::memcpy(&bytes[0], &seq, 8);
    const std::uint64_t ts = seq * 1000 + 5;
    std::memcpy(&bytes[8], &ts, 8);
    const auto len = static_cast<std::uint16_t>(text.size());
    std::memcpy(&bytes[16], &len, 2);
    bytes[18] = 0;
    bytes[19] = static_cast<std::uint8_t>((level << 5) | flags);
    std::memcpy(&bytes[20], &caller, 4);
    std::strncpy(reinterpret_cast<char*>(&bytes[24]), subsystem, 16);
    physical_.write(at, bytes.data(), bytes.size());
  }
  // A text block for `id` at ring offset `index`: its id word, then the text.
  void block(std::uint64_t index, std::uint64_t id, const std::string& text) {
    physical_.write_u64(kData + index, id);
    physical_.write(kData + index + 8, text.data(), text.size());
  }
  // A complete record with its block at logical position `lpos`: 24 bytes per block, room
  // for 16 bytes of text. (The kernel never lets a block end exactly at the ring's end; it
  // moves such a block to the start, so the tests keep blocks clear of the end.)
  void record(std::uint64_t id, std::uint64_t state, std::uint64_t lpos, const std::string& text) {
    descriptor(id, state, lpos, lpos + 24);
    info(id, id, text);
    block(lpos & 127, id, text);
  }
  Result<KernelLog> read() { return read_printk_ringbuffer(memory_, test_layout(), {}); }

  testing::SparsePhysicalMemory physical_;
  DirectMap translator_;
  VirtualMemory memory_{physical_, translator_};
};

TEST_F(PrintkRingbufferTest, ReadsRecordsFromTailToHead) {
  record(8, kFinalized, 256, "first");
  record(9, kFinalized, 280, "second");
  record(10, kCommitted, 304, "third");
  set_range(8, 10);
  info(9, 9, "second", 3, 8 /* LOG_CONT */, 0x80000001 /* CPU 1 */, "pci");
  auto log = read();
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  EXPECT_FALSE(log->partial());
  ASSERT_EQ(log->records.size(), 3u);
  EXPECT_EQ(log->records[0].text, "first");
  EXPECT_EQ(log->records[0].seq, 8u);
  EXPECT_EQ(log->records[0].timestamp_ns, 8005u);
  EXPECT_EQ(log->records[0].level, 6);
  EXPECT_EQ(log->records[0].caller_tid, 42u);
  EXPECT_EQ(log->records[0].state, LogRecordState::kFinalized);
  EXPECT_EQ(log->records[1].level, 3);
  EXPECT_TRUE(log->records[1].continuation);
  EXPECT_EQ(log->records[1].caller_cpu, 1u);
  EXPECT_FALSE(log->records[1].caller_tid);
  ASSERT_EQ(log->records[1].context.size(), 1u);
  EXPECT_EQ(log->records[1].context[0], (std::pair<std::string, std::string>{"SUBSYSTEM", "pci"}));
  EXPECT_EQ(log->records[2].text, "third");
  EXPECT_EQ(log->records[2].state, LogRecordState::kCommitted);
}

TEST_F(PrintkRingbufferTest, WrappedAndDatalessBlocks) {
  // id 8: a block that did not fit at the ring's end (lpos 112 of 128) went to index 0.
  descriptor(8, kFinalized, 112, 128 + 24);
  info(8, 8, "wrapped");
  block(0, 8, "wrapped");
  // id 9: an empty line has no block at all (NO_LPOS).
  descriptor(9, kFinalized, 3, 3);
  info(9, 9, "");
  set_range(8, 9);
  auto log = read();
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  ASSERT_EQ(log->records.size(), 2u);
  EXPECT_EQ(log->records[0].text, "wrapped");
  EXPECT_EQ(log->records[1].text, "");
  EXPECT_FALSE(log->partial());
}

TEST_F(PrintkRingbufferTest, ReservedIsReportedWithoutTextAndReusableIsPassedOver) {
  record(8, kFinalized, 256, "done");
  record(9, kReserved, 280, "half-writ");
  record(10, kReusable, 304, "old");
  set_range(8, 10);
  auto log = read();
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->records.size(), 2u);
  EXPECT_EQ(log->records[1].state, LogRecordState::kReserved);
  EXPECT_EQ(log->records[1].text, "");
  EXPECT_EQ(log->records[1].seq, 9u);
  EXPECT_FALSE(log->partial());  // a freed descriptor is not a lost record
}

TEST_F(PrintkRingbufferTest, TornDescriptorsAreSkippedAndCounted) {
  record(8, kFinalized, 256, "good");
  record(9, kFinalized, 280, "torn id");
  record(10, kFinalized, 304, "bad block");
  record(11, kFinalized, 328, "clobbered");
  set_range(8, 11);
  // id 9's slot holds another lap's id; id 10's positions are reversed; id 11's block
  // belongs to someone else.
  physical_.write_u64(kDescs + 1 * 24, (kFinalized << kShift) | 13);
  descriptor(10, kFinalized, 328, 304);
  physical_.write_u64(kData + (328 & 127), 99);
  auto log = read();
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->partial());
  ASSERT_EQ(log->records.size(), 1u);
  EXPECT_EQ(log->records[0].text, "good");
  EXPECT_EQ(log->skipped["descriptor id mismatch"], 1u);
  EXPECT_EQ(log->skipped["invalid text block"], 1u);
  EXPECT_EQ(log->skipped["text block id mismatch"], 1u);
}

TEST_F(PrintkRingbufferTest, TextLengthIsBoundedByTheBlock) {
  descriptor(8, kFinalized, 256, 256 + 16);  // room for 8 bytes of text
  info(8, 8, "0123456789abcdef");            // text_len 16 claims more
  block(0, 8, "0123456789abcdef");
  set_range(8, 8);
  auto log = read();
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->records.size(), 1u);
  EXPECT_EQ(log->records[0].text, "01234567");
}

TEST_F(PrintkRingbufferTest, UnreadableDescriptorsAreSkippedWithAProblem) {
  record(8, kFinalized, 256, "lost");
  set_range(8, 8);
  physical_.exclude_page(kDescs);
  auto log = read();
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->records.empty());
  EXPECT_EQ(log->skipped["unreadable descriptor"], 1u);
  ASSERT_FALSE(log->problems.empty());
  EXPECT_EQ(log->problems[0].code(), ErrorCode::kPageExcluded);
}

TEST_F(PrintkRingbufferTest, ImpossibleHeaderIsAnError) {
  std::uint32_t bits = 60;
  physical_.write(kRing, &bits, 4);
  auto log = read();
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code(), ErrorCode::kCorrupt);
}

TEST_F(PrintkRingbufferTest, HeadFarAheadOfTailReadsOnlyOneLap) {
  record(8, kFinalized, 256, "a");
  record(9, kFinalized, 280, "b");
  record(10, kFinalized, 304, "c");
  record(11, kFinalized, 328, "d");
  set_range(0, 11);  // 12 ids in a ring of 4: corrupt tail
  auto log = read();
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->records.size(), 4u);
  ASSERT_FALSE(log->problems.empty());
  EXPECT_EQ(log->problems[0].code(), ErrorCode::kCorrupt);
}

TEST_F(PrintkRingbufferTest, CancellationStopsTheRead) {
  record(8, kFinalized, 256, "a");
  set_range(8, 8);
  CancellationSource source;
  source.cancel();
  auto log = read_printk_ringbuffer(memory_, test_layout(), source.token());
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code(), ErrorCode::kCancelled);
}

}  // namespace
}  // namespace vmscope::kernel
