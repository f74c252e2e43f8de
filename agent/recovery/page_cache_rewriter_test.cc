// RewriteFromPageCache on a real XFS on a loop device whose backing image
// the test corrupts underneath the cached file. Needs root; skipped
// visibly otherwise.
//
// Which cache is bypassed where:
// - the corruption is written to the loop device's backing IMAGE with
//   O_DIRECT: it reaches the bytes the loop device reads, and XFS's page
//   cache of the file (what the rewriter must save) never hears of it;
// - O_DIRECT reads of the XFS file show what the device holds, without
//   touching (or filling) the file's page cache;
// - /sys/block/loopN/stat counts the sectors read from the loop device: a
//   rewrite may only read what its O_DIRECT check reads back.
#include "agent/recovery/page_cache_rewriter.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agent/snapshot/fiemap.h"
#include "common/scoped_fd.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs_test_base.h"

namespace mfr::agent::recovery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr size_t kPage = 4096;
constexpr size_t kPages = 16;
constexpr size_t kFileSize = kPages * kPage;

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<char, FreeDeleter>;

AlignedBuffer Aligned(size_t size) {
  return AlignedBuffer(static_cast<char*>(std::aligned_alloc(kPage, size)));
}

// Page i holds bytes that name the page and the offset, never all equal.
std::string GoodBytes(size_t size) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    data[i] = static_cast<char>('a' + (i / kPage) % 26 + (i % 7));
  }
  return data;
}

// Compares byte strings without printing kilobytes of them.
::testing::AssertionResult SameBytes(const std::string& got,
                                     const std::string& want) {
  if (got == want) return ::testing::AssertionSuccess();
  size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  return ::testing::AssertionFailure()
         << "sizes " << got.size() << " and " << want.size()
         << ", first difference at byte " << i;
}

class PageCacheRewriterTest : public mfr::testing::LoopFsTest {
 protected:
  void SetUp() override {
    LoopFsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::ifstream backing(
        absl::StrCat("/sys/block/", fs_->device_name(), "/loop/backing_file"));
    std::getline(backing, image_);
    ASSERT_FALSE(image_.empty()) << "no backing file for the loop device";
  }
  // Writes `size` good bytes and fsyncs: blocks allocated, pages cached
  // and clean. Leaves `fd_` open O_RDWR and `physical_` set.
  void WriteCachedFile(size_t size) {
    const std::string path = fs_->mount_point() + "/data";
    fd_ = ScopedFd(open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644));
    ASSERT_TRUE(fd_.valid());
    good_ = GoodBytes(size);
    // Page by page: one big write would make large folios, which the
    // cache drops (FADV_DONTNEED) only as a whole.
    for (size_t done = 0; done < size; done += kPage) {
      const size_t n = std::min(kPage, size - done);
      ASSERT_EQ(pwrite(fd_.get(), good_.data() + done, n, done),
                static_cast<ssize_t>(n));
    }
    ASSERT_EQ(fsync(fd_.get()), 0);
    std::vector<snapshot::FileExtent> extents;
    ASSERT_TRUE(snapshot::ForEachFileExtent(
                    fd_.get(), {},
                    [&](absl::Span<const snapshot::FileExtent> batch) {
                      extents.assign(batch.begin(), batch.end());
                      return absl::OkStatus();
                    },
                    nullptr)
                    .ok());
    ASSERT_EQ(extents.size(), 1u) << "expected one contiguous extent";
    ASSERT_GE(extents[0].length, size);
    physical_ = extents[0].physical;
  }
  // Overwrites the device bytes of file bytes [offset, offset + length)
  // (page aligned) in the backing image, under the page cache.
  void CorruptUnderneath(size_t offset, size_t length) {
    ScopedFd image(open(image_.c_str(), O_RDWR | O_DIRECT));
    ASSERT_TRUE(image.valid());
    AlignedBuffer junk = Aligned(length);
    std::memset(junk.get(), 'X', length);
    ASSERT_EQ(pwrite(image.get(), junk.get(), length, physical_ + offset),
              static_cast<ssize_t>(length));
    ASSERT_EQ(fdatasync(image.get()), 0);
  }
  // The device's bytes for file bytes [offset, offset + length), read from
  // the image with O_DIRECT.
  std::string ImageBytes(size_t offset, size_t length) {
    ScopedFd image(open(image_.c_str(), O_RDONLY | O_DIRECT));
    const size_t aligned = (length + kPage - 1) / kPage * kPage;
    AlignedBuffer buf = Aligned(aligned);
    EXPECT_EQ(pread(image.get(), buf.get(), aligned, physical_ + offset),
              static_cast<ssize_t>(aligned));
    return std::string(buf.get(), length);
  }
  // The file's bytes as the device holds them (O_DIRECT, no page cache).
  std::string DeviceViewOfFile(size_t offset, size_t length) {
    ScopedFd direct(
        open((fs_->mount_point() + "/data").c_str(), O_RDONLY | O_DIRECT));
    AlignedBuffer buf = Aligned(length);
    const ssize_t n = pread(direct.get(), buf.get(), length, offset);
    return std::string(buf.get(), n > 0 ? n : 0);
  }
  std::vector<bool> Resident() {
    const size_t size = good_.size();
    void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd_.get(), 0);
    std::vector<unsigned char> vec((size + kPage - 1) / kPage);
    EXPECT_EQ(mincore(map, size, vec.data()), 0);
    munmap(map, size);
    std::vector<bool> out;
    for (unsigned char v : vec) out.push_back(v & 1);
    return out;
  }
  uint64_t SectorsReadFromDevice() {
    std::ifstream stat(
        absl::StrCat("/sys/block/", fs_->device_name(), "/stat"));
    uint64_t ios = 0, merges = 0, sectors = 0;
    stat >> ios >> merges >> sectors;
    return sectors;
  }
  void Drop(size_t offset, size_t length) {
    ASSERT_EQ(posix_fadvise(fd_.get(), offset, length, POSIX_FADV_DONTNEED), 0);
  }
  std::string CachedRead(size_t offset, size_t length) {
    std::string out(length, '\0');
    EXPECT_EQ(pread(fd_.get(), out.data(), length, offset),
              static_cast<ssize_t>(length));
    return out;
  }

  std::string image_;
  ScopedFd fd_;
  std::string good_;
  uint64_t physical_ = 0;
};

TEST_F(PageCacheRewriterTest, RewritesCachedPagesOverCorruptedBlocks) {
  WriteCachedFile(kFileSize);
  CorruptUnderneath(0, kFileSize);
  ASSERT_TRUE(SameBytes(DeviceViewOfFile(0, kPage), std::string(kPage, 'X')));
  ASSERT_EQ(Resident(), std::vector<bool>(kPages, true));

  std::ostringstream log;
  RewriteOptions options;
  options.log = &log;
  options.label = "/mnt/data";
  const uint64_t sectors_before = SectorsReadFromDevice();
  absl::StatusOr<RewriteResult> result =
      RewriteFromPageCache(fd_.get(), {1000, kFileSize - 2000}, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->recovered, ElementsAre(ByteSpan{1000, kFileSize - 2000}));
  EXPECT_THAT(result->lost, IsEmpty());
  EXPECT_THAT(result->mismatched, IsEmpty());
  EXPECT_EQ(result->bytes_written, kFileSize);  // whole pages
  EXPECT_TRUE(result->verified);
  // Only the O_DIRECT check read the device.
  EXPECT_EQ(SectorsReadFromDevice() - sectors_before, kFileSize / 512);

  EXPECT_TRUE(
      SameBytes(ImageBytes(0, kFileSize), good_));  // the device holds it again
  Drop(0, kFileSize);
  EXPECT_EQ(Resident(), std::vector<bool>(kPages, false));
  EXPECT_TRUE(
      SameBytes(CachedRead(0, kFileSize), good_));  // read back from the device
  EXPECT_THAT(log.str(), HasSubstr("rewrite-from-cache: /mnt/data"));
  EXPECT_THAT(log.str(), HasSubstr("wrote back 65536 bytes"));
  EXPECT_THAT(log.str(), HasSubstr(": verified"));
}

TEST_F(PageCacheRewriterTest, NothingCachedIsAllLostAndNothingWritten) {
  WriteCachedFile(kFileSize);
  Drop(0, kFileSize);
  ASSERT_EQ(Resident(), std::vector<bool>(kPages, false));
  CorruptUnderneath(0, kFileSize);
  const uint64_t sectors_before = SectorsReadFromDevice();
  absl::StatusOr<RewriteResult> result =
      RewriteFromPageCache(fd_.get(), {100, 3 * kPage});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->recovered, IsEmpty());
  EXPECT_THAT(result->lost, ElementsAre(ByteSpan{100, 3 * kPage}));
  EXPECT_EQ(result->bytes_written, 0u);
  EXPECT_FALSE(result->verified);
  EXPECT_EQ(SectorsReadFromDevice(), sectors_before) << "touched the device";
  EXPECT_EQ(Resident(), std::vector<bool>(kPages, false));
  EXPECT_TRUE(SameBytes(ImageBytes(0, kFileSize), std::string(kFileSize, 'X')));
}

TEST_F(PageCacheRewriterTest, PartlyCachedSplitsExactly) {
  WriteCachedFile(kFileSize);
  Drop(4 * kPage, 4 * kPage);  // pages 4..7 leave the cache
  std::vector<bool> expected(kPages, true);
  for (int i = 4; i < 8; ++i) expected[i] = false;
  ASSERT_EQ(Resident(), expected);
  CorruptUnderneath(0, kFileSize);

  const uint64_t sectors_before = SectorsReadFromDevice();
  absl::StatusOr<RewriteResult> result =
      RewriteFromPageCache(fd_.get(), {1000, kFileSize - 2000});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->recovered,
              ElementsAre(ByteSpan{1000, 4 * kPage - 1000},
                          ByteSpan{8 * kPage, 8 * kPage - 1000}));
  EXPECT_THAT(result->lost, ElementsAre(ByteSpan{4 * kPage, 4 * kPage}));
  EXPECT_EQ(result->bytes_written, 12 * kPage);
  EXPECT_TRUE(result->verified);
  // No readahead of the missing pages: only the 12 pages read back.
  EXPECT_EQ(SectorsReadFromDevice() - sectors_before, 12 * kPage / 512);

  const std::string image = ImageBytes(0, kFileSize);
  EXPECT_TRUE(
      SameBytes(image.substr(0, 4 * kPage), good_.substr(0, 4 * kPage)));
  EXPECT_TRUE(SameBytes(image.substr(4 * kPage, 4 * kPage),
                        std::string(4 * kPage, 'X')));
  EXPECT_TRUE(SameBytes(image.substr(8 * kPage), good_.substr(8 * kPage)));
}

TEST_F(PageCacheRewriterTest, DryRunWritesNothing) {
  WriteCachedFile(kFileSize);
  Drop(0, kPage);
  CorruptUnderneath(0, kFileSize);
  const uint64_t sectors_before = SectorsReadFromDevice();
  RewriteOptions options;
  options.dry_run = true;
  absl::StatusOr<RewriteResult> result =
      RewriteFromPageCache(fd_.get(), {0, kFileSize}, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->recovered,
              ElementsAre(ByteSpan{kPage, kFileSize - kPage}));
  EXPECT_THAT(result->lost, ElementsAre(ByteSpan{0, kPage}));
  EXPECT_EQ(result->bytes_written, 0u);
  EXPECT_FALSE(result->verified);
  EXPECT_EQ(SectorsReadFromDevice(), sectors_before);
  EXPECT_TRUE(SameBytes(ImageBytes(0, kFileSize), std::string(kFileSize, 'X')));
  EXPECT_TRUE(SameBytes(CachedRead(kPage, kPage), good_.substr(kPage, kPage)));
}

TEST_F(PageCacheRewriterTest, PartialLastPageStopsAtEof) {
  const size_t size = 2 * kPage + 1808;
  WriteCachedFile(size);
  CorruptUnderneath(0, 3 * kPage);
  absl::StatusOr<RewriteResult> result =
      RewriteFromPageCache(fd_.get(), {kPage, 5 * kPage});  // past EOF
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->recovered, ElementsAre(ByteSpan{kPage, size - kPage}));
  EXPECT_EQ(result->bytes_written, size - kPage);
  EXPECT_TRUE(result->verified);
  EXPECT_TRUE(SameBytes(ImageBytes(kPage, size - kPage), good_.substr(kPage)));
}

TEST_F(PageCacheRewriterTest, RejectsBadDescriptorsAndRanges) {
  WriteCachedFile(kFileSize);
  const std::string path = fs_->mount_point() + "/data";
  ScopedFd read_only(open(path.c_str(), O_RDONLY));
  EXPECT_EQ(RewriteFromPageCache(read_only.get(), {0, kPage}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ScopedFd append(open(path.c_str(), O_RDWR | O_APPEND));
  EXPECT_EQ(RewriteFromPageCache(append.get(), {0, kPage}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RewriteFromPageCache(fd_.get(), {kFileSize, 1}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(RewriteFromPageCache(fd_.get(), {0, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(RewriteFromPageCache(fd_.get(), {0, kMaxRewriteBytes + 1})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace mfr::agent::recovery
