#include "agent/parse_log.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent {
namespace {

using ::testing::HasSubstr;

TEST(ParseLogTest, FindsRangesInADmesgDump) {
  // A dmesg excerpt as seen on a real failing disk (block layer format of
  // Linux >= 4.18), with syslog noise from a program around it.
  std::istringstream in(
      "[  100.000001] sd 2:0:0:0: [sdb] tag#0 FAILED Result: hostbyte=DID_OK "
      "driverbyte=DRIVER_SENSE\n"
      "Nov 25 12:00:00 host sshd[42]: I/O error, dev sdb, sector 2048\n"
      "[  100.000003] blk_update_request: critical medium error, dev sdb, "
      "sector 2048 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0\n"
      "[  100.000004] EXT4-fs warning: nothing to see\n");
  std::ostringstream out;
  ParseLogCounts counts = ParseLog(in, out, /*json=*/true);
  EXPECT_EQ(counts.lines, 4u);
  EXPECT_EQ(counts.ranges, 1u) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("\"device\":\"sdb\""));
  EXPECT_THAT(out.str(), HasSubstr("\"offsetBytes\":1048576"));
  EXPECT_THAT(out.str(), HasSubstr("\"lengthExact\":false"));
  EXPECT_THAT(out.str(), HasSubstr("\"kind\":\"medium\""));
}

TEST(ParseLogTest, JsonQuoting) {
  EXPECT_EQ(JsonQuote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonQuote("bad\xff"), "\"bad\\u00ff\"");
}

TEST(ParseLogTest, TableHasAHeaderAndSurvivesGarbage) {
  std::istringstream in(std::string("\0\xff\xfe garbage\n", 13) +
                        std::string(100000, 'x') + "\n");
  std::ostringstream out;
  ParseLogCounts counts = ParseLog(in, out, /*json=*/false);
  EXPECT_EQ(counts.ranges, 0u);
  EXPECT_THAT(out.str(), HasSubstr("DEVICE"));
}

}  // namespace
}  // namespace mfr::agent
