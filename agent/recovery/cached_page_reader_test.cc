// CachedPageReader on a real XFS on a loop device, counting the sectors
// the loop device reads (/sys/block/loopN/stat). Also records, without
// asserting on the kernel's choice, the preadv2(RWF_NOWAIT) behaviour that
// made us avoid it. Needs root; skipped visibly otherwise.
#include "agent/recovery/cached_page_reader.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/scoped_fd.h"
#include "gtest/gtest.h"
#include "tests/fixtures/loop_fs_test_base.h"

namespace mfr::agent::recovery {
namespace {

constexpr size_t kPage = 4096;
constexpr size_t kPages = 32;

class CachedPageReaderTest : public mfr::testing::LoopFsTest {
 protected:
  void SetUp() override {
    LoopFsTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::string path = fs_->mount_point() + "/f";
    fd_ = ScopedFd(open(path.c_str(), O_RDWR | O_CREAT, 0644));
    ASSERT_TRUE(fd_.valid());
    for (size_t i = 0; i < kPages;
         ++i) {  // small folios: see the rewriter test
      const std::string page(kPage, static_cast<char>('a' + i % 26));
      ASSERT_EQ(pwrite(fd_.get(), page.data(), kPage, i * kPage),
                static_cast<ssize_t>(kPage));
    }
    ASSERT_EQ(fsync(fd_.get()), 0);
  }
  uint64_t SectorsRead() {
    std::ifstream stat(
        absl::StrCat("/sys/block/", fs_->device_name(), "/stat"));
    uint64_t ios = 0, merges = 0, sectors = 0;
    stat >> ios >> merges >> sectors;
    return sectors;
  }
  void Drop(size_t first_page, size_t pages) {
    ASSERT_EQ(posix_fadvise(fd_.get(), first_page * kPage, pages * kPage,
                            POSIX_FADV_DONTNEED),
              0);
  }
  std::unique_ptr<CachedPageReader> Reader() {
    auto reader =
        CachedPageReader::Map(fd_.get(), {0, kPages * kPage}, kPages * kPage);
    EXPECT_TRUE(reader.ok()) << reader.status();
    return reader.ok() ? *std::move(reader) : nullptr;
  }

  ScopedFd fd_;
};

TEST_F(CachedPageReaderTest, ResidencyAndCopiesNeverReadTheDevice) {
  Drop(2, 2);
  std::unique_ptr<CachedPageReader> reader = Reader();
  ASSERT_NE(reader, nullptr);
  const uint64_t before = SectorsRead();
  absl::StatusOr<std::vector<bool>> resident = reader->Residency();
  ASSERT_TRUE(resident.ok()) << resident.status();
  std::vector<bool> expected(kPages, true);
  expected[2] = expected[3] = false;
  EXPECT_EQ(*resident, expected);
  std::string bytes;
  for (size_t i : {0, 1, 4, 31}) {
    ASSERT_TRUE(reader->CopyIfResident(i, &bytes)) << i;
    EXPECT_EQ(bytes, std::string(kPage, static_cast<char>('a' + i % 26)));
  }
  EXPECT_EQ(SectorsRead(), before);
}

TEST_F(CachedPageReaderTest, AnEvictedPageIsRefusedEvenIfTheFaultReadIt) {
  std::unique_ptr<CachedPageReader> reader = Reader();
  ASSERT_NE(reader, nullptr);
  ASSERT_TRUE((*reader->Residency())[5]);
  Drop(5, 1);  // evicted between the residency check and the copy
  std::string bytes = "stale";
  EXPECT_FALSE(reader->CopyIfResident(5, &bytes));
  EXPECT_TRUE(bytes.empty());
}

TEST_F(CachedPageReaderTest, RejectsBadRanges) {
  EXPECT_FALSE(CachedPageReader::Map(fd_.get(), {1, kPage}, kPage * 4).ok());
  EXPECT_FALSE(CachedPageReader::Map(fd_.get(), {0, 100}, kPage * 4).ok());
  EXPECT_FALSE(
      CachedPageReader::Map(fd_.get(), {kPage * 4, kPage}, kPage * 4).ok());
}

// Not a test of our code: what preadv2(RWF_NOWAIT) does on this kernel,
// printed so that a kernel that changes it shows up in the test log.
TEST_F(CachedPageReaderTest, KernelFindingRwfNowaitStillReadsTheDevice) {
  Drop(0, kPages);
  std::vector<char> buf(kPage);
  struct iovec iov = {buf.data(), kPage};
  const uint64_t before = SectorsRead();
  const ssize_t first = preadv2(fd_.get(), &iov, 1, 10 * kPage, RWF_NOWAIT);
  const int error = errno;
  usleep(200 * 1000);
  const uint64_t read_by_nowait = SectorsRead() - before;
  const ssize_t again = preadv2(fd_.get(), &iov, 1, 10 * kPage, RWF_NOWAIT);
  ASSERT_TRUE(first == static_cast<ssize_t>(kPage) ||
              (first < 0 && error == EAGAIN));
  std::cout << "RWF_NOWAIT on a non-resident page: "
            << (first < 0 ? "EAGAIN" : "data") << ", sectors read from the "
            << "device meanwhile: " << read_by_nowait
            << ", a second RWF_NOWAIT read: "
            << (again == static_cast<ssize_t>(kPage) ? "succeeds (the first "
                                                       "one cached the page)"
                                                     : "fails")
            << "\n";
  RecordProperty("rwf_nowait_sectors_read", static_cast<int>(read_by_nowait));
}

// The same for RESIDENT pages: an application's sequential reads leave a
// readahead marker in the cache; RWF_NOWAIT reads of only the resident
// pages (as "mincore, then preadv2" would do) then start async readahead
// of the pages after them, even with POSIX_FADV_RANDOM on our descriptor.
TEST_F(CachedPageReaderTest, KernelFindingRwfNowaitOnResidentPagesReadsAhead) {
  const std::string path = fs_->mount_point() + "/big";
  ScopedFd big(open(path.c_str(), O_RDWR | O_CREAT, 0644));
  const std::string data(1 << 20, 'b');
  ASSERT_EQ(pwrite(big.get(), data.data(), data.size(), 0), 1 << 20);
  ASSERT_EQ(fsync(big.get()), 0);
  ASSERT_EQ(posix_fadvise(big.get(), 0, 0, POSIX_FADV_DONTNEED), 0);
  std::vector<char> buf(kPage);
  for (int i = 0; i < 16; ++i) {  // the application
    ASSERT_EQ(pread(big.get(), buf.data(), kPage, i * kPage), kPage);
  }
  usleep(200 * 1000);
  auto reader = CachedPageReader::Map(big.get(), {0, 1 << 20}, 1 << 20);
  ASSERT_TRUE(reader.ok()) << reader.status();
  const std::vector<bool> resident = *(*reader)->Residency();
  ScopedFd ours(open(path.c_str(), O_RDONLY));
  ASSERT_EQ(posix_fadvise(ours.get(), 0, 0, POSIX_FADV_RANDOM), 0);
  const uint64_t before = SectorsRead();
  size_t resident_pages = 0;
  for (size_t i = 0; i < resident.size() && resident[i];
       ++i, ++resident_pages) {
    struct iovec iov = {buf.data(), kPage};
    preadv2(ours.get(), &iov, 1, i * kPage, RWF_NOWAIT);
  }
  usleep(200 * 1000);
  std::cout << "RWF_NOWAIT reads of " << resident_pages
            << " resident pages made the device read " << SectorsRead() - before
            << " sectors\n";
}

}  // namespace
}  // namespace mfr::agent::recovery
