#include "tests/faulty_disk/control.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::faulty_disk {
namespace {

using Verb = ControlCommand::Verb;
using ::testing::ElementsAreArray;

TEST(ControlTest, ParseTable) {
  const struct {
    std::string text;
    bool ok;
    std::vector<ControlCommand> want;
  } cases[] = {
      {"bad 1048576 4096\n", true, {{Verb::kBad, {1048576, 4096}}}},
      {"heal 0 512", true, {{Verb::kHeal, {0, 512}}}},
      {"clear\n", true, {{Verb::kClear, {}}}},
      {"  bad\t512   512  \n\n", true, {{Verb::kBad, {512, 512}}}},
      {"bad 0 512\nbad 4096 512\nheal 0 512\n",
       true,
       {{Verb::kBad, {0, 512}},
        {Verb::kBad, {4096, 512}},
        {Verb::kHeal, {0, 512}}}},
      {"", true, {}},
      {"\n", true, {}},
      {"bad 0 0\n", false, {}},                     // empty range
      {"bad 18446744073709551615 2\n", false, {}},  // overflows
      {"bad 0x10 512\n", false, {}},                // decimal only
      {"bad -1 512\n", false, {}},
      {"bad 0\n", false, {}},
      {"bad 0 512 9\n", false, {}},
      {"clear all\n", false, {}},
      {"BAD 0 512\n", false, {}},
      {"bad 0 512\nnonsense\n", false, {}},  // all or nothing
  };
  for (const auto& c : cases) {
    auto parsed = ParseControl(c.text);
    EXPECT_EQ(parsed.ok(), c.ok) << c.text;
    if (parsed.ok()) {
      EXPECT_THAT(*parsed, ElementsAreArray(c.want)) << c.text;
    }
  }
}

TEST(ControlTest, ApplyAndFormat) {
  BadRanges bad;
  auto commands = ParseControl("bad 0 1024\nbad 8192 512\nheal 512 512\n");
  ASSERT_TRUE(commands.ok());
  ApplyControl(*commands, &bad);
  DiskCounters counters;
  counters.reads = 7;
  counters.reads_failed = 2;
  counters.writes = 3;
  counters.bytes_healed = 512;
  EXPECT_EQ(FormatStatus(bad, counters),
            "bad 0 512\nbad 8192 512\nreads 7\nreads_failed 2\nwrites 3\n"
            "bytes_healed 512\n");
  ApplyControl({{Verb::kClear, {}}}, &bad);
  EXPECT_EQ(FormatStatus(bad, DiskCounters()),
            "reads 0\nreads_failed 0\nwrites 0\nbytes_healed 0\n");
}

}  // namespace
}  // namespace mfr::faulty_disk
