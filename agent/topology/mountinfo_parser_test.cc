// Tests for the mountinfo parser: table of real lines (sources named), the
// recorded mountinfo of the development host, escapes, malformed input.
#include "agent/topology/mountinfo_parser.h"

#include <string>
#include <vector>

#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct GoodCase {
  const char* source;  // where the line comes from
  const char* line;
  uint32_t mount_id, parent_id, major, minor;
  const char* root;
  const char* mount_point;
  const char* mount_options;
  std::vector<std::string> optional_fields;
  const char* fs_type;
  const char* src;
  const char* super_options;
};

const GoodCase kGoodCases[] = {
    {"proc(5) example",
     "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
     "rw,errors=continue",
     36,
     35,
     98,
     0,
     "/mnt1",
     "/mnt2",
     "rw,noatime",
     {"master:1"},
     "ext3",
     "/dev/root",
     "rw,errors=continue"},
    {"this host: root fs on virtio",
     "27 1 254:0 / / rw,relatime - ext4 /dev/vda "
     "rw,discard,resv_strict,resuid=65534,resgid=65534",
     27,
     1,
     254,
     0,
     "/",
     "/",
     "rw,relatime",
     {},
     "ext4",
     "/dev/vda",
     "rw,discard,resv_strict,resuid=65534,resgid=65534"},
    {"this host: bind of a directory with a space",
     "48 27 7:0 /with\\040space /tmp/topo_rec/bind\\040with\\040space "
     "rw,relatime - ext4 /dev/loop0 rw",
     48,
     27,
     7,
     0,
     "/with space",
     "/tmp/topo_rec/bind with space",
     "rw,relatime",
     {},
     "ext4",
     "/dev/loop0",
     "rw"},
    {"systemd host: two optional fields",
     "31 1 259:2 / /backup rw,relatime shared:32 master:7 - xfs "
     "/dev/nvme0n1p2 rw,attr2,inode64",
     31,
     1,
     259,
     2,
     "/",
     "/backup",
     "rw,relatime",
     {"shared:32", "master:7"},
     "xfs",
     "/dev/nvme0n1p2",
     "rw,attr2,inode64"},
    {"empty mount source prints as nothing",
     "40 1 0:50 / /x rw,relatime - tmpfs  rw,size=4k",
     40,
     1,
     0,
     50,
     "/",
     "/x",
     "rw,relatime",
     {},
     "tmpfs",
     "",
     "rw,size=4k"},
    {"tab, newline and backslash escapes; fuse subtype",
     "41 1 0:51 / /m\\011t\\012x\\134y rw - fuse.sshfs u@h:/a\\040b "
     "rw,user_id=0",
     41,
     1,
     0,
     51,
     "/",
     "/m\tt\nx\\y",
     "rw",
     {},
     "fuse.sshfs",
     "u@h:/a b",
     "rw,user_id=0"},
};

TEST(MountInfoParserTest, ParsesRealLines) {
  for (const GoodCase& c : kGoodCases) {
    SCOPED_TRACE(c.source);
    absl::StatusOr<MountInfoEntry> e = ParseMountInfoLine(c.line);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(e->mount_id, c.mount_id);
    EXPECT_EQ(e->parent_id, c.parent_id);
    EXPECT_EQ(e->major, c.major);
    EXPECT_EQ(e->minor, c.minor);
    EXPECT_EQ(e->root, c.root);
    EXPECT_EQ(e->mount_point, c.mount_point);
    EXPECT_EQ(e->mount_options, c.mount_options);
    EXPECT_EQ(e->optional_fields, c.optional_fields);
    EXPECT_EQ(e->fs_type, c.fs_type);
    EXPECT_EQ(e->source, c.src);
    EXPECT_EQ(e->super_options, c.super_options);
  }
}

TEST(MountInfoParserTest, RejectsMalformedLines) {
  const char* kBad[] = {
      "",                                                      // empty
      "36 35 98:0 /mnt1 /mnt2 rw",                             // truncated
      "36 35 98:0 /mnt1 /mnt2 rw master:1 ext3 /dev/root rw",  // no "-"
      "36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root",            // 2 after "-"
      "36 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw extra",   // 4 after "-"
      "x 35 98:0 /a /b rw - ext3 /dev/root rw",                // mount id
      "36 -1 98:0 /a /b rw - ext3 /dev/root rw",               // parent id
      "36 35 98-0 /a /b rw - ext3 /dev/root rw",               // major:minor
      "36 35 98:x /a /b rw - ext3 /dev/root rw",               // minor
      "36 35 98:0 /a /b\\000c rw - ext3 /dev/root rw",         // escaped NUL
      "99999999999 35 98:0 /a /b rw - ext3 /dev/root rw",      // id > 32 bits
  };
  for (const char* line : kBad) {
    EXPECT_FALSE(ParseMountInfoLine(line).ok()) << line;
  }
  EXPECT_FALSE(
      ParseMountInfoLine(std::string(kMaxMountInfoLineBytes + 1, 'a')).ok());
}

TEST(MountInfoParserTest, UnescapesOnlyThreeOctalDigits) {
  EXPECT_EQ(UnescapeMountInfoField("a\\040b"), "a b");
  EXPECT_EQ(UnescapeMountInfoField("\\134"), "\\");
  EXPECT_EQ(UnescapeMountInfoField("a\\04"), "a\\04");    // too short
  EXPECT_EQ(UnescapeMountInfoField("a\\8xx"), "a\\8xx");  // not octal
  EXPECT_EQ(UnescapeMountInfoField("\\400"), "\\400");    // over 0377
  EXPECT_EQ(UnescapeMountInfoField("end\\"), "end\\");
}

TEST(MountInfoParserTest, SkipsAndCountsBadLinesInAFile) {
  absl::StatusOr<MountInfoTable> t = ParseMountInfo(
      "22 1 0:21 / /proc rw - proc proc rw\n"
      "garbage\n"
      "\n"
      "23 1 0:22 / /sys rw - sysfs sysfs rw\n"
      "24 1 0:6 / /dev rw\n");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->entries.size(), 2u);
  EXPECT_EQ(t->entries[0].mount_point, "/proc");
  EXPECT_EQ(t->entries[1].mount_point, "/sys");
  EXPECT_EQ(t->skipped_lines, 2);
  EXPECT_THAT(t->first_error, ::testing::HasSubstr("garbage"));
}

TEST(MountInfoParserTest, RejectsOversizedInput) {
  EXPECT_FALSE(ParseMountInfo(std::string(kMaxMountInfoBytes + 1, '\n')).ok());
  std::string many;
  for (size_t i = 0; i <= kMaxMountInfoLines; ++i) many += "x\n";
  EXPECT_FALSE(ParseMountInfo(many).ok());
}

TEST(MountInfoParserTest, ParsesThisHostsRecordedMountinfo) {
  absl::StatusOr<std::string> text =
      testing::ReadTestData("agent/topology/testdata/mountinfo_this_host.txt");
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<MountInfoTable> t = ParseMountInfo(*text);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->skipped_lines, 0) << t->first_error;
  ASSERT_EQ(t->entries.size(), 26u);
  std::vector<std::string> loop0_points;
  for (const MountInfoEntry& e : t->entries) {
    if (e.major == 7 && e.minor == 0) loop0_points.push_back(e.mount_point);
  }
  EXPECT_THAT(
      loop0_points,
      ElementsAre("/tmp/topo_rec/mnt", "/tmp/topo_rec/bindsub",
                  "/tmp/topo_rec/bindroot", "/tmp/topo_rec/bind with space"));
  EXPECT_THAT(t->entries[0].optional_fields, IsEmpty());
}

}  // namespace
}  // namespace mfr::agent::topology
