// Lines recorded from /proc/<pid>/maps on this machine kind (Linux 6.18:
// python3 mapping a file named "a file (x).bin" and an unlinked one), plus
// synthetic edge cases marked as such.
#include "agent/recovery/proc_maps.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::recovery {
namespace {

struct Case {
  const char* name;
  const char* line;
  uint64_t start, end;
  const char* perms;
  uint64_t offset;
  uint32_t major, minor;
  uint64_t inode;
  const char* path;
  bool deleted;
};

TEST(ParseMapsLineTest, Table) {
  const Case cases[] = {
      {"binary",
       "55dc63f98000-55dc63f99000 r-xp 00001000 fe:00 18624                  "
       "    /root/.pyenv/versions/3.11.7/bin/python3.11",
       0x55dc63f98000, 0x55dc63f99000, "r-xp", 0x1000, 0xfe, 0, 18624,
       "/root/.pyenv/versions/3.11.7/bin/python3.11", false},
      {"spaces and parentheses in the name",
       "7f032db81000-7f032db83000 rw-s 00000000 fe:00 10953662               "
       "    /tmp/exp/a file (x).bin",
       0x7f032db81000, 0x7f032db83000, "rw-s", 0, 0xfe, 0, 10953662,
       "/tmp/exp/a file (x).bin", false},
      {"unlinked file",
       "7f032ce7c000-7f032ce7d000 rw-s 00000000 fe:00 10953677               "
       "    /tmp/exp/gone (deleted)",
       0x7f032ce7c000, 0x7f032ce7d000, "rw-s", 0, 0xfe, 0, 10953677,
       "/tmp/exp/gone", true},
      {"heap",
       "55dc6e925000-55dc6eab5000 rw-p 00000000 00:00 0                      "
       "    [heap]",
       0x55dc6e925000, 0x55dc6eab5000, "rw-p", 0, 0, 0, 0, "[heap]", false},
      {"vsyscall",
       "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0              "
       "    [vsyscall]",
       0xffffffffff600000, 0xffffffffff601000, "--xp", 0, 0, 0, 0, "[vsyscall]",
       false},
      {"anonymous, no path (synthetic, as the kernel pads it)",
       "7f2c4a000000-7f2c4a021000 rw-p 00000000 00:00 0 ", 0x7f2c4a000000,
       0x7f2c4a021000, "rw-p", 0, 0, 0, 0, "", false},
      {"three-digit major, big offset (synthetic)",
       "7f0000000000-7f0000200000 r--s 1234567000 103:2a 99 /mnt/pmem/db",
       0x7f0000000000, 0x7f0000200000, "r--s", 0x1234567000, 0x103, 0x2a, 99,
       "/mnt/pmem/db", false},
      {"a file named \" (deleted)\" (synthetic)",
       "1000-2000 r--p 00000000 07:00 12 /x/ (deleted) (deleted)", 0x1000,
       0x2000, "r--p", 0, 7, 0, 12, "/x/ (deleted)", true},
  };
  for (const Case& c : cases) {
    absl::StatusOr<MapsEntry> e = ParseMapsLine(c.line);
    ASSERT_TRUE(e.ok()) << c.name << ": " << e.status();
    EXPECT_EQ(e->start, c.start) << c.name;
    EXPECT_EQ(e->end, c.end) << c.name;
    EXPECT_EQ(e->perms, c.perms) << c.name;
    EXPECT_EQ(e->offset, c.offset) << c.name;
    EXPECT_EQ(e->dev_major, c.major) << c.name;
    EXPECT_EQ(e->dev_minor, c.minor) << c.name;
    EXPECT_EQ(e->inode, c.inode) << c.name;
    EXPECT_EQ(e->path, c.path) << c.name;
    EXPECT_EQ(e->deleted, c.deleted) << c.name;
    EXPECT_EQ(e->line, c.line) << c.name;
  }
}

TEST(ParseMapsLineTest, FileSpanAndShared) {
  absl::StatusOr<MapsEntry> e =
      ParseMapsLine("7f0000001000-7f0000003000 rw-s 00004000 07:00 5 /f");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->shared());
  EXPECT_EQ(e->file_span(), (ByteSpan{0x4000, 0x2000}));
}

TEST(ParseMapsLineTest, RejectsMalformed) {
  const char* bad[] = {
      "",
      "1000-2000",
      "1000 r--p 0 07:00 1 /x",                      // no end
      "2000-1000 r--p 0 07:00 1 /x",                 // end < start
      "1000-1000 r--p 0 07:00 1 /x",                 // empty
      "1000-2000 r--q 0 07:00 1 /x",                 // perms
      "1000-2000 r--pp 0 07:00 1 /x",                // perms length
      "1000-2000 r--p zz 07:00 1 /x",                // offset
      "1000-2000 r--p 0 0700 1 /x",                  // device
      "1000-2000 r--p 0 07:00 -1 /x",                // inode
      "1000-2000 r--p 0 07:00 x /x",                 // inode
      "1000-2000 r--p 0 07:00",                      // no inode
      "1000-2000 r--p ffffffffffffffff 07:00 1 /x",  // offset + length
      "1000-2000 r--p 0 07:00 1  /x\x01",  // fine, control chars are kept
  };
  for (size_t i = 0; i + 1 < sizeof(bad) / sizeof(bad[0]); ++i) {
    EXPECT_FALSE(ParseMapsLine(bad[i]).ok()) << bad[i];
  }
  EXPECT_TRUE(ParseMapsLine(bad[sizeof(bad) / sizeof(bad[0]) - 1]).ok());
  EXPECT_FALSE(ParseMapsLine(std::string(kMaxMapsLineBytes + 1, '1')).ok());
}

TEST(ParseMapsTest, SkipsAndCountsBadLines) {
  absl::StatusOr<MapsTable> t = ParseMaps(
      "1000-2000 r--p 00000000 07:00 12 /a\n"
      "garbage\n"
      "\n"
      "3000-4000 rw-s 00001000 07:00 13 /b c\n");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->entries.size(), 2u);
  EXPECT_EQ(t->entries[1].path, "/b c");
  EXPECT_EQ(t->skipped_lines, 1);
  EXPECT_THAT(t->first_error, ::testing::HasSubstr("garbage"));
}

TEST(ParseMapsTest, RejectsHugeText) {
  EXPECT_FALSE(ParseMaps(std::string(kMaxMapsBytes + 1, '\n')).ok());
}

}  // namespace
}  // namespace mfr::agent::recovery
