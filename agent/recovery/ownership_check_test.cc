// CheckOwnership: the pure extent comparison as a table, then the live
// check on a real XFS on a loop device (root; skipped visibly otherwise).
#include "agent/recovery/ownership_check.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "agent/snapshot/fiemap.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs_test_base.h"

namespace mfr::agent::recovery {
namespace {

using snapshot::FileExtent;
using ::testing::AnyOf;
using ::testing::HasSubstr;

// ------------------------------------------------------------------ pure

TEST(CompareMappingTest, Table) {
  const FileExtent a{0, 100000, 8192, 0};
  const FileExtent b{8192, 500000, 8192, FIEMAP_EXTENT_SHARED};
  const FileExtent u{16384, 600000, 4096, FIEMAP_EXTENT_UNWRITTEN};
  const FileExtent after_gap{32768, 700000, 4096, 0};
  struct Case {
    const char* name;
    ByteSpan range;
    uint64_t physical;
    std::vector<FileExtent> extents;
    OwnershipVerdict verdict;
    uint64_t at;
  };
  const Case cases[] = {
      {"inside one extent", {4096, 4096}, 104096, {a}, OwnershipVerdict::kOk},
      {"whole extent", {0, 8192}, 100000, {a, b}, OwnershipVerdict::kOk},
      {"moved",
       {4096, 4096},
       104097,
       {a},
       OwnershipVerdict::kExtentMoved,
       4096},
      {"second extent not contiguous",
       {4096, 8192},
       104096,
       {a, b},
       OwnershipVerdict::kExtentMoved,
       8192},
      {"second extent, own address",
       {8192, 4096},
       500000,
       {a, b},
       OwnershipVerdict::kOk},
      {"unwritten",
       {16384, 100},
       600000,
       {a, b, u},
       OwnershipVerdict::kUnwritten,
       16384},
      {"gap before an extent",
       {20480, 16384},
       0,
       {a, b, u, after_gap},
       OwnershipVerdict::kHole,
       20480},
      {"past the last extent",
       {8192, 20000},
       500000,
       {a, b},
       OwnershipVerdict::kHole,
       16384},
      {"no extents", {0, 1}, 0, {}, OwnershipVerdict::kHole, 0},
  };
  for (const Case& c : cases) {
    MappingComparison got = CompareMapping(c.range, c.physical, c.extents);
    EXPECT_EQ(got.verdict, c.verdict) << c.name;
    if (c.verdict != OwnershipVerdict::kOk) {
      EXPECT_EQ(got.at, c.at) << c.name;
    }
  }
  EXPECT_TRUE(CompareMapping({8192, 4096}, 500000, {a, b}).shared);
  EXPECT_FALSE(CompareMapping({0, 4096}, 100000, {a, b}).shared);
}

// ------------------------------------------------------------------ live

class OwnershipCheckLiveTest : public mfr::testing::LoopFsTest {
 protected:
  void SetUp() override {
    LoopFsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_EQ(mkdir(Path("d").c_str(), 0755), 0);
  }
  std::string Path(const std::string& rel) const {
    return fs_->mount_point() + "/" + rel;
  }
  // Writes `size` bytes of `fill` and fsyncs, so the blocks are allocated.
  void Write(const std::string& rel, size_t size, char fill) {
    const int fd = open(Path(rel).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0) << rel;
    const std::string data(size, fill);
    ASSERT_EQ(write(fd, data.data(), size), static_cast<ssize_t>(size));
    ASSERT_EQ(fsync(fd), 0);
    close(fd);
  }
  // A claim for file bytes [offset, offset + length) of `rel`, as a fresh
  // snapshot would make it.
  OwnershipClaim Claim(const std::string& rel, uint64_t offset,
                       uint64_t length) {
    OwnershipClaim claim;
    claim.mount_point = fs_->mount_point();
    claim.relative_path = rel;
    claim.file_range = {offset, length};
    const int fd = open(Path(rel).c_str(), O_RDONLY);
    EXPECT_GE(fd, 0);
    struct stat st;
    EXPECT_EQ(fstat(fd, &st), 0);
    claim.inode = st.st_ino;
    int generation = 0;
    EXPECT_EQ(ioctl(fd, FS_IOC_GETVERSION, &generation), 0);
    claim.generation = static_cast<uint32_t>(generation);
    std::vector<FileExtent> extents;
    EXPECT_TRUE(snapshot::ForEachFileExtent(
                    fd, {},
                    [&](absl::Span<const FileExtent> batch) {
                      extents.insert(extents.end(), batch.begin(), batch.end());
                      return absl::OkStatus();
                    },
                    nullptr)
                    .ok());
    close(fd);
    for (const FileExtent& e : extents) {
      if (e.logical <= offset && offset < e.logical + e.length) {
        claim.physical_offset = e.physical + (offset - e.logical);
      }
    }
    return claim;
  }
  void SyncFs() {
    const int fd = open(fs_->mount_point().c_str(), O_RDONLY | O_DIRECTORY);
    ASSERT_GE(fd, 0);
    EXPECT_EQ(syncfs(fd), 0);
    close(fd);
  }
  OwnershipResult Check(const OwnershipClaim& claim) {
    absl::StatusOr<OwnershipResult> result = CheckOwnership(claim);
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return {};
    return *std::move(result);
  }
};

TEST_F(OwnershipCheckLiveTest, UntouchedFileIsOwned) {
  Write("d/a", 64 << 10, 'a');
  const OwnershipClaim claim = Claim("d/a", 8192, 4096);
  ASSERT_NE(claim.physical_offset, 0u);
  OwnershipResult result = Check(claim);
  EXPECT_EQ(result.verdict, OwnershipVerdict::kOk) << result.reason;
  EXPECT_EQ(result.observed_inode, claim.inode);
  EXPECT_TRUE(result.file.valid());
  EXPECT_FALSE(result.shared);
  // The descriptor handed back is the checked file, open as asked.
  OwnershipCheckOptions rw;
  rw.open_flags = O_RDWR;
  absl::StatusOr<OwnershipResult> writable = CheckOwnership(claim, rw);
  ASSERT_TRUE(writable.ok()) << writable.status();
  EXPECT_EQ(fcntl(writable->file.get(), F_GETFL) & O_ACCMODE, O_RDWR);
}

TEST_F(OwnershipCheckLiveTest, AnInodeBornAfterTheSnapshotIsANewFile) {
  const absl::Time before = absl::Now() - absl::Seconds(1);
  Write("d/a", 64 << 10, 'a');
  OwnershipClaim claim = Claim("d/a", 0, 4096);
  claim.existed_at = absl::Now() + absl::Seconds(1);  // snapshot after it
  EXPECT_EQ(Check(claim).verdict, OwnershipVerdict::kOk);
  claim.existed_at = before;  // the snapshot predates the file
  OwnershipResult result = Check(claim);
  EXPECT_EQ(result.verdict, OwnershipVerdict::kGenerationDiffers);
  EXPECT_THAT(result.reason, ::testing::HasSubstr("after the snapshot"));
}

TEST_F(OwnershipCheckLiveTest, StaleAfterDeleteAndBlockReuse) {
  Write("d/a", 64 << 10, 'a');
  const OwnershipClaim claim = Claim("d/a", 0, 64 << 10);
  ASSERT_EQ(unlink(Path("d/a").c_str()), 0);
  // XFS frees the blocks in the background and keeps them "busy" until the
  // log is forced; new files take them over shortly after. Keep writing
  // new files until one sits exactly on the old blocks.
  std::string reuser;
  for (int i = 0; i < 50 && reuser.empty(); ++i) {
    SyncFs();
    const std::string name = "d/new" + std::to_string(i);
    Write(name, 64 << 10, 'n');
    if (Claim(name, 0, 64 << 10).physical_offset == claim.physical_offset) {
      reuser = name;
    } else {
      usleep(100 * 1000);
    }
  }
  ASSERT_FALSE(reuser.empty()) << "no new file reused the freed blocks";
  OwnershipResult gone = Check(claim);
  EXPECT_EQ(gone.verdict, OwnershipVerdict::kFileGone) << gone.reason;
  EXPECT_FALSE(gone.file.valid());
  EXPECT_TRUE(Check(Claim(reuser, 0, 64 << 10)).ok());  // the new owner

  // A new file at the same path, possibly with the same inode number.
  Write("d/a", 64 << 10, 'c');
  OwnershipResult renewed = Check(claim);
  EXPECT_THAT(renewed.verdict, AnyOf(OwnershipVerdict::kInodeDiffers,
                                     OwnershipVerdict::kGenerationDiffers,
                                     OwnershipVerdict::kExtentMoved))
      << renewed.reason;
  if (renewed.observed_inode == claim.inode) {
    EXPECT_EQ(renewed.verdict, OwnershipVerdict::kGenerationDiffers);
  }
}

TEST_F(OwnershipCheckLiveTest, StaleWhenThePathNamesAnotherInode) {
  Write("d/a", 16 << 10, 'a');
  Write("d/c", 16 << 10, 'c');
  const OwnershipClaim claim = Claim("d/a", 0, 4096);
  ASSERT_EQ(rename(Path("d/c").c_str(), Path("d/a").c_str()), 0);
  OwnershipResult result = Check(claim);
  EXPECT_EQ(result.verdict, OwnershipVerdict::kInodeDiffers) << result.reason;
  EXPECT_NE(result.observed_inode, claim.inode);
  EXPECT_THAT(result.reason, HasSubstr("expected"));
}

TEST_F(OwnershipCheckLiveTest, StaleWhenTheExtentMoved) {
  Write("d/a", 16 << 10, 'a');
  OwnershipClaim claim = Claim("d/a", 4096, 8192);
  claim.physical_offset += 4096;
  OwnershipResult result = Check(claim);
  EXPECT_EQ(result.verdict, OwnershipVerdict::kExtentMoved) << result.reason;
  EXPECT_THAT(result.reason, HasSubstr("file offset 4096"));
}

TEST_F(OwnershipCheckLiveTest, HoleUnwrittenDelallocAndPastEof) {
  // d/s: 1 MiB, data only in the first 64 KiB.
  Write("d/s", 64 << 10, 's');
  ASSERT_EQ(truncate(Path("d/s").c_str(), 1 << 20), 0);
  OwnershipClaim hole = Claim("d/s", 512 << 10, 4096);
  hole.physical_offset = 1 << 20;
  EXPECT_EQ(Check(hole).verdict, OwnershipVerdict::kHole);
  OwnershipClaim past = hole;
  past.file_range.offset = 2 << 20;
  OwnershipResult past_eof = Check(past);
  EXPECT_EQ(past_eof.verdict, OwnershipVerdict::kHole);
  EXPECT_THAT(past_eof.reason, HasSubstr("past the end"));

  const int fd = open(Path("d/u").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(fallocate(fd, 0, 0, 64 << 10), 0);
  close(fd);
  const OwnershipClaim unwritten = Claim("d/u", 4096, 4096);
  EXPECT_EQ(Check(unwritten).verdict, OwnershipVerdict::kUnwritten);

  const int dfd = open(Path("d/delalloc").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(dfd, 0);
  const std::string data(16 << 10, 'x');
  ASSERT_EQ(write(dfd, data.data(), data.size()), 16 << 10);
  struct stat st;
  ASSERT_EQ(fstat(dfd, &st), 0);
  close(dfd);  // no fsync: the data waits for blocks
  OwnershipClaim delalloc;
  delalloc.mount_point = fs_->mount_point();
  delalloc.relative_path = "d/delalloc";
  delalloc.inode = st.st_ino;
  delalloc.file_range = {0, 4096};
  delalloc.physical_offset = 1 << 20;
  EXPECT_EQ(Check(delalloc).verdict, OwnershipVerdict::kDelalloc);
}

TEST_F(OwnershipCheckLiveTest, PathsThatMustNotBeFollowed) {
  Write("d/a", 16 << 10, 'a');
  const OwnershipClaim claim = Claim("d/a", 0, 4096);
  ASSERT_EQ(symlink("a", Path("d/link").c_str()), 0);
  ASSERT_EQ(symlink("d", Path("dirlink").c_str()), 0);
  ASSERT_EQ(symlink("/etc", Path("out").c_str()), 0);

  OwnershipClaim c = claim;
  c.relative_path = "d/link";
  OwnershipResult link = Check(c);
  EXPECT_EQ(link.verdict, OwnershipVerdict::kNotRegularFile);
  EXPECT_THAT(link.reason, HasSubstr("symbolic link"));
  c.relative_path = "dirlink/a";
  EXPECT_EQ(Check(c).verdict, OwnershipVerdict::kPathRefused);
  c.relative_path = "out/passwd";
  EXPECT_EQ(Check(c).verdict, OwnershipVerdict::kPathRefused);
  c.relative_path = "d";
  EXPECT_EQ(Check(c).verdict, OwnershipVerdict::kNotRegularFile);
  c.relative_path = "d/missing";
  EXPECT_EQ(Check(c).verdict, OwnershipVerdict::kFileGone);

  for (const char* bad : {"../etc/passwd", "d/../d/a", "/etc/passwd", ""}) {
    c.relative_path = bad;
    EXPECT_EQ(CheckOwnership(c).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST_F(OwnershipCheckLiveTest, APathIntoAnotherMountIsRefused) {
  ASSERT_EQ(mkdir(Path("sub").c_str(), 0755), 0);
  ASSERT_EQ(mount("none", Path("sub").c_str(), "tmpfs", 0, "size=1m"), 0);
  absl::Cleanup unmount = [&] { umount2(Path("sub").c_str(), MNT_DETACH); };
  const int fd = open(Path("sub/f").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  close(fd);
  OwnershipClaim c;
  c.mount_point = fs_->mount_point();
  c.relative_path = "sub/f";
  c.inode = st.st_ino;
  c.file_range = {0, 1};
  OwnershipResult result = Check(c);
  EXPECT_EQ(result.verdict, OwnershipVerdict::kPathRefused);
  EXPECT_THAT(result.reason, HasSubstr("another mount"));
}

TEST_F(OwnershipCheckLiveTest, RejectsBadRanges) {
  Write("d/a", 4096, 'a');
  OwnershipClaim c = Claim("d/a", 0, 4096);
  c.file_range.length = 0;
  EXPECT_EQ(CheckOwnership(c).status().code(),
            absl::StatusCode::kInvalidArgument);
  c.file_range.length = 1;
  c.physical_offset = ~0ull;
  EXPECT_EQ(CheckOwnership(c).status().code(),
            absl::StatusCode::kInvalidArgument);
  c = Claim("d/a", 0, 4096);
  c.mount_point = "relative";
  EXPECT_EQ(CheckOwnership(c).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mfr::agent::recovery
