// The probe's narrowing over a fake device: healthy chunks cost one read,
// failing chunks are read block by block, other errors stop the probe.
#include "agent/recovery/block_probe.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::recovery {
namespace {

// A device whose listed 512-byte blocks fail.
BlockReader Device(std::set<uint64_t> bad_blocks) {
  return [bad_blocks](uint64_t offset, uint64_t length) {
    for (uint64_t b = offset / 512; b < (offset + length) / 512; ++b) {
      if (bad_blocks.count(b)) return absl::DataLossError("EIO");
    }
    return absl::OkStatus();
  };
}

TEST(FindUnreadableTest, Table) {
  struct Case {
    const char* name;
    ByteSpan window;
    std::set<uint64_t> bad;
    std::vector<ByteSpan> want;
    uint64_t reads;
  };
  const Case kCases[] = {
      {"all healthy: one read per chunk", {0, 16384}, {}, {}, 4},
      {"one bad block in the second chunk",
       {0, 16384},
       {12},
       {{6144, 512}},
       4 + 8},
      {"adjacent bad blocks merge", {0, 4096}, {2, 3}, {{1024, 1024}}, 1 + 8},
      {"the kernel's estimate 8 KiB before the bad sector",
       {3244032, 1 << 20},
       {6352},
       {{6352 * 512, 512}},
       256 + 8},
      {"short last chunk", {0, 5120}, {9}, {{4608, 512}}, 2 + 2},
  };
  for (const Case& c : kCases) {
    ProbeStats stats;
    auto got = FindUnreadable(c.window, 512, 4096, Device(c.bad), &stats);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.name;
    EXPECT_EQ(stats.reads, c.reads) << c.name;
  }
}

TEST(FindUnreadableTest, OtherErrorsStopTheProbe) {
  ProbeStats stats;
  auto got = FindUnreadable(
      {0, 8192}, 512, 4096,
      [](uint64_t, uint64_t) { return absl::PermissionDeniedError("no"); },
      &stats);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(stats.reads, 1u);
  EXPECT_EQ(
      FindUnreadable({0, 8192}, 512, 1000, Device({}), &stats).status().code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mfr::agent::recovery
