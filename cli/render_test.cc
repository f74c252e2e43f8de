#include "cli/render.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::cli {
namespace {

using ::testing::HasSubstr;

TEST(RenderTest, TableAlignsColumns) {
  EXPECT_EQ(RenderTable({{"A", "BB"}, {"ccc", "d"}}), "A    BB\nccc  d\n");
}

TEST(RenderTest, OwnerKindNames) {
  mfr::v1::OwnerExtent o;
  o.set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
  EXPECT_EQ(OwnerKindName(o), "file data");
  o.set_kind(mfr::v1::OWNER_KIND_METADATA);
  o.set_metadata_kind(mfr::v1::METADATA_KIND_INODE_BTREES);
  EXPECT_EQ(OwnerKindName(o), "metadata (inode btrees)");
  o.set_kind(mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT);
  o.set_unwritten(true);
  EXPECT_EQ(OwnerKindName(o), "not in snapshot, unwritten");
}

TEST(RenderTest, QueryRangeShowsOwnersAndPaths) {
  mfr::v1::QueryRangeResponse r;
  r.set_host("h1");
  r.set_device("loop0");
  r.set_mount_point("/mnt/x");
  auto* o = r.add_owners();
  o->set_kind(mfr::v1::OWNER_KIND_FILE_DATA);
  o->set_inode(131);
  o->set_shared(true);
  o->mutable_device_range()->set_offset_bytes(4096);
  o->mutable_device_range()->set_length_bytes(4096);
  o->mutable_file_range()->set_length_bytes(4096);
  o->add_paths("a/b");
  o->add_paths("a/c");
  std::string text = RenderQueryRange(r);
  EXPECT_THAT(text, HasSubstr("device loop0  filesystem /mnt/x"));
  EXPECT_THAT(
      text,
      HasSubstr(
          "4096..8192    file data  131    0..4096     yes     a/b, a/c"));
}

TEST(RenderTest, HostsWithoutFilesystems) {
  mfr::v1::ListHostsResponse r;
  r.add_hosts()->set_host("lonely");
  EXPECT_THAT(RenderHosts(r), HasSubstr("lonely"));
}

}  // namespace
}  // namespace mfr::cli
