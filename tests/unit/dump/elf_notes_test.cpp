#include "dump/elf_notes.h"

#include <gtest/gtest.h>

#include <cstring>

namespace vmscope {
namespace {

template <typename T>
void put(std::vector<std::byte>& buf, std::size_t at, const T& value) {
  if (buf.size() < at + sizeof(T)) buf.resize(at + sizeof(T));
  std::memcpy(buf.data() + at, &value, sizeof(T));
}

// Appends one note with `namesz` as given (the name is copied up to it) and padding to `align`.
void add_note(std::vector<std::byte>& out, std::string_view name, std::uint32_t namesz,
              std::uint32_t type, std::size_t descsz, std::uint8_t fill, std::uint32_t align = 4) {
  std::size_t at = out.size();
  put(out, at, namesz);
  put(out, at + 4, static_cast<std::uint32_t>(descsz));
  put(out, at + 8, type);
  std::size_t name_at = at + 12;
  std::size_t desc_at = name_at + (namesz + align - 1) / align * align;
  out.resize(desc_at + (descsz + align - 1) / align * align);
  std::memcpy(out.data() + name_at, name.data(), std::min<std::size_t>(name.size(), namesz));
  std::memset(out.data() + desc_at, fill, descsz);
}

TEST(ElfNotesTest, SplitsNotesWithTheirPaddingAndFileOffsets) {
  std::vector<std::byte> bytes;
  add_note(bytes, "CORE", 5, 1, 336, 0xaa);       // name padded 5 -> 8
  add_note(bytes, "VMCOREINFO", 11, 0, 7, 0x41);  // name 11 -> 12, desc 7 -> 8
  add_note(bytes, "CORE", 4, 4, 8, 0x11);         // netdump: namesz 4, no NUL
  add_note(bytes, "", 0, 9, 3, 0x22);             // nameless
  ElfNoteList list = parse_elf_notes(bytes, 1000);
  EXPECT_FALSE(list.stopped.has_value()) << list.stopped->to_string();
  ASSERT_EQ(list.notes.size(), 4u);
  EXPECT_EQ(list.notes[0].name, "CORE");
  EXPECT_EQ(list.notes[0].type, 1u);
  EXPECT_EQ(list.notes[0].offset, 1000u);
  EXPECT_EQ(list.notes[0].desc.size(), 336u);
  EXPECT_EQ(list.notes[0].desc[0], std::byte{0xaa});
  EXPECT_EQ(list.notes[1].name, "VMCOREINFO");
  EXPECT_EQ(list.notes[1].offset, 1000u + 12 + 8 + 336);
  EXPECT_EQ(list.notes[1].desc.size(), 7u);
  EXPECT_EQ(list.notes[2].name, "CORE");
  EXPECT_EQ(list.notes[2].desc[0], std::byte{0x11});
  EXPECT_EQ(list.notes[3].name, "");
  EXPECT_EQ(list.notes[3].desc.size(), 3u);
}

TEST(ElfNotesTest, EightByteAlignment) {
  std::vector<std::byte> bytes;
  add_note(bytes, "GNU", 4, 5, 12, 0x33, 8);
  add_note(bytes, "GNU", 4, 3, 20, 0x44, 8);
  ElfNoteList list = parse_elf_notes(bytes, 0, 8);
  ASSERT_EQ(list.notes.size(), 2u);
  EXPECT_EQ(list.notes[1].desc[0], std::byte{0x44});
  EXPECT_EQ(list.notes[1].offset, 12u + 8 + 16);
  // Read with the wrong alignment the second note is misplaced, and that is noticed.
  ElfNoteList wrong = parse_elf_notes(bytes, 0, 4);
  EXPECT_TRUE(wrong.stopped.has_value() || wrong.notes.size() != 2 ||
              wrong.notes[1].desc[0] != std::byte{0x44});
}

TEST(ElfNotesTest, LastNoteMayOmitItsPaddingAndZeroPaddingEndsTheList) {
  std::vector<std::byte> bytes;
  add_note(bytes, "QEMU", 5, 0, 6, 0x55);
  bytes.resize(bytes.size() - 2);  // descriptor 6 bytes, padding dropped
  ElfNoteList list = parse_elf_notes(bytes, 0);
  EXPECT_FALSE(list.stopped.has_value());
  ASSERT_EQ(list.notes.size(), 1u);
  EXPECT_EQ(list.notes[0].desc.size(), 6u);

  std::vector<std::byte> padded;
  add_note(padded, "QEMU", 5, 0, 8, 0x55);
  padded.resize(padded.size() + 64);  // zeros, as /proc/vmcore's note buffers leave
  list = parse_elf_notes(padded, 0);
  EXPECT_FALSE(list.stopped.has_value());
  EXPECT_EQ(list.notes.size(), 1u);
}

TEST(ElfNotesTest, OversizedNotesStopParsingWithTheirOffset) {
  std::vector<std::byte> bytes;
  add_note(bytes, "CORE", 5, 1, 16, 0x66);
  std::size_t bad = bytes.size();
  add_note(bytes, "CORE", 5, 1, 16, 0x77);
  put(bytes, bad + 4, std::uint32_t{0xffffffff});  // descsz
  add_note(bytes, "CORE", 5, 1, 16, 0x88);
  ElfNoteList list = parse_elf_notes(bytes, 500);
  ASSERT_EQ(list.notes.size(), 1u);
  ASSERT_TRUE(list.stopped.has_value());
  EXPECT_EQ(list.stopped->code(), ErrorCode::kCorrupt);
  EXPECT_EQ(list.stopped->payload().offset, 500u + bad);

  std::vector<std::byte> huge_name;
  add_note(huge_name, "CORE", 5, 1, 0, 0);
  put(huge_name, 0, std::uint32_t{0xfffffffd});  // namesz near 2^32: must not wrap
  list = parse_elf_notes(huge_name, 0);
  EXPECT_TRUE(list.notes.empty());
  EXPECT_TRUE(list.stopped.has_value());
}

TEST(ElfNotesTest, StrayTrailingBytesAreReported) {
  std::vector<std::byte> bytes;
  add_note(bytes, "CORE", 5, 1, 8, 0x01);
  bytes.push_back(std::byte{0x5a});
  bytes.push_back(std::byte{0});
  ElfNoteList list = parse_elf_notes(bytes, 0);
  EXPECT_EQ(list.notes.size(), 1u);
  ASSERT_TRUE(list.stopped.has_value());
  EXPECT_EQ(list.stopped->payload().offset, bytes.size() - 2);
}

TEST(ElfNotesTest, CollectContinuesPrStatusIndexAndKeepsTheFirstVmcoreinfo) {
  std::vector<std::byte> bytes;
  add_note(bytes, "CORE", 5, 1, kPrStatusSize, 0x01);
  add_note(bytes, "VMCOREINFO", 11, 0, 4, 0x41);
  add_note(bytes, "VMCOREINFO", 11, 0, 4, 0x42);
  add_note(bytes, "CORE", 5, 4, 4, 0x43);               // task note too short for an address
  add_note(bytes, "LINUX", 6, 1, kPrStatusSize, 0x44);  // not "CORE": not a CPU
  add_note(bytes, "SNAP", 5, 4, 8, 0x45);
  ElfNoteList list = parse_elf_notes(bytes, 0);
  ASSERT_FALSE(list.stopped.has_value());

  DumpNotes notes;
  notes.prstatus.push_back(PrStatusNote{});  // already one CPU from an earlier segment
  std::vector<Error> problems;
  collect_dump_notes(list.notes, notes, problems);
  ASSERT_EQ(notes.prstatus.size(), 2u);
  EXPECT_EQ(notes.prstatus[1].index, 1u);
  EXPECT_EQ(notes.prstatus[1].pid, 0x01010101);
  EXPECT_EQ(notes.prstatus[1].registers[0], 0x0101010101010101u);
  EXPECT_EQ(notes.vmcoreinfo, "AAAA");
  EXPECT_EQ(notes.panic_task, 0x4545454545454545u);
  ASSERT_EQ(problems.size(), 2u);  // the repeated VMCOREINFO, the short task note
}

}  // namespace
}  // namespace vmscope
