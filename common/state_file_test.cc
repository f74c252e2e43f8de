// Tests of the atomic state file.
#include "common/state_file.h"

#include <cstdlib>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr {
namespace {

std::string MakeTempDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp ? tmp : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(StateFile, MissingWriteReadReplace) {
  const std::string dir = MakeTempDir("state");
  const std::string path = dir + "/known";
  auto missing = ReadStateFile(path, 100);
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(*missing, std::nullopt);
  ASSERT_TRUE(WriteStateFile(path, "first\n").ok());
  ASSERT_TRUE(WriteStateFile(path, "second\n").ok());
  EXPECT_EQ(**ReadStateFile(path, 100), "second\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  ASSERT_TRUE(WriteStateFile(path, "").ok());
  EXPECT_EQ(**ReadStateFile(path, 100), "");
}

TEST(StateFile, OversizedIsDataLossAndUnwritableIsAnError) {
  const std::string dir = MakeTempDir("state");
  const std::string path = dir + "/known";
  ASSERT_TRUE(WriteStateFile(path, std::string(200000, 'x')).ok());
  EXPECT_TRUE(absl::IsDataLoss(ReadStateFile(path, 199999).status()));
  EXPECT_EQ((*ReadStateFile(path, 200000))->size(), 200000u);
  EXPECT_FALSE(WriteStateFile(dir + "/no/such/dir/known", "x").ok());
}

}  // namespace
}  // namespace mfr
