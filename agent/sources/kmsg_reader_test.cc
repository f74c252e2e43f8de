// The reader on the real /dev/kmsg (root): a line written from user space
// comes back as a user-facility record, sequence numbers resume across
// reopen, and a recorded dump in a file reads the same way.
#include "agent/sources/kmsg_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "agent/sources/sequence_file.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(getenv("TEST_TMPDIR")) / name).string();
}

TEST(KmsgReaderTest, ReadsARecordedDumpAndResumes) {
  const std::string path = TempPath("dump");
  // A regular file returns all records in one read; the reader expects one
  // record per read, as /dev/kmsg gives, so use one record per file here.
  std::ofstream(path) << "3,41,5000,-;blk_update_request: I/O error, dev sdb, "
                         "sector 8\n";
  std::vector<uint64_t> seen;
  auto reader = KmsgReader::Open(path, false, 0);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto n = (*reader)->Poll(absl::ZeroDuration(), [&](const KmsgRecord& r) {
    seen.push_back(r.sequence);
  });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(seen, std::vector<uint64_t>{41});
  auto again = KmsgReader::Open(path, true, 41);
  EXPECT_EQ(*(*again)->Poll(absl::ZeroDuration(), [](const KmsgRecord&) {}),
            0u);
  EXPECT_EQ((*again)->counters().skipped, 1u);
}

TEST(KmsgReaderTest, RealDevKmsgResumesAfterTheLastSequence) {
  if (geteuid() != 0 || access("/dev/kmsg", R_OK | W_OK) != 0) {
    GTEST_SKIP() << "needs root and /dev/kmsg";
  }
  const std::string marker = absl::StrCat("mfr-kmsg-test-", getpid());
  auto reader = KmsgReader::Open("/dev/kmsg", false, 0);
  ASSERT_TRUE(reader.ok()) << reader.status();
  (*reader)->Poll(absl::ZeroDuration(), [](const KmsgRecord&) {}).IgnoreError();
  const uint64_t before = (*reader)->last_sequence();
  {
    int fd = open("/dev/kmsg", O_WRONLY);
    ASSERT_GE(fd, 0);
    const std::string line = marker + "\n";
    ASSERT_EQ(write(fd, line.data(), line.size()),
              static_cast<ssize_t>(line.size()));
    close(fd);
  }
  bool found = false;
  uint32_t facility = 0;
  auto n = (*reader)->Poll(absl::Seconds(2), [&](const KmsgRecord& r) {
    if (r.message == marker) {
      found = true;
      facility = r.facility;
    }
  });
  ASSERT_TRUE(n.ok());
  EXPECT_TRUE(found);
  EXPECT_EQ(facility, 1u) << "user-space lines are facility 1, never kernel";
  EXPECT_GT((*reader)->last_sequence(), before);
  // A restarted reader with the stored resume point sees nothing old.
  const std::string seq_path = TempPath("seq");
  ASSERT_TRUE(WriteSequenceFile(seq_path, (*reader)->last_sequence()).ok());
  auto stored = ReadSequenceFile(seq_path);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  auto restarted = KmsgReader::Open("/dev/kmsg", true, **stored);
  bool old_seen = false;
  (*restarted)
      ->Poll(absl::ZeroDuration(),
             [&](const KmsgRecord& r) { old_seen |= r.message == marker; })
      .IgnoreError();
  EXPECT_FALSE(old_seen);
}

TEST(SequenceFileTest, MissingGarbageAndRoundTrip) {
  const std::string path = TempPath("sequence");
  EXPECT_FALSE(ReadSequenceFile(path)->has_value());
  ASSERT_TRUE(WriteSequenceFile(path, 123456789).ok());
  EXPECT_EQ(**ReadSequenceFile(path), 123456789u);
  std::ofstream(path) << "garbage";
  EXPECT_EQ(ReadSequenceFile(path).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace mfr::agent::sources
