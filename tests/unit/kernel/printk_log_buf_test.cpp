// The record-based log_buf (3.5–5.9) and the plain byte buffer (older), on synthetic memory:
// the record header is a `struct printk_log` built with the type model, as a 5.x kernel's
// DWARF describes it, so the layout is resolved exactly as on a real kernel.
#include "kernel/printk_log_buf.h"

#include <gtest/gtest.h>

#include <cstring>

#include "testing/sparse_physical_memory.h"

namespace vmscope::kernel {
namespace {

using namespace std::string_literals;
using debuginfo::Member;
using debuginfo::Type;
using debuginfo::TypeKind;

class DirectMap : public AddressTranslator {
 public:
  static constexpr std::uint64_t kBase = 0xffff888000000000;
  Result<Translation> translate(std::uint64_t vaddr) const override {
    if (vaddr < kBase) return Error(ErrorCode::kAddressNotMapped, "unmapped", {.address = vaddr});
    return Translation{vaddr - kBase, 4096};
  }
};

// struct printk_log { u64 ts_nsec; u16 len; u16 text_len; u16 dict_len; u8 facility;
//                     u8 flags:5; u8 level:3; u32 caller_id; }  (24 bytes, 8-aligned)
debuginfo::QualifiedType printk_log_type(bool with_caller) {
  auto u8 = Type::make_integer("u8", 1, false);
  auto u16 = Type::make_integer("u16", 2, false);
  auto u32 = Type::make_integer("u32", 4, false);
  auto u64 = Type::make_integer("u64", 8, false);
  std::vector<Member> members = {Member{"ts_nsec", {u64}, 0, 0},   Member{"len", {u16}, 64, 0},
                                 Member{"text_len", {u16}, 80, 0}, Member{"dict_len", {u16}, 96, 0},
                                 Member{"facility", {u8}, 112, 0}, Member{"flags", {u8}, 120, 5},
                                 Member{"level", {u8}, 125, 3}};
  if (with_caller) members.push_back(Member{"caller_id", {u32}, 128, 0});
  return {Type::make_compound(TypeKind::kStruct, "printk_log", with_caller ? 24 : 16,
                              std::move(members))};
}

constexpr std::uint64_t kVars = 0x1000;  // the printk.c variables
constexpr std::uint64_t kBuf = 0x4000;   // log_buf
constexpr std::uint64_t kBufLen = 256;

class PrintkLogBufTest : public ::testing::Test {
 protected:
  static std::uint64_t v(std::uint64_t p) { return DirectMap::kBase + p; }

  PrintkLogBufLayout layout(bool with_caller = true) {
    auto l = PrintkLogBufLayout::from_record_type(printk_log_type(with_caller));
    EXPECT_TRUE(l.ok()) << l.error().to_string();
    l->log_buf = v(kVars);
    l->log_buf_len = v(kVars + 8);
    l->log_first_idx = v(kVars + 16);
    l->log_next_idx = v(kVars + 20);
    l->log_first_seq = v(kVars + 24);
    l->log_next_seq = v(kVars + 32);
    return *l;
  }
  void SetUp() override {
    std::vector<std::uint8_t> zeros(4096);
    physical_.write(kBuf, zeros.data(), zeros.size());
    physical_.write_u64(kVars, v(kBuf));
    put_u32(kVars + 8, kBufLen);
  }
  void put_u32(std::uint64_t at, std::uint32_t value) { physical_.write(at, &value, 4); }
  // A record at buffer index `idx`; returns the index after it (len padded to 8).
  std::uint64_t put_record(std::uint64_t idx, std::uint64_t ts, const std::string& text,
                           const std::string& dict = "", std::uint8_t level = 6,
                           std::uint8_t flags = 0, std::uint32_t caller = 7) {
    const std::uint64_t len = (24 + text.size() + dict.size() + 7) / 8 * 8;
    std::vector<std::uint8_t> bytes(len);
    std::memcpy(&bytes[0], &ts, 8);
    const auto l16 = static_cast<std::uint16_t>(len), t16 = static_cast<std::uint16_t>(text.size()),
               d16 = static_cast<std::uint16_t>(dict.size());
    std::memcpy(&bytes[8], &l16, 2);
    std::memcpy(&bytes[10], &t16, 2);
    std::memcpy(&bytes[12], &d16, 2);
    bytes[14] = 0;
    bytes[15] = static_cast<std::uint8_t>((level << 5) | flags);
    std::memcpy(&bytes[16], &caller, 4);
    std::memcpy(&bytes[24], text.data(), text.size());
    std::memcpy(&bytes[24 + text.size()], dict.data(), dict.size());
    physical_.write(kBuf + idx, bytes.data(), bytes.size());
    return idx + len;
  }
  void set_indexes(std::uint32_t first_idx, std::uint32_t next_idx, std::uint64_t first_seq,
                   std::uint64_t next_seq) {
    put_u32(kVars + 16, first_idx);
    put_u32(kVars + 20, next_idx);
    physical_.write_u64(kVars + 24, first_seq);
    physical_.write_u64(kVars + 32, next_seq);
  }

  testing::SparsePhysicalMemory physical_;
  DirectMap translator_;
  VirtualMemory memory_{physical_, translator_};
};

TEST_F(PrintkLogBufTest, HeaderFieldsComeFromTheType) {
  PrintkLogBufLayout l = layout();
  EXPECT_EQ(l.header_size, 24u);
  EXPECT_EQ(l.len.offset, 8u);
  EXPECT_EQ(l.level.offset, 15u);
  EXPECT_EQ(l.level.bit_shift, 5u);
  EXPECT_TRUE(l.caller_id.present());
  EXPECT_FALSE(layout(false).caller_id.present());
}

TEST_F(PrintkLogBufTest, ReadsRecordsAcrossTheWrap) {
  // Records at 128 and 200, a wrap marker at 232, then one at 0; next_idx after it.
  std::uint64_t idx = put_record(128, 1000, "late boot", "SUBSYSTEM=pci\0DEVICE=+pci:00:01.0"s);
  idx = put_record(idx, 2000, "cont", "", 4, 8 /* LOG_CONT */, 0x80000002);
  ASSERT_LE(idx + 24, kBufLen);  // room for the zero-length wrap marker (already zeros)
  const std::uint64_t next = put_record(0, 3000, "after wrap");
  set_indexes(128, static_cast<std::uint32_t>(next), 41, 44);
  auto log = read_printk_log_buf(memory_, layout(), {});
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  EXPECT_EQ(log->source, "printk_log");
  EXPECT_FALSE(log->partial());
  ASSERT_EQ(log->records.size(), 3u);
  EXPECT_EQ(log->records[0].seq, 41u);
  EXPECT_EQ(log->records[0].text, "late boot");
  EXPECT_EQ(log->records[0].timestamp_ns, 1000u);
  EXPECT_EQ(log->records[0].caller_tid, 7u);
  ASSERT_EQ(log->records[0].context.size(), 2u);
  EXPECT_EQ(log->records[0].context[0], (std::pair<std::string, std::string>{"SUBSYSTEM", "pci"}));
  EXPECT_EQ(log->records[0].context[1],
            (std::pair<std::string, std::string>{"DEVICE", "+pci:00:01.0"}));
  EXPECT_EQ(log->records[1].level, 4);
  EXPECT_TRUE(log->records[1].continuation);
  EXPECT_EQ(log->records[1].caller_cpu, 2u);
  EXPECT_EQ(log->records[2].seq, 43u);
  EXPECT_EQ(log->records[2].text, "after wrap");
}

TEST_F(PrintkLogBufTest, CorruptLengthEndsTheWalkWithAProblem) {
  std::uint64_t idx = put_record(0, 1, "one");
  const std::uint64_t bad = idx;
  idx = put_record(idx, 2, "two");
  const std::uint16_t tiny = 4;  // shorter than a header
  physical_.write(kBuf + bad + 8, &tiny, 2);
  set_indexes(0, static_cast<std::uint32_t>(idx), 0, 2);
  auto log = read_printk_log_buf(memory_, layout(), {});
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->partial());
  ASSERT_EQ(log->records.size(), 1u);
  EXPECT_EQ(log->records[0].text, "one");
  ASSERT_EQ(log->problems.size(), 1u);
  EXPECT_EQ(log->problems[0].code(), ErrorCode::kCorrupt);
  EXPECT_EQ(log->problems[0].payload().address, v(kBuf + bad));
}

TEST_F(PrintkLogBufTest, ASecondWrapMarkerIsCorruptionNotALoop) {
  // first_idx at a zero header and next_idx unreachable: the walk wraps once, meets the
  // zeros at 0 again, and stops.
  set_indexes(128, 64, 0, 5);
  auto log = read_printk_log_buf(memory_, layout(), {});
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->records.empty());
  ASSERT_EQ(log->problems.size(), 1u);
  EXPECT_EQ(log->problems[0].code(), ErrorCode::kCorrupt);
}

TEST_F(PrintkLogBufTest, IndexesOutsideTheBufferAreAnError) {
  set_indexes(4096, 0, 0, 1);
  auto log = read_printk_log_buf(memory_, layout(), {});
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code(), ErrorCode::kCorrupt);
}

TEST_F(PrintkLogBufTest, PlainBufferLinesWithLevelsAndTimestamps) {
  PrintkLogBufLayout l;
  l.kind = PrintkLogBufLayout::Kind::kPlain;
  l.log_buf = v(kVars);
  l.log_buf_len = v(kVars + 8);
  l.log_end = v(kVars + 40);
  l.logged_chars = v(kVars + 44);
  const std::string text = "<6>[    1.500000] hello\n<4>world\nno level\n";
  // Written so that it wraps: it starts 10 bytes before the end of the 256-byte buffer.
  const std::uint64_t start = 1000 * kBufLen - 10;
  for (std::size_t i = 0; i < text.size(); ++i) {
    physical_.write(kBuf + (start + i) % kBufLen, &text[i], 1);
  }
  put_u32(kVars + 40, static_cast<std::uint32_t>(start + text.size()));
  put_u32(kVars + 44, static_cast<std::uint32_t>(text.size()));
  auto log = read_printk_log_buf(memory_, l, {});
  ASSERT_TRUE(log.ok()) << log.error().to_string();
  EXPECT_EQ(log->source, "plain log_buf");
  ASSERT_EQ(log->records.size(), 3u);
  EXPECT_EQ(log->records[0].level, 6);
  EXPECT_EQ(log->records[0].timestamp_ns, 1500000000u);
  EXPECT_EQ(log->records[0].text, "hello");
  EXPECT_EQ(log->records[1].level, 4);
  EXPECT_EQ(log->records[1].text, "world");
  EXPECT_EQ(log->records[2].text, "no level");
}

}  // namespace
}  // namespace vmscope::kernel
