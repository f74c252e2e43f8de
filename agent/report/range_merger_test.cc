// RangeMerger: page-by-page kernel retries become one range; what must not
// merge stays apart; windows, evidence and memory stay bounded.
#include "agent/report/range_merger.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/report/report_id.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::report {
namespace {

using mfr::v1::CorruptRangeRequest;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr uint64_t kPage = 4096;
const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

struct In {
  std::string device;
  mfr::v1::ErrorKind kind;
  uint64_t offset, length;
  int at_ms;
};

struct Out {
  std::string device;
  uint64_t offset, length;
  bool operator==(const Out& o) const {
    return device == o.device && offset == o.offset && length == o.length;
  }
};

std::ostream& operator<<(std::ostream& os, const Out& o) {
  return os << o.device << "[" << o.offset << "+" << o.length << ")";
}

constexpr auto kIo = mfr::v1::ERROR_KIND_IO;
constexpr auto kMedium = mfr::v1::ERROR_KIND_MEDIUM;

CorruptRangeRequest Report(const In& in) {
  CorruptRangeRequest r;
  r.set_host("h1");
  r.set_device(in.device);
  r.set_kind(in.kind);
  r.set_source(mfr::v1::ERROR_SOURCE_KMSG);
  r.set_length_exact(true);
  r.mutable_range()->set_offset_bytes(in.offset);
  r.mutable_range()->set_length_bytes(in.length);
  r.add_evidence(
      absl::StrCat("I/O error, dev ", in.device, ", sector ", in.offset / 512));
  return r;
}

// Feeds `inputs` and flushes everything; returns the final ranges in
// output order.
std::vector<Out> MergeAll(const std::vector<In>& inputs) {
  RangeMerger merger;
  std::vector<CorruptRangeRequest> done;
  for (const In& in : inputs) {
    auto out = merger.Add(Report(in), kT0 + absl::Milliseconds(in.at_ms));
    EXPECT_TRUE(out.ok()) << out.status();
    done.insert(done.end(), out->begin(), out->end());
  }
  for (auto& r : merger.FlushAll()) done.push_back(r);
  std::vector<Out> ranges;
  for (const auto& r : done) {
    EXPECT_EQ(r.report_id(), ComputeReportId(r));
    ranges.push_back(
        {r.device(), r.range().offset_bytes(), r.range().length_bytes()});
  }
  return ranges;
}

struct Case {
  const char* name;
  std::vector<In> inputs;
  std::vector<Out> want;
};

TEST(RangeMergerTest, Table) {
  std::vector<In> eight, eight_reversed;
  for (int i = 0; i < 8; ++i) {
    eight.push_back({"loop0", kIo, i * kPage, kPage, i});
    eight_reversed.push_back({"loop0", kIo, (7 - i) * kPage, kPage, i});
  }
  const Case kCases[] = {
      {"eight adjacent 4 KiB pages", eight, {{"loop0", 0, 8 * kPage}}},
      {"eight pages, last first", eight_reversed, {{"loop0", 0, 8 * kPage}}},
      {"overlapping",
       {{"sdb", kIo, 0, 2 * kPage, 0}, {"sdb", kIo, kPage, 2 * kPage, 1}},
       {{"sdb", 0, 3 * kPage}}},
      {"contained",
       {{"sdb", kIo, 0, 8 * kPage, 0}, {"sdb", kIo, kPage, kPage, 1}},
       {{"sdb", 0, 8 * kPage}}},
      {"gap stays two",
       {{"sdb", kIo, 0, kPage, 0}, {"sdb", kIo, 2 * kPage, kPage, 1}},
       {{"sdb", 0, kPage}, {"sdb", 2 * kPage, kPage}}},
      {"a report bridging a gap joins both",
       {{"sdb", kIo, 0, kPage, 0},
        {"sdb", kIo, 2 * kPage, kPage, 1},
        {"sdb", kIo, kPage, kPage, 2}},
       {{"sdb", 0, 3 * kPage}}},
      {"different devices never merge",
       {{"sdb", kIo, 0, kPage, 0}, {"sdc", kIo, kPage, kPage, 1}},
       {{"sdb", 0, kPage}, {"sdc", kPage, kPage}}},
      {"different kinds never merge",
       {{"sdb", kIo, 0, kPage, 0}, {"sdb", kMedium, kPage, kPage, 1}},
       {{"sdb", 0, kPage}, {"sdb", kPage, kPage}}},
      {"window closed: two reports",
       {{"sdb", kIo, 0, kPage, 0}, {"sdb", kIo, kPage, kPage, 2000}},
       {{"sdb", 0, kPage}, {"sdb", kPage, kPage}}},
      {"window still open just before 2 s",
       {{"sdb", kIo, 0, kPage, 0}, {"sdb", kIo, kPage, kPage, 1999}},
       {{"sdb", 0, 2 * kPage}}},
      {"range at the end of the 64-bit space",
       {{"pmem0", kIo, ~0ull - 2 * kPage, kPage, 0},
        {"pmem0", kIo, ~0ull - kPage, kPage, 1}},
       {{"pmem0", ~0ull - 2 * kPage, 2 * kPage}}},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(MergeAll(c.inputs), c.want) << c.name;
  }
}

TEST(RangeMergerTest, FlushReturnsOnlyClosedWindows) {
  RangeMerger merger;
  EXPECT_EQ(merger.NextClose(), absl::InfiniteFuture());
  ASSERT_TRUE(merger.Add(Report({"sdb", kIo, 0, kPage, 0}), kT0).ok());
  ASSERT_TRUE(
      merger
          .Add(Report({"sdc", kIo, 0, kPage, 0}), kT0 + absl::Milliseconds(500))
          .ok());
  EXPECT_EQ(merger.NextClose(), kT0 + absl::Seconds(2));
  EXPECT_THAT(merger.Flush(kT0 + absl::Milliseconds(1999)), IsEmpty());
  auto first = merger.Flush(kT0 + absl::Seconds(2));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].device(), "sdb");
  EXPECT_EQ(merger.pending_ranges(), 1u);
  EXPECT_EQ(merger.NextClose(), kT0 + absl::Milliseconds(2500));
  EXPECT_EQ(merger.Flush(kT0 + absl::Milliseconds(2500)).size(), 1u);
  EXPECT_EQ(merger.pending_ranges(), 0u);
}

TEST(RangeMergerTest, AddReturnsRangesWhoseWindowClosed) {
  RangeMergerOptions options;
  options.window = absl::Seconds(1);
  RangeMerger merger(options);
  ASSERT_TRUE(merger.Add(Report({"sdb", kIo, 0, kPage, 0}), kT0).ok());
  auto out =
      merger.Add(Report({"sdc", kIo, 0, kPage, 0}), kT0 + absl::Seconds(1));
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].device(), "sdb");
}

TEST(RangeMergerTest, MergedReportCarriesEveryPartsFacts) {
  RangeMerger merger;
  CorruptRangeRequest a = Report({"sdb", kIo, kPage, kPage, 0});
  *a.mutable_observed() = ToProtoTime(kT0 - absl::Seconds(3));
  CorruptRangeRequest b = Report({"sdb", kIo, 0, kPage, 0});
  b.set_length_exact(false);  // one part is an estimate
  ASSERT_TRUE(merger.Add(a, kT0).ok());
  ASSERT_TRUE(merger.Add(b, kT0 + absl::Milliseconds(1)).ok());
  auto out = merger.FlushAll();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].length_exact());
  EXPECT_EQ(FromProtoTime(out[0].observed()), kT0 - absl::Seconds(3));
  EXPECT_THAT(out[0].evidence(),
              ElementsAre(a.evidence(0), b.evidence(0)));  // arrival order
  EXPECT_EQ(out[0].host(), "h1");
  EXPECT_EQ(out[0].source(), mfr::v1::ERROR_SOURCE_KMSG);
}

TEST(RangeMergerTest, LoneReportKeepsItsOwnIdAndObservedDefaultsToNow) {
  RangeMerger merger;
  CorruptRangeRequest r = Report({"sdb", kIo, 0, kPage, 0});
  ASSERT_TRUE(merger.Add(r, kT0).ok());
  auto out = merger.FlushAll();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].report_id(), ComputeReportId(r));
  EXPECT_EQ(FromProtoTime(out[0].observed()), kT0);
}

TEST(RangeMergerTest, SameInputSameIds) {
  std::vector<In> inputs;
  for (int i = 0; i < 8; ++i)
    inputs.push_back({"sdb", kIo, i * kPage, kPage, i});
  auto ids = [&] {
    RangeMerger merger;
    for (const In& in : inputs) {
      EXPECT_TRUE(
          merger.Add(Report(in), kT0 + absl::Milliseconds(in.at_ms)).ok());
    }
    std::vector<std::string> out;
    for (const auto& r : merger.FlushAll()) out.push_back(r.report_id());
    return out;
  };
  const std::vector<std::string> first = ids();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(ids(), first);
}

// 20 pages, at most 5 lines: 4 kept, then a marker; the id still depends
// on the dropped lines.
TEST(RangeMergerTest, EvidenceIsBoundedAndDroppedLinesStillCount) {
  auto merge = [](const std::string& last_line) {
    RangeMergerOptions options;
    options.max_evidence_lines = 5;
    RangeMerger merger(options);
    for (int i = 0; i < 20; ++i) {
      CorruptRangeRequest r = Report({"sdb", kIo, i * kPage, kPage, 0});
      if (i == 19) r.set_evidence(0, last_line);
      EXPECT_TRUE(merger.Add(r, kT0).ok());
    }
    auto out = merger.FlushAll();
    EXPECT_EQ(out.size(), 1u);
    return out[0];
  };
  const CorruptRangeRequest a = merge("line A");
  const CorruptRangeRequest b = merge("line B");
  ASSERT_EQ(a.evidence_size(), 5);
  EXPECT_EQ(a.evidence(0), "I/O error, dev sdb, sector 0");
  EXPECT_THAT(a.evidence(4),
              HasSubstr("[mfr] 16 more evidence lines omitted; digest of all "
                        "20 lines: "));
  EXPECT_EQ(a.range().length_bytes(), 20 * kPage);
  EXPECT_NE(a.report_id(), b.report_id());
}

TEST(RangeMergerTest, MemoryBoundFinishesTheOldestRange) {
  RangeMergerOptions options;
  options.max_pending = 3;
  RangeMerger merger(options);
  std::vector<std::string> evicted;
  for (int i = 0; i < 5; ++i) {
    auto out = merger.Add(Report({"sdb", kIo, 2 * i * kPage, kPage, 0}),
                          kT0 + absl::Milliseconds(i));
    ASSERT_TRUE(out.ok());
    for (const auto& r : *out)
      evicted.push_back(absl::StrCat(r.range().offset_bytes()));
    EXPECT_LE(merger.pending_ranges(), 3u);
  }
  EXPECT_THAT(evicted, ElementsAre("0", absl::StrCat(2 * kPage)));
  EXPECT_EQ(merger.FlushAll().size(), 3u);
}

TEST(RangeMergerTest, RejectsEmptyAndOverflowingRanges) {
  RangeMerger merger;
  EXPECT_EQ(merger.Add(Report({"sdb", kIo, 0, 0, 0}), kT0).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(merger.Add(Report({"sdb", kIo, ~0ull - 10, 4096, 0}), kT0)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(merger.pending_ranges(), 0u);
}

}  // namespace
}  // namespace mfr::agent::report
