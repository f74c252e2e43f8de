// Tests of the burst aggregator: recorded bursts from bug reports
// (testdata/kmsg_bursts.txt) and the rules a table cannot show.
#include "agent/sources/kmsg_burst.h"

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

struct Burst {
  std::string source;
  std::vector<std::string> lines;
  std::vector<std::string> expectations;
};

std::vector<Burst> LoadBursts() {
  absl::StatusOr<std::string> text = testing::ReadTestData("kmsg_bursts.txt");
  EXPECT_TRUE(text.ok()) << text.status();
  std::vector<Burst> bursts;
  if (!text.ok()) return bursts;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (absl::ConsumePrefix(&line, "burst ")) {
      bursts.push_back({std::string(line), {}, {}});
    } else if (bursts.empty() || line.empty() || line[0] == '#' ||
               line == "end") {
      continue;
    } else if (absl::ConsumePrefix(&line, "> ")) {
      bursts.back().lines.emplace_back(line);
    } else if (absl::ConsumePrefix(&line, "= ")) {
      bursts.back().expectations.emplace_back(line);
    } else {
      ADD_FAILURE() << "bad burst line: " << line;
    }
  }
  return bursts;
}

// Feeds `lines` through ParseLogLine and the burst; the non-none results.
std::vector<KernelErrorParse> FeedAll(KmsgBurst* burst,
                                      const std::vector<std::string>& lines) {
  std::vector<KernelErrorParse> results;
  for (const std::string& line : lines) {
    absl::StatusOr<LogLine> log = ParseLogLine(line);
    EXPECT_TRUE(log.ok() && log->kernel) << line;
    if (!log.ok()) continue;
    KernelErrorParse p = burst->Feed(log->message);
    if (p.outcome != ParseOutcome::kNoMatch) results.push_back(std::move(p));
  }
  return results;
}

TEST(KmsgBurstCorpus, RecordedBurstsGiveTheExpectedRanges) {
  const std::vector<Burst> bursts = LoadBursts();
  ASSERT_GE(bursts.size(), 10u);
  for (const Burst& b : bursts) {
    SCOPED_TRACE(b.source);
    KmsgBurst burst(testing::CorpusBlockSizes());
    const std::vector<KernelErrorParse> got = FeedAll(&burst, b.lines);
    ASSERT_EQ(got.size(), b.expectations.size());
    for (size_t i = 0; i < got.size(); ++i) {
      absl::StatusOr<testing::Expectation> want =
          testing::ParseExpectation(b.expectations[i]);
      ASSERT_TRUE(want.ok()) << want.status();
      EXPECT_EQ(testing::Mismatch(want->parse, got[i]), "")
          << "result " << i << "\nwant " << testing::Describe(want->parse)
          << "\n got " << testing::Describe(got[i]);
    }
  }
}

TEST(KmsgBurst, ContextLinesAloneGiveNothingAndAreCounted) {
  KmsgBurst burst({});
  for (const char* line :
       {"sd 3:0:0:1: [sde] tag#40 Sense Key : Medium Error [current]",
        "sd 3:0:0:1: [sde] tag#40 CDB: Read(10) 28 00 00 31 c9 b8 00 00 30 00",
        "nvme0n1: Read(0x2) @ LBA 0, 8 blocks, Unrecovered Read Error (sct 0x2 "
        "/ sc 0x81) DNR",
        "blk_update_request: 7 callbacks suppressed"}) {
    EXPECT_EQ(burst.Feed(line).outcome, ParseOutcome::kNoMatch) << line;
  }
  EXPECT_EQ(burst.counters().messages, 4u);
  EXPECT_EQ(burst.counters().context, 4u);
  EXPECT_EQ(burst.counters().suppressed, 7u);
  EXPECT_EQ(burst.counters().ranges, 0u);
}

TEST(KmsgBurst, ContextExpiresAfterMaxAge) {
  KmsgBurstOptions options;
  options.max_context_age_messages = 2;
  KmsgBurst burst({}, options);
  burst.Feed("sd 2:0:0:0: [sdb] CDB: Read(10) 28 00 00 00 08 00 00 00 08 00");
  burst.Feed("unrelated");
  burst.Feed("unrelated");
  const KernelErrorParse p = burst.Feed("I/O error, dev sdb, sector 2048");
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_EQ(p.error.length_bytes, 512u);
  EXPECT_FALSE(p.error.length_exact);
}

TEST(KmsgBurst, ResetForgetsContext) {
  KmsgBurst burst({});
  burst.Feed("sd 2:0:0:0: [sdb] CDB: Read(10) 28 00 00 00 08 00 00 00 08 00");
  burst.Reset();
  const KernelErrorParse p = burst.Feed("I/O error, dev sdb, sector 2048");
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_FALSE(p.error.length_exact);
  EXPECT_EQ(burst.counters().messages, 2u);
}

TEST(KmsgBurst, KnownBlockSizeIsTheOnlyCandidate) {
  KernelErrorParserOptions o;
  o.logical_block_bytes = [](absl::string_view) -> uint32_t { return 4096; };
  KmsgBurst burst(o);
  // LBA 2048 x 512 would contain sector 2048; x 4096 it does not.
  burst.Feed("sd 2:0:0:0: [sdb] CDB: Read(10) 28 00 00 00 08 00 00 00 08 00");
  const KernelErrorParse p = burst.Feed("I/O error, dev sdb, sector 2048");
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_EQ(p.error.length_bytes, 4096u);
  EXPECT_FALSE(p.error.length_exact);
}

TEST(KmsgBurst, CountsOutcomes) {
  KmsgBurst burst({});
  burst.Feed("I/O error, dev sdb, sector 8");
  burst.Feed("md/raid1:md0: read error corrected (8 sectors at 2056 on sdb1)");
  burst.Feed("I/O error, dev sda, sector 0 op 0x2:(FLUSH) flags 0x800");
  burst.Feed("I/O error, dev sdb, sector 99999999999999999999999");
  EXPECT_EQ(burst.counters().ranges, 2u);
  EXPECT_EQ(burst.counters().corrected, 1u);
  EXPECT_EQ(burst.counters().ignored, 1u);
  EXPECT_EQ(burst.counters().rejected, 1u);
}

TEST(KmsgBurst, HostileCdbNeverOverflows) {
  KmsgBurst burst({});
  burst.Feed(
      "sd 2:0:0:0: [sdb] CDB: Read(16) 88 00 ff ff ff ff ff ff ff f0 ff ff ff "
      "ff 00 00");
  const KernelErrorParse p =
      burst.Feed("I/O error, dev sdb, sector 36028797018963960");
  ASSERT_EQ(p.outcome, ParseOutcome::kRange);
  EXPECT_LE(p.error.offset_bytes, UINT64_MAX - p.error.length_bytes);
  EXPECT_FALSE(p.error.length_exact);
}

}  // namespace
}  // namespace mfr::agent::sources
