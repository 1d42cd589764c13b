// Modules on synthetic memory: the `modules` list with a 6.4+ mem[] module layout, taint
// letters from a taint_flags[] table in memory, the build-id from the module's sysfs notes.
#include "kernel/modules.h"

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

std::uint64_t v(std::uint64_t p) {
  return DirectMap::kBase + p;
}

std::vector<std::byte> note(std::uint32_t type, const char* name, std::vector<std::uint8_t> desc) {
  std::vector<std::byte> out(12);
  const std::uint32_t namesz = static_cast<std::uint32_t>(std::strlen(name) + 1);
  const std::uint32_t descsz = static_cast<std::uint32_t>(desc.size());
  std::memcpy(out.data(), &namesz, 4);
  std::memcpy(out.data() + 4, &descsz, 4);
  std::memcpy(out.data() + 8, &type, 4);
  for (std::uint32_t i = 0; i < (namesz + 3) / 4 * 4; ++i) {
    out.push_back(i < namesz ? static_cast<std::byte>(name[i]) : std::byte{0});
  }
  for (std::uint32_t i = 0; i < (descsz + 3) / 4 * 4; ++i) {
    out.push_back(i < descsz ? static_cast<std::byte>(desc[i]) : std::byte{0});
  }
  return out;
}

TEST(FindGnuBuildIdTest, SkipsOtherNotesAndStopsAtTruncation) {
  auto other = note(1, "Linux", {1, 2, 3});
  auto id = note(3, "GNU", {0xde, 0xad, 0xbe, 0xef, 0x01});
  std::vector<std::byte> notes = other;
  notes.insert(notes.end(), id.begin(), id.end());
  EXPECT_EQ(find_gnu_build_id(notes), (std::vector<std::uint8_t>{0xde, 0xad, 0xbe, 0xef, 0x01}));
  EXPECT_TRUE(find_gnu_build_id(std::span(notes).first(notes.size() - 4)).empty());
  EXPECT_TRUE(find_gnu_build_id(other).empty());
}

// struct module (made up): list 0, name 16 [56], state 72 (4), taints 80, refcnt 88 (4),
// notes_attrs 96, mem[3] at 128 (struct module_memory { base 0, size 8 } stride 16).
ModuleLayout test_layout() {
  ModuleLayout l;
  l.modules = v(0x1000);
  l.list = {.offset = 0, .size = 16};
  l.name = {.offset = 16, .size = 56};
  l.state = {.offset = 72, .size = 4};
  l.taints = {.offset = 80, .size = 8};
  l.refcnt = {.offset = 88, .size = 4, .is_signed = true};
  l.notes_attrs = {.offset = 96, .size = 8};
  l.mem = 128;
  l.mem_stride = 16;
  l.mem_base = {.offset = 0, .size = 8};
  l.mem_size = {.offset = 8, .size = 4};
  l.mem_types = {{"text", 0}, {"data", 1}, {"init_text", 2}};
  l.mod_init_text = 2;
  for (const Field& f : {l.list, l.name, l.state, l.taints, l.refcnt, l.notes_attrs}) {
    l.module_span.add(f);
  }
  l.module_span.add(Field{.offset = 128, .size = 48});
  l.states = {{0, "MODULE_STATE_LIVE"}, {1, "MODULE_STATE_COMING"}, {2, "MODULE_STATE_GOING"}};
  // module_notes_attrs { dir 0; notes 8 (u32); attrs[] 16 }, bin_attribute 64 bytes with
  // attr.name 0, size 32, private 40.
  l.notes_count = {.offset = 8, .size = 4};
  l.notes_array = 16;
  l.bin_attribute_size = 64;
  l.attr_name = {.offset = 0, .size = 8};
  l.attr_size = {.offset = 32, .size = 8};
  l.attr_private = {.offset = 40, .size = 8};
  // taint_flags[]: { char c_true; char c_false; bool module; } x 19.
  l.taint_flags = v(0x8000);
  l.taint_flags_count = 19;
  l.taint_flag_size = 3;
  l.taint_c_true = {.offset = 0, .size = 1};
  l.taint_module = {.offset = 2, .size = 1};
  return l;
}

class ModulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::uint8_t> zeros(0x1000);
    for (std::uint64_t page = 0x1000; page <= 0x9000; page += 0x1000) {
      physical_.write(page, zeros.data(), zeros.size());
    }
    // modules -> A (0x2000) -> B (0x3000) -> modules
    link(0x1000, 0x2000, 0x3000);
    link(0x2000, 0x3000, 0x1000);
    link(0x3000, 0x1000, 0x2000);
    module(0x2000, "newest", 0, 0x10000, 0x3000, 0x1000, 0x2000);
    module(0x3000, "oldest", 2, 0x20000, 0x2000, 0x800, 0);
    // taint_flags: 'P' for bit 0 (proprietary), 'O' for bit 12 (out of tree), 'E' bit 13.
    const char letters[19] = {'P', 'F', 'S', 'R', 'M', 'B', 'U', 'D', 'A', 'W',
                              'C', 'I', 'O', 'E', 'L', 'K', 'X', 'T', 'N'};
    for (int i = 0; i < 19; ++i) {
      const std::uint8_t flag[3] = {static_cast<std::uint8_t>(letters[i]), ' ', 1};
      physical_.write(0x8000 + 3 * i, flag, 3);
    }
    const std::uint64_t taints = (1u << 12) | (1u << 13);
    physical_.write_u64(0x2000 + 80, taints);
    // A's notes_attrs at 0x5000 with two notes: another section, then the build-id.
    physical_.write_u64(0x2000 + 96, v(0x5000));
    const std::uint32_t count = 2;
    physical_.write(0x5000 + 8, &count, 4);
    attr(0x5000 + 16, ".note.Linux", 0x6000, note(1, "Linux", {7}));
    attr(0x5000 + 16 + 64, ".note.gnu.build-id", 0x6800, note(3, "GNU", {0xab, 0xcd}));
  }
  void link(std::uint64_t node, std::uint64_t next, std::uint64_t prev) {
    physical_.write_u64(node, v(next));
    physical_.write_u64(node + 8, v(prev));
  }
  void module(std::uint64_t at, const char* name, std::uint32_t state, std::uint64_t text,
              std::uint32_t text_size, std::uint32_t data_size, std::uint32_t init_size) {
    physical_.write(at + 16, name, std::strlen(name) + 1);
    physical_.write(at + 72, &state, 4);
    const std::int32_t refcnt = 1;
    physical_.write(at + 88, &refcnt, 4);
    const std::uint64_t bases[3] = {text, text + 0x8000, text + 0x10000};
    const std::uint32_t sizes[3] = {text_size, data_size, init_size};
    for (int i = 0; i < 3; ++i) {
      physical_.write_u64(at + 128 + 16 * i, bases[i]);
      physical_.write(at + 128 + 16 * i + 8, &sizes[i], 4);
    }
  }
  void attr(std::uint64_t at, const char* name, std::uint64_t data,
            const std::vector<std::byte>& bytes) {
    physical_.write(data + 0x400, name, std::strlen(name) + 1);
    physical_.write_u64(at, v(data + 0x400));
    physical_.write_u64(at + 32, bytes.size());
    physical_.write_u64(at + 40, v(data));
    physical_.write(data, bytes.data(), bytes.size());
  }

  testing::SparsePhysicalMemory physical_;
  DirectMap translator_;
  VirtualMemory memory_{physical_, translator_};
};

TEST_F(ModulesTest, ListsModulesWithMemoryStateTaintAndBuildId) {
  auto list = list_modules(memory_, test_layout(), {}, {});
  ASSERT_TRUE(list.ok()) << list.error().to_string();
  EXPECT_FALSE(list->partial());
  ASSERT_EQ(list->modules.size(), 2u);
  const KernelModule& a = list->modules[0];
  EXPECT_EQ(a.name, "newest");
  EXPECT_EQ(a.address, v(0x2000));
  EXPECT_EQ(a.state, "MODULE_STATE_LIVE");
  EXPECT_EQ(a.base, 0x10000u);
  EXPECT_EQ(a.size, 0x4000u);  // text + data; init memory is not counted
  ASSERT_EQ(a.regions.size(), 3u);
  EXPECT_EQ(a.regions[2].kind, "init_text");
  EXPECT_EQ(a.taint_letters, "OE");
  EXPECT_EQ(a.refcnt, 1);
  EXPECT_EQ(a.build_id, (std::vector<std::uint8_t>{0xab, 0xcd}));
  const KernelModule& b = list->modules[1];
  EXPECT_EQ(b.state, "MODULE_STATE_GOING");
  EXPECT_EQ(b.size, 0x2800u);
  EXPECT_EQ(b.regions.size(), 2u);  // no init memory left
  EXPECT_TRUE(b.build_id.empty());
  EXPECT_EQ(b.taint_letters, "");
}

TEST_F(ModulesTest, CoreLayoutKernels) {
  ModuleLayout l = test_layout();
  l.mem.reset();
  l.core_base = {.offset = 128, .size = 8};
  l.core_size = {.offset = 136, .size = 4};
  l.core_text_size = {.offset = 140, .size = 4};
  auto list = list_modules(memory_, l, {}, {});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->modules.size(), 2u);
  EXPECT_EQ(list->modules[0].base, 0x10000u);
  EXPECT_EQ(list->modules[0].size, 0x3000u);
  ASSERT_EQ(list->modules[0].regions.size(), 1u);
  EXPECT_EQ(list->modules[0].regions[0].kind, "core");
}

TEST_F(ModulesTest, CorruptListIsPartial) {
  physical_.write_u64(0x2000, 0x10);  // A's next is not a kernel address
  auto list = list_modules(memory_, test_layout(), {}, {});
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->partial());
  EXPECT_EQ(list->problems[0].code(), ErrorCode::kAddressNotMapped);
  EXPECT_EQ(list->modules.size(), 2u);  // B recovered walking backwards
}

TEST_F(ModulesTest, UnreadableModuleIsAProblem) {
  physical_.exclude_page(0x3000);
  auto list = list_modules(memory_, test_layout(), {}, {});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->partial());
  ASSERT_EQ(list->modules.size(), 1u);
  EXPECT_EQ(list->modules[0].name, "newest");
}

}  // namespace
}  // namespace vmscope::kernel
