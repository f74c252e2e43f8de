// Tests of the pmem sysfs reader over the recorded tree (testdata/README.md)
// and broken copies of it. This kernel has no pmem: recorded trees are the
// only way to exercise it.
#include "agent/pmem/sysfs_pmem.h"

#include <filesystem>

#include "agent/pmem/recorded_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

using sources::ByteSpan;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::kGiB;
using testing::kMiB;

class SysfsPmemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto root = testing::MaterializeRecordedTree("sysfs_pmem");
    ASSERT_TRUE(root.ok()) << root.status();
    root_ = *root;
    fs_ = *topology::RootedFs::Open(root_);
  }
  std::string root_;
  std::unique_ptr<topology::RootedFs> fs_;
};

TEST_F(SysfsPmemTest, ScansTheRecordedLayout) {
  absl::StatusOr<PmemScan> scan = ScanPmemNamespaces(*fs_);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_THAT(scan->errors, IsEmpty());
  EXPECT_THAT(scan->regions, ElementsAre("region0", "region1"));
  ASSERT_EQ(scan->namespaces.size(), 3u);  // the seeds are skipped
  const PmemNamespace& fsdax = scan->namespaces[0];
  EXPECT_EQ(fsdax.name, "namespace0.0");
  EXPECT_EQ(fsdax.blockdev, "pmem0");
  EXPECT_EQ(fsdax.mode, NamespaceMode::kFsdax);
  EXPECT_EQ(fsdax.layout.region_start, testing::kRegion0Start);
  EXPECT_EQ(fsdax.layout.physical_start, testing::kRegion0Start);
  EXPECT_EQ(fsdax.layout.data_offset, 2 * kMiB);
  EXPECT_EQ(fsdax.layout.size, 8 * kGiB);
  const PmemNamespace& devdax = scan->namespaces[1];
  EXPECT_EQ(devdax.name, "namespace0.1");
  EXPECT_EQ(devdax.blockdev, "");
  EXPECT_EQ(devdax.mode, NamespaceMode::kDevdax);
  const PmemNamespace& raw = scan->namespaces[2];
  EXPECT_EQ(raw.name, "namespace1.0");
  EXPECT_EQ(raw.region, "region1");
  EXPECT_EQ(raw.blockdev, "pmem1");
  EXPECT_EQ(raw.mode, NamespaceMode::kRaw);
  EXPECT_EQ(raw.layout.data_offset, 0u);
  EXPECT_EQ(raw.layout.size, 16 * kGiB);
}

TEST_F(SysfsPmemTest, ABrokenNamespaceIsLeftOutAndNamed) {
  ASSERT_TRUE(testing::WriteTreeFile(
                  root_, "sys/bus/nd/devices/pfn0.1/resource", "garbage\n")
                  .ok());
  absl::StatusOr<PmemScan> scan = ScanPmemNamespaces(*fs_);
  ASSERT_TRUE(scan.ok()) << scan.status();
  ASSERT_EQ(scan->errors.size(), 1u);
  EXPECT_THAT(scan->errors[0], HasSubstr("namespace0.0 holder resource"));
  ASSERT_EQ(scan->namespaces.size(), 2u);
  EXPECT_EQ(scan->namespaces[0].name, "namespace0.1");
}

TEST_F(SysfsPmemTest, NoNvdimmBusIsNoNamespaces) {
  std::filesystem::remove_all(root_ + "/sys/bus");
  absl::StatusOr<PmemScan> scan = ScanPmemNamespaces(*fs_);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_THAT(scan->namespaces, IsEmpty());
  EXPECT_THAT(scan->regions, IsEmpty());
}

TEST_F(SysfsPmemTest, BlockDevicesAndBadblocks) {
  EXPECT_THAT(*ListPmemBlockDevices(*fs_), ElementsAre("pmem0", "pmem1"));
  auto pmem0 = ReadBadblocks(*fs_, testing::kPmem0Badblocks);
  ASSERT_TRUE(pmem0.ok()) << pmem0.status();
  EXPECT_THAT(**pmem0, ElementsAre(ByteSpan{0, 4096}, ByteSpan{kGiB, 512}));
  auto region1 = ReadBadblocks(*fs_, testing::kRegion1Badblocks);
  ASSERT_TRUE(region1.ok()) << region1.status();
  EXPECT_THAT(**region1, ElementsAre(ByteSpan{512 * kMiB, 4096}));
  EXPECT_EQ(*ReadBadblocks(*fs_, "sys/block/pmem7/badblocks"), std::nullopt);
  ASSERT_TRUE(
      testing::WriteTreeFile(root_, testing::kPmem0Badblocks, "0 8\n12\n")
          .ok());
  auto broken = ReadBadblocks(*fs_, testing::kPmem0Badblocks);
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(broken.status().message()),
              HasSubstr(testing::kPmem0Badblocks));
}

}  // namespace
}  // namespace mfr::agent::pmem
