// Table-driven tests of the kernel-message parsers over
// testdata/kmsg_corpus.txt (real lines, each with its source), plus the
// limits that a table cannot show.
#include "agent/sources/kernel_error_parser.h"

#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "agent/sources/corpus_expectation.h"
#include "agent/sources/kmsg_record.h"
#include "agent/sources/test_data.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

struct CorpusRow {
  std::string source;
  std::string expectation;
  std::string line;
};

std::vector<CorpusRow> LoadCorpus() {
  absl::StatusOr<std::string> text = testing::ReadTestData("kmsg_corpus.txt");
  EXPECT_TRUE(text.ok()) << text.status();
  std::vector<CorpusRow> rows;
  if (!text.ok()) return rows;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits('\t', 2));
    EXPECT_EQ(f.size(), 3u) << line;
    if (f.size() == 3) rows.push_back({f[0], f[1], f[2]});
  }
  return rows;
}

TEST(KernelErrorParserCorpus, EveryLineParsesAsExpected) {
  const std::vector<CorpusRow> rows = LoadCorpus();
  ASSERT_GE(rows.size(), 100u);
  const KernelErrorParserOptions options = testing::CorpusBlockSizes();
  int ranges = 0;
  for (const CorpusRow& row : rows) {
    SCOPED_TRACE(row.source + "\n" + row.line);
    absl::StatusOr<testing::Expectation> want =
        testing::ParseExpectation(row.expectation);
    ASSERT_TRUE(want.ok()) << want.status();
    absl::StatusOr<LogLine> log = ParseLogLine(row.line);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ(log->kernel, !want->not_kernel);
    if (want->not_kernel) continue;
    const KernelErrorParse got = ParseKernelError(log->message, options);
    EXPECT_EQ(testing::Mismatch(want->parse, got), "")
        << "want " << testing::Describe(want->parse) << "\n got "
        << testing::Describe(got);
    if (got.outcome == ParseOutcome::kRange) {
      ++ranges;
      EXPECT_GT(got.error.length_bytes, 0u);
      EXPECT_LE(got.error.offset_bytes, UINT64_MAX - got.error.length_bytes);
      EXPECT_FALSE(got.error.what.empty());
    }
  }
  EXPECT_GE(ranges, 60);
}

TEST(KernelErrorParser, EveryCorpusSourceIsNamed) {
  for (const CorpusRow& row : LoadCorpus()) {
    EXPECT_GE(row.source.size(), 8u) << row.line;
  }
}

TEST(KernelErrorParser, TrailingNewlineIsIgnored) {
  const KernelErrorParse p = ParseKernelError(
      "I/O error, dev sdb, sector 8 op 0x0:(READ) flags 0x0 phys_seg 1 prio "
      "class 0\n",
      {});
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_EQ(p.error.offset_bytes, 4096u);
  EXPECT_EQ(p.error.length_bytes, 512u);
}

TEST(KernelErrorParser, OverlongMessageIsRejectedUnscanned) {
  std::string line = "I/O error, dev sdb, sector 8 ";
  line.append(kMaxKernelMessageBytes, 'x');
  EXPECT_EQ(ParseKernelError(line, {}).outcome, ParseOutcome::kRejected);
}

TEST(KernelErrorParser, EmptyMessageIsNoMatch) {
  EXPECT_EQ(ParseKernelError("", {}).outcome, ParseOutcome::kNoMatch);
  EXPECT_EQ(ParseKernelError("\n", {}).outcome, ParseOutcome::kNoMatch);
}

TEST(KernelErrorParser, GarbageBlockSizesFromTheCallerAreIgnored) {
  KernelErrorParserOptions o;
  o.logical_block_bytes = [](absl::string_view) -> uint32_t { return 1000; };
  o.fs_block_bytes = [](absl::string_view) -> uint32_t { return 3; };
  KernelErrorParse p = ParseKernelError("I/O error, dev sdb, sector 8", o);
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_EQ(p.error.length_bytes, 512u);
  p = ParseKernelError("Buffer I/O error on dev sdb, logical block 2", o);
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_EQ(p.error.offset_bytes, 2u * 4096);
  EXPECT_TRUE(p.error.block_size_assumed);
}

TEST(KernelErrorParser, FourKnDeviceGetsOneLogicalBlock) {
  KernelErrorParserOptions o;
  o.logical_block_bytes = [](absl::string_view d) -> uint32_t {
    return d == "sdx" ? 4096 : 0;
  };
  const KernelErrorParse p = ParseKernelError(
      "critical medium error, dev sdx, sector 64 op 0x0:(READ) flags 0x0 "
      "phys_seg 1 prio class 0",
      o);
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_EQ(p.error.offset_bytes, 64u * 512);
  EXPECT_EQ(p.error.length_bytes, 4096u);
  EXPECT_FALSE(p.error.length_exact);
  EXPECT_EQ(p.error.kind, mfr::v1::ERROR_KIND_MEDIUM);
}

TEST(KernelErrorParser, ErrorKindNames) {
  EXPECT_EQ(ErrorKindName(mfr::v1::ERROR_KIND_MEDIUM), "medium");
  EXPECT_EQ(ErrorKindName(mfr::v1::ERROR_KIND_UNSPECIFIED), "unknown");
}

}  // namespace
}  // namespace mfr::agent::sources
