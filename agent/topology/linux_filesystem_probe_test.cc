// Tests for LinuxFilesystemProbe against the live kernel (no root needed:
// it probes the test's own temporary directory) and uuid formatting.
#include "agent/topology/linux_filesystem_probe.h"

#include <cstdlib>
#include <fstream>

#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

using ::testing::AnyOf;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;

TEST(FormatFsUuidTest, FormatsSixteenBytesAsUuidAndOthersAsHex) {
  const uint8_t uuid[16] = {0x26, 0x34, 0x83, 0x53, 0x83, 0xc8, 0x4e, 0x72,
                            0x9f, 0x25, 0xe8, 0x9a, 0x1c, 0x99, 0xa2, 0x59};
  EXPECT_EQ(FormatFsUuid(uuid, 16), "26348353-83c8-4e72-9f25-e89a1c99a259");
  EXPECT_EQ(FormatFsUuid(uuid, 4), "26348353");
  EXPECT_EQ(FormatFsUuid(uuid, 0), "");
  const uint8_t nil[16] = {};
  EXPECT_EQ(FormatFsUuid(nil, 16), "");  // this host's root ext4 has one
}

TEST(LinuxFilesystemProbeTest, ProbesALiveDirectory) {
  const std::string dir = testing::MakeTempDir("probe");
  LinuxFilesystemProbe probe;
  absl::StatusOr<FsIdentity> id = probe.Probe(dir);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_GT(id->block_size_bytes, 0u);
  // Empty on filesystems or kernels without FS_IOC_GETFSUUID.
  EXPECT_THAT(id->uuid, AnyOf(IsEmpty(),
                              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
                                           "-[0-9a-f]{4}-[0-9a-f]{12}")));
  std::cout << "probed " << dir << ": uuid=\"" << id->uuid
            << "\" block_size=" << id->block_size_bytes << "\n";
}

TEST(LinuxFilesystemProbeTest, ProbesARegularFileWithoutOpeningIt) {
  const std::string file = testing::MakeTempDir("probe_file") + "/f";
  std::ofstream(file) << "x";
  absl::StatusOr<FsIdentity> id = LinuxFilesystemProbe().Probe(file);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_GT(id->block_size_bytes, 0u);
  EXPECT_THAT(id->uuid, IsEmpty());
}

TEST(LinuxFilesystemProbeTest, JoinsTheRootAndReportsMissingPaths) {
  const std::string root = testing::MakeTempDir("probe_root");
  ASSERT_TRUE(testing::MaterializeTree("D mnt/data\n", root).ok());
  EXPECT_TRUE(LinuxFilesystemProbe(root).Probe("/mnt/data").ok());
  EXPECT_EQ(LinuxFilesystemProbe(root).Probe("/mnt/none").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace mfr::agent::topology
