// Tests for the device-mapper table parsers.
#include "agent/topology/dm_table_parser.h"

#include "agent/topology/sysfs_tree_fixture.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

TEST(DmTableParserTest, ParsesLinearAndStripedTables) {
  // Formats from Documentation/admin-guide/device-mapper/linear.rst and
  // striped.rst.
  absl::StatusOr<std::vector<mfr::v1::DmTarget>> t = ParseDmTable(
      "0 2097152 linear 8:17 2048\n"
      "2097152 1024 striped 2 256 /dev/sda 0 /dev/sdb 0\n");
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ((*t)[0].start_bytes(), 0u);
  EXPECT_EQ((*t)[0].length_bytes(), uint64_t{2097152} * 512);
  EXPECT_EQ((*t)[0].type(), "linear");
  EXPECT_EQ((*t)[0].args(), "8:17 2048");
  EXPECT_EQ((*t)[1].start_bytes(), uint64_t{2097152} * 512);
  EXPECT_EQ((*t)[1].length_bytes(), uint64_t{1024} * 512);
  EXPECT_EQ((*t)[1].type(), "striped");
  EXPECT_EQ((*t)[1].args(), "2 256 /dev/sda 0 /dev/sdb 0");
}

TEST(DmTableParserTest, AcceptsEmptyTableAndTargetWithoutArgs) {
  EXPECT_TRUE(ParseDmTable("").value().empty());
  absl::StatusOr<std::vector<mfr::v1::DmTarget>> t = ParseDmTable("0 8 zero\n");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)[0].type(), "zero");
  EXPECT_EQ((*t)[0].args(), "");
}

TEST(DmTableParserTest, RejectsMalformedTables) {
  const char* kBad[] = {
      "0 100\n",                                  // no type
      "x 100 linear 8:1 0\n",                     // start
      "0 -5 linear 8:1 0\n",                      // length
      "0 0 linear 8:1 0\n",                       // zero length
      "8 100 linear 8:1 0\n",                     // does not start at 0
      "0 100 linear 8:1 0\n200 10 linear 8:2 0",  // gap
      "0 100 linear 8:1 0\n50 10 linear 8:2 0",   // overlap
      "0 36028797018963968 linear 8:1 0\n",       // bytes overflow
  };
  for (const char* text : kBad) {
    EXPECT_FALSE(ParseDmTable(text).ok()) << text;
  }
  EXPECT_FALSE(ParseDmTable(std::string(kMaxDmTableBytes + 1, '\n')).ok());
}

TEST(DmTableParserTest, ParsesRecordedDmsetupTableOutput) {
  absl::StatusOr<std::string> text =
      testing::ReadTestData("agent/topology/testdata/dmsetup_table.txt");
  ASSERT_TRUE(text.ok()) << text.status();
  auto tables = ParseDmsetupTables(*text);
  ASSERT_TRUE(tables.ok()) << tables.status();
  ASSERT_EQ(tables->count("vg0-data"), 1u);
  EXPECT_EQ(tables->at("vg0-data")[0].args(), "8:18 0");
}

TEST(DmTableParserTest, GroupsDmsetupLinesByDevice) {
  auto tables = ParseDmsetupTables(
      "vg0-root: 0 100 linear 8:2 2048\n"
      "vg0-home: 0 50 linear 8:2 4096\n"
      "vg0-root: 100 20 linear 8:3 0\n");
  ASSERT_TRUE(tables.ok()) << tables.status();
  EXPECT_EQ(tables->at("vg0-root").size(), 2u);
  EXPECT_EQ(tables->at("vg0-home").size(), 1u);
  EXPECT_TRUE(ParseDmsetupTables("No devices found\n").value().empty());
  EXPECT_FALSE(ParseDmsetupTables("0 100 linear 8:2 0\n").ok());  // no name
  EXPECT_FALSE(ParseDmsetupTables("a: 0 100 linear 8:2 0\na: 7 1 zero\n").ok());
}

}  // namespace
}  // namespace mfr::agent::topology
