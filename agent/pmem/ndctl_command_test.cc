// Tests of the ndctl runner with stand-in `ndctl` scripts (no NVDIMM and no
// ndctl here): the arguments, the output, exit codes, the deadline and the
// output bound.
#include "agent/pmem/ndctl_command.h"

#include <sys/stat.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "agent/topology/sysfs_tree_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

// Writes an executable shell script `dir`/ndctl with `body`.
std::string FakeNdctl(const std::string& dir, const std::string& body) {
  const std::string path = dir + "/ndctl";
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  chmod(path.c_str(), 0755);
  return path;
}

TEST(FindNdctl, SearchesPathInOrder) {
  const std::string empty = topology::testing::MakeTempDir("path_empty");
  const std::string with = topology::testing::MakeTempDir("path_with");
  EXPECT_EQ(FindNdctl(""), "");
  EXPECT_EQ(FindNdctl(empty), "");
  const std::string tool = FakeNdctl(with, "true");
  EXPECT_EQ(FindNdctl(absl::StrCat(empty, "::", with)), tool);
  chmod(tool.c_str(), 0644);  // not executable: not a candidate
  EXPECT_EQ(FindNdctl(with), "");
}

TEST(ProcessNdctl, PassesTheListArgumentsAndReturnsStdout) {
  const std::string dir = topology::testing::MakeTempDir("ndctl_ok");
  const std::string tool = FakeNdctl(
      dir,
      "[ \"$*\" = \"list --regions --namespaces --media-errors\" ] || exit 3\n"
      "echo noise >&2\n"
      "printf '[{\"dev\":\"region0\"}]\\n'");
  ProcessNdctl ndctl(tool, absl::Seconds(10), 1 << 20);
  absl::StatusOr<std::string> out = ndctl.ListMediaErrors();
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "[{\"dev\":\"region0\"}]\n");
}

TEST(ProcessNdctl, Failures) {
  const std::string dir = topology::testing::MakeTempDir("ndctl_bad");
  const struct {
    const char* what;
    const char* body;
    absl::Duration timeout;
    size_t max_bytes;
    absl::StatusCode code;
  } cases[] = {
      {"non-zero exit", "exit 1", absl::Seconds(10), 1000,
       absl::StatusCode::kInternal},
      {"killed by a signal", "kill -9 $$", absl::Seconds(10), 1000,
       absl::StatusCode::kInternal},
      {"hangs", "exec sleep 30", absl::Milliseconds(200), 1000,
       absl::StatusCode::kDeadlineExceeded},
      {"prints too much", "head -c 100000 /dev/zero", absl::Seconds(10), 1000,
       absl::StatusCode::kResourceExhausted},
  };
  for (const auto& c : cases) {
    const std::string tool = FakeNdctl(dir, c.body);
    ProcessNdctl ndctl(tool, c.timeout, c.max_bytes);
    const absl::Time start = absl::Now();
    EXPECT_EQ(ndctl.ListMediaErrors().status().code(), c.code) << c.what;
    EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << c.what;
  }
  ProcessNdctl missing(dir + "/no-such-ndctl", absl::Seconds(1), 1000);
  EXPECT_EQ(missing.ListMediaErrors().status().code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace mfr::agent::pmem
