// Tests of WalkInodes on real directory trees: a temporary directory (any
// user) and loop-mounted filesystems (root) for mount points and DT_UNKNOWN.
#include "agent/snapshot/inode_walker.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "common/scoped_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs.h"

namespace mfr::agent::snapshot {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

struct Seen {
  uint64_t inode;
  EntryType type;
};

// Walks `root` and returns path -> what the walker said about it.
std::map<std::string, Seen> Walk(const std::string& root,
                                 const WalkOptions& options, WalkStats* stats) {
  std::map<std::string, Seen> seen;
  ScopedFd fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  EXPECT_TRUE(fd.valid());
  absl::Status status = WalkInodes(
      fd.get(), options,
      [&](const WalkEntry& entry) {
        EXPECT_FALSE(seen.count(std::string(entry.path))) << entry.path;
        seen[std::string(entry.path)] = {entry.inode, entry.type};
        return absl::OkStatus();
      },
      stats);
  EXPECT_TRUE(status.ok()) << status;
  return seen;
}

uint64_t InodeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

void MakeFile(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  ASSERT_TRUE(fd.valid()) << path;
}

// A small tree: files, nested directories, a hard link, a symlink, a FIFO.
void MakeTree(const std::string& root) {
  ASSERT_EQ(mkdir((root + "/a").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root + "/a/b").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root + "/empty").c_str(), 0755), 0);
  MakeFile(root + "/top");
  MakeFile(root + "/a/b/deep");
  ASSERT_EQ(link((root + "/a/b/deep").c_str(), (root + "/a/hard").c_str()), 0);
  ASSERT_EQ(symlink("a", (root + "/link").c_str()), 0);
  ASSERT_EQ(mkfifo((root + "/fifo").c_str(), 0644), 0);
}

std::string MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string dir =
      std::string(base != nullptr ? base : "/tmp") + "/walk.XXXXXX";
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  return dir;
}

TEST(InodeWalkerTest, ReportsEveryPathWithInodeAndType) {
  const std::string root = MakeTempDir();
  MakeTree(root);
  WalkStats stats;
  const std::map<std::string, Seen> seen = Walk(root, WalkOptions(), &stats);
  std::vector<std::string> paths;
  for (const auto& [path, info] : seen) paths.push_back(path);
  EXPECT_THAT(paths, UnorderedElementsAre(".", "a", "a/b", "a/b/deep", "a/hard",
                                          "empty", "top", "link", "fifo"));
  for (const auto& [path, info] : seen) {
    EXPECT_EQ(info.inode, InodeOf(root + "/" + path)) << path;
  }
  EXPECT_EQ(seen.at("a/hard").inode, seen.at("a/b/deep").inode);
  EXPECT_EQ(seen.at("top").type, EntryType::kRegular);
  EXPECT_EQ(seen.at("a/b").type, EntryType::kDirectory);
  EXPECT_EQ(seen.at(".").type, EntryType::kDirectory);
  EXPECT_EQ(seen.at("link").type, EntryType::kOther);
  EXPECT_EQ(seen.at("fifo").type, EntryType::kOther);
  EXPECT_EQ(stats.entries, 9u);
  EXPECT_EQ(stats.directories, 4u);
  EXPECT_EQ(stats.errors, 0u);
}

TEST(InodeWalkerTest, SameResultWithoutOpenat2) {
  const std::string root = MakeTempDir();
  MakeTree(root);
  WalkOptions options;
  const auto with = Walk(root, options, nullptr);
  options.test_hook_disable_openat2 = true;
  const auto without = Walk(root, options, nullptr);
  ASSERT_EQ(with.size(), without.size());
  for (const auto& [path, info] : with) {
    ASSERT_TRUE(without.count(path)) << path;
    EXPECT_EQ(without.at(path).inode, info.inode);
  }
}

TEST(InodeWalkerTest, SmallBufferManyEntries) {
  const std::string root = MakeTempDir();
  ASSERT_EQ(mkdir((root + "/d").c_str(), 0755), 0);
  for (int i = 0; i < 500; ++i) {
    MakeFile(root + "/d/file_with_a_longish_name_" + std::to_string(i));
  }
  WalkOptions options;
  options.getdents_buffer_bytes = 4096;  // many getdents calls
  WalkStats stats;
  EXPECT_EQ(Walk(root, options, &stats).size(), 502u);
}

TEST(InodeWalkerTest, SkipsPathsThatAreTooLong) {
  const std::string root = MakeTempDir();
  MakeTree(root);
  WalkOptions options;
  options.max_path_bytes = 3;  // "a/b" fits, "a/b/deep" does not
  WalkStats stats;
  const auto seen = Walk(root, options, &stats);
  EXPECT_THAT(seen, Contains(Key("a/b")));
  EXPECT_THAT(seen, Not(Contains(Key("a/b/deep"))));
  EXPECT_THAT(seen, Not(Contains(Key("empty"))));
  EXPECT_EQ(stats.too_long, 5u);  // a/b/deep, a/hard, empty, fifo, link
}

TEST(InodeWalkerTest, CallbackErrorStopsTheWalk) {
  const std::string root = MakeTempDir();
  MakeTree(root);
  ScopedFd fd(open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  int calls = 0;
  absl::Status status = WalkInodes(
      fd.get(), WalkOptions(),
      [&](const WalkEntry&) {
        return ++calls == 3 ? absl::AbortedError("enough") : absl::OkStatus();
      },
      nullptr);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(calls, 3);
}

TEST(InodeWalkerTest, RootMustBeADirectory) {
  const std::string root = MakeTempDir();
  MakeFile(root + "/f");
  ScopedFd fd(open((root + "/f").c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(WalkInodes(
                fd.get(), WalkOptions(),
                [](const WalkEntry&) { return absl::OkStatus(); }, nullptr)
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// Unmounts on scope exit, so a failed assertion leaves no mount behind.
class ScopedMount {
 public:
  ScopedMount(const std::string& target) : target_(target) {}
  ~ScopedMount() { umount2(target_.c_str(), MNT_DETACH); }

 private:
  std::string target_;
};

class InodeWalkerLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!mfr::testing::CanUseLoopDevices(&why)) GTEST_SKIP() << why;
  }
};

TEST_F(InodeWalkerLoopTest, DoesNotCrossMountPoints) {
  mfr::testing::LoopFsOptions options;
  options.kind = mfr::testing::FsKind::kExt4;
  options.size_bytes = 32ull << 20;
  auto fs = mfr::testing::LoopFs::Create(options);
  ASSERT_TRUE(fs.ok()) << fs.status();
  const std::string root = (*fs)->mount_point();
  MakeTree(root);
  ASSERT_EQ(mkdir((root + "/tmpfs").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((root + "/bind").c_str(), 0755), 0);
  ASSERT_EQ(mount("tmpfs", (root + "/tmpfs").c_str(), "tmpfs", 0, nullptr), 0);
  ScopedMount tmpfs(root + "/tmpfs");
  MakeFile(root + "/tmpfs/elsewhere");
  // A bind mount of the same filesystem: same st_dev, still another mount.
  ASSERT_EQ(mount((root + "/a").c_str(), (root + "/bind").c_str(), nullptr,
                  MS_BIND, nullptr),
            0);
  ScopedMount bind(root + "/bind");
  WalkStats stats;
  const auto seen = Walk(root, WalkOptions(), &stats);
  EXPECT_THAT(seen, Contains(Key("tmpfs")));  // the mount point itself
  EXPECT_THAT(seen, Not(Contains(Key("tmpfs/elsewhere"))));
  EXPECT_THAT(seen, Contains(Key("bind")));
  EXPECT_THAT(seen, Not(Contains(Key("bind/hard"))));
  EXPECT_EQ(stats.mount_points, 2u);
  EXPECT_EQ(stats.errors, 0u);

  // Without openat2 only the st_dev check is left: tmpfs is still skipped.
  WalkOptions no_openat2;
  no_openat2.test_hook_disable_openat2 = true;
  const auto fallback = Walk(root, no_openat2, &stats);
  EXPECT_THAT(fallback, Not(Contains(Key("tmpfs/elsewhere"))));
}

TEST_F(InodeWalkerLoopTest, ResolvesUnknownTypesWithFstatat) {
  mfr::testing::LoopFsOptions options;
  options.kind = mfr::testing::FsKind::kExt4;
  options.size_bytes = 32ull << 20;
  options.mkfs_args = {"-F", "-q", "-O", "^filetype"};  // d_type: DT_UNKNOWN
  auto fs = mfr::testing::LoopFs::Create(options);
  ASSERT_TRUE(fs.ok()) << fs.status();
  const std::string root = (*fs)->mount_point();
  MakeTree(root);
  WalkStats stats;
  const auto seen = Walk(root, WalkOptions(), &stats);
  EXPECT_EQ(seen.at("a/b").type, EntryType::kDirectory);
  EXPECT_EQ(seen.at("a/b/deep").type, EntryType::kRegular);
  EXPECT_EQ(seen.at("link").type, EntryType::kOther);
  EXPECT_GT(stats.stat_fallbacks, 0u);
  EXPECT_THAT(seen, Contains(Key("a/b/deep")));
}

}  // namespace
}  // namespace mfr::agent::snapshot
