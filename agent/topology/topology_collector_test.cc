// Tests for TopologyCollector with a fake FilesystemProbe over recorded
// host trees: this host's sysfs + mountinfo, and the hand-built md/dm stack.
#include "agent/topology/topology_collector.h"

#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "agent/topology/fake_filesystem_probe.h"
#include "agent/topology/snapshot_mount_selection.h"
#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::topology {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kTestData[] = "agent/topology/testdata/";
constexpr char kLoop0Uuid[] = "26348353-83c8-4e72-9f25-e89a1c99a259";

// Builds a host root from a sysfs tree spec and a mountinfo file.
std::string MakeHostRoot(const std::string& tree, const std::string& mounts) {
  std::string root = testing::MakeTempDir("host");
  auto spec = testing::ReadTestData(absl::StrCat(kTestData, tree));
  auto mountinfo = testing::ReadTestData(absl::StrCat(kTestData, mounts));
  EXPECT_TRUE(spec.ok() && mountinfo.ok());
  EXPECT_TRUE(testing::MaterializeTree(
                  absl::StrCat(spec.value_or(""), "\nB proc/self/mountinfo ",
                               absl::CEscape(mountinfo.value_or(""))),
                  root)
                  .ok());
  return root;
}

std::vector<std::string> Points(const std::vector<mfr::v1::Mount>& mounts) {
  std::vector<std::string> points;
  for (const mfr::v1::Mount& m : mounts) points.push_back(m.mount_point());
  return points;
}

TEST(TopologyCollectorTest, CollectsThisHost) {
  testing::FakeFilesystemProbe probe({
      {"/", {"0b1c2d3e-0000-4000-8000-000000000001", 4096}},
      {"/tmp/topo_rec/mnt", {kLoop0Uuid, 4096}},
      {"/tmp/topo_rec/bindsub", {kLoop0Uuid, 4096}},
      {"/tmp/topo_rec/bindroot", {kLoop0Uuid, 4096}},
  });
  HostRoot host;
  host.path = MakeHostRoot("real_loop_vda.tree", "mountinfo_this_host.txt");
  auto got = TopologyCollector(host, &probe).Collect();
  ASSERT_TRUE(got.ok()) << got.status();
  const mfr::v1::Topology& t = got->topology;
  ASSERT_EQ(t.devices_size(), 2);
  EXPECT_EQ(t.devices(0).name(), "loop0");
  std::vector<std::string> points(
      Points({t.mounts().begin(), t.mounts().end()}));
  EXPECT_THAT(
      points,
      ElementsAre("/", "/tmp/topo_rec/mnt", "/tmp/topo_rec/bindsub",
                  "/tmp/topo_rec/bindroot", "/tmp/topo_rec/bind with space"));
  const mfr::v1::Mount& mnt = t.mounts(1);
  EXPECT_EQ(mnt.device(), "loop0");
  EXPECT_EQ(mnt.source(), "/dev/loop0");
  EXPECT_EQ(mnt.fs_type(), "ext4");
  EXPECT_EQ(mnt.fs_uuid(), kLoop0Uuid);
  EXPECT_EQ(mnt.block_size_bytes(), 4096u);
  EXPECT_EQ(mnt.dax(), mfr::v1::DAX_MODE_NEVER);
  EXPECT_EQ(t.mounts(0).device(), "vda");
  EXPECT_EQ(t.mounts(2).root(), "/sub");
  EXPECT_EQ(t.mounts(4).root(), "/with space");
  // The mount the fake does not know keeps empty fields and is reported.
  EXPECT_TRUE(t.mounts(4).fs_uuid().empty());
  EXPECT_THAT(got->warnings,
              Contains(HasSubstr("/tmp/topo_rec/bind with space: probe")));
  EXPECT_EQ(probe.probed().size(), 5u);

  auto selected = SelectSnapshotMounts(t, {});
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_THAT(Points(*selected), ElementsAre("/", "/tmp/topo_rec/mnt"));
}

TEST(TopologyCollectorTest, CollectsStackedMdAndDmWithTables) {
  testing::FakeFilesystemProbe probe({});
  HostRoot host;
  host.path = MakeHostRoot("stacked_md_dm.tree", "mountinfo_stacked.txt");
  host.dm_tables_text =
      testing::ReadTestData(absl::StrCat(kTestData, "dmsetup_table.txt"))
          .value_or("");
  auto got = TopologyCollector(host, &probe).Collect();
  ASSERT_TRUE(got.ok()) << got.status();
  const mfr::v1::Topology& t = got->topology;
  EXPECT_EQ(t.devices_size(), 12);
  std::map<std::string, mfr::v1::BlockDevice> by_name;
  for (const auto& d : t.devices()) by_name[d.name()] = d;
  ASSERT_EQ(by_name["dm-0"].dm().targets_size(), 1);
  const mfr::v1::DmTarget& target = by_name["dm-0"].dm().targets(0);
  EXPECT_EQ(target.type(), "linear");
  EXPECT_EQ(target.args(), "8:18 0");
  EXPECT_EQ(target.length_bytes(), by_name["dm-0"].size_bytes());
  EXPECT_THAT(
      Points({t.mounts().begin(), t.mounts().end()}),
      ElementsAre("/data", "/srv", "/var/www", "/mnt/srv-copy", "/backup"));
  EXPECT_EQ(t.mounts(0).device(), "md0");
  EXPECT_EQ(t.mounts(1).device(), "dm-0");
  EXPECT_EQ(t.mounts(4).device(), "md1");

  auto selected = SelectSnapshotMounts(t, {});
  ASSERT_TRUE(selected.ok()) << selected.status();
  EXPECT_THAT(Points(*selected), ElementsAre("/data", "/srv", "/backup"));
  auto explicit_list = SelectSnapshotMounts(t, {"/home"});
  EXPECT_THAT(explicit_list.status().message(), HasSubstr("/home"));
}

TEST(TopologyCollectorTest, WarnsAboutDmDevicesWithoutTable) {
  testing::FakeFilesystemProbe probe({});
  HostRoot host;
  host.path = MakeHostRoot("stacked_md_dm.tree", "mountinfo_stacked.txt");
  host.dm_tables_text = "other: 0 8 zero\n";
  auto got = TopologyCollector(host, &probe).Collect();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_THAT(got->warnings, Contains(HasSubstr("dm-0: no dm table")));
}

TEST(TopologyCollectorTest, FailsOnBadDmTablesOrMissingInputs) {
  testing::FakeFilesystemProbe probe({});
  HostRoot host;
  host.path = MakeHostRoot("stacked_md_dm.tree", "mountinfo_stacked.txt");
  host.dm_tables_text = "vg0-data: 0 x linear 8:18 0\n";
  EXPECT_EQ(TopologyCollector(host, &probe).Collect().status().code(),
            absl::StatusCode::kInvalidArgument);

  host.path = testing::MakeTempDir("empty_host");
  host.dm_tables_text.clear();
  EXPECT_EQ(TopologyCollector(host, &probe).Collect().status().code(),
            absl::StatusCode::kNotFound);
  host.path = "/nonexistent/mfr/host";
  EXPECT_FALSE(TopologyCollector(host, &probe).Collect().ok());
}

TEST(TopologyCollectorTest, ReportsSkippedMountinfoLines) {
  testing::FakeFilesystemProbe probe({});
  HostRoot host;
  host.path = testing::MakeTempDir("bad_mountinfo");
  ASSERT_TRUE(testing::MaterializeTree(
                  "F sys/class/block/vda/dev 254:0\n"
                  "F sys/class/block/vda/size 8\n"
                  "F proc/self/mountinfo 27 1 254:0 / / rw - ext4 /dev/vda "
                  "rw\\nnot a mountinfo line\n",
                  host.path)
                  .ok());
  auto got = TopologyCollector(host, &probe).Collect();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->topology.mounts_size(), 1);
  EXPECT_THAT(got->warnings, Contains(HasSubstr("skipped 1 lines")));
}

}  // namespace
}  // namespace mfr::agent::topology
