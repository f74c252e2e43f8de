#include "controller/filesystem_selector.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller {
namespace {

mfr::internal::FilesystemRecord Fs(const std::string& device,
                                   const std::string& mount,
                                   const std::string& uuid) {
  mfr::internal::FilesystemRecord fs;
  fs.set_device(device);
  fs.set_mount_point(mount);
  fs.set_fs_uuid(uuid);
  return fs;
}

TEST(SelectFilesystemTest, Table) {
  const std::vector<mfr::internal::FilesystemRecord> known = {
      Fs("loop0", "/mnt/a", "uuid-a"), Fs("sdb1", "/data", "")};
  struct Case {
    FilesystemTarget target;
    absl::StatusCode code;
    std::string want_mount;
  } cases[] = {
      {{"loop0", ""}, absl::StatusCode::kOk, "/mnt/a"},
      {{"", "uuid-a"}, absl::StatusCode::kOk, "/mnt/a"},
      {{"", "/data"}, absl::StatusCode::kOk, "/data"},
      {{"sdb1", ""}, absl::StatusCode::kOk, "/data"},
      {{"sdc", ""}, absl::StatusCode::kNotFound, ""},
      {{"", "/nope"}, absl::StatusCode::kNotFound, ""},
      {{"", ""}, absl::StatusCode::kInvalidArgument, ""},
      {{"loop0", "/mnt/a"}, absl::StatusCode::kInvalidArgument, ""},
  };
  for (const Case& c : cases) {
    auto got = SelectFilesystem("h", known, c.target);
    EXPECT_EQ(got.status().code(), c.code)
        << c.target.device << c.target.filesystem;
    if (got.ok()) {
      EXPECT_EQ((*got)->mount_point(), c.want_mount);
    }
  }
  auto missing = SelectFilesystem("h", known, {"sdc", ""});
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr("known: loop0 /mnt/a uuid-a, sdb1 /data"));
}

}  // namespace
}  // namespace mfr::controller
