// Table tests of KnownBadblocks: sequences of polls and what each reports
// as new and cleared; the state's text form.
#include "agent/pmem/known_badblocks.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

using sources::ByteSpan;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr auto kSysfs = mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS;
constexpr auto kNdctl = mfr::v1::ERROR_SOURCE_NDCTL;

ByteSpan S(uint64_t sector, uint64_t count) {
  return {sector * 512, count * 512};
}

Observation Obs(const std::string& device, std::vector<ByteSpan> spans,
                mfr::v1::ErrorSource source = kSysfs,
                const std::string& origin = "block") {
  return {device, source, origin, std::move(spans)};
}

MATCHER_P4(IsNew, device, span, origin, clears, "") {
  return arg.device == device && arg.span == span && arg.origin == origin &&
         arg.clears == static_cast<uint64_t>(clears);
}

TEST(KnownBadblocks, PollSequences) {
  struct Step {
    PollObservations poll;
    std::vector<std::tuple<std::string, ByteSpan, std::string, int>> added;
    std::vector<DeviceSpan> cleared;
  };
  PollObservations incomplete_pmem0;
  incomplete_pmem0.incomplete.insert("pmem0");
  PollObservations ndctl_failed;
  ndctl_failed.all_incomplete = true;
  ndctl_failed.observations = {Obs("pmem1", {S(0, 8)})};
  const struct {
    const char* what;
    std::vector<Step> steps;
  } cases[] = {
      {"first poll reports everything, the same poll again nothing",
       {{{{Obs("pmem0", {S(0, 8), S(100, 1)})}},
         {{"pmem0", S(0, 8), "block", 0}, {"pmem0", S(100, 1), "block", 0}},
         {}},
        {{{Obs("pmem0", {S(0, 8), S(100, 1)})}}, {}, {}}}},
      {"a range grows: only the new part",
       {{{{Obs("pmem0", {S(0, 8)})}}, {{"pmem0", S(0, 8), "block", 0}}, {}},
        {{{Obs("pmem0", {S(0, 16)})}}, {{"pmem0", S(8, 8), "block", 0}}, {}}}},
      {"the same range from two sources is one report, the first source's",
       {{{{Obs("pmem0", {S(0, 8)}, kSysfs, "region0"),
           Obs("pmem0", {S(0, 16)}, kNdctl, "ndctl")}},
         {{"pmem0", S(0, 8), "region0", 0}, {"pmem0", S(8, 8), "ndctl", 0}},
         {}}}},
      {"cleared, then bad again: a new report with the next clear count",
       {{{{Obs("pmem0", {S(0, 8)})}}, {{"pmem0", S(0, 8), "block", 0}}, {}},
        {{}, {}, {{"pmem0", S(0, 8)}}},
        {{{Obs("pmem0", {S(0, 8)})}}, {{"pmem0", S(0, 8), "block", 1}}, {}}}},
      {"a partial clear",
       {{{{Obs("pmem0", {S(0, 16)})}}, {{"pmem0", S(0, 16), "block", 0}}, {}},
        {{{Obs("pmem0", {S(0, 8)})}}, {}, {{"pmem0", S(8, 8)}}}}},
      {"a clear and a new range in one poll: the new one counts the clear",
       {{{{Obs("pmem0", {S(0, 8)})}}, {{"pmem0", S(0, 8), "block", 0}}, {}},
        {{{Obs("pmem0", {S(64, 8)})}},
         {{"pmem0", S(64, 8), "block", 1}},
         {{"pmem0", S(0, 8)}}}}},
      {"a failed source clears nothing on its devices",
       {{{{Obs("pmem0", {S(0, 8)}), Obs("pmem1", {S(0, 8)})}},
         {{"pmem0", S(0, 8), "block", 0}, {"pmem1", S(0, 8), "block", 0}},
         {}},
        {incomplete_pmem0, {}, {{"pmem1", S(0, 8)}}},
        {ndctl_failed, {{"pmem1", S(0, 8), "block", 1}}, {}},
        {{}, {}, {{"pmem0", S(0, 8)}, {"pmem1", S(0, 8)}}}}},
      {"devices are independent",
       {{{{Obs("pmem0", {S(0, 8)}), Obs("pmem1", {S(0, 8)})}},
         {{"pmem0", S(0, 8), "block", 0}, {"pmem1", S(0, 8), "block", 0}},
         {}},
        {{{Obs("pmem1", {S(0, 8)})}}, {}, {{"pmem0", S(0, 8)}}},
        {{{Obs("pmem0", {S(0, 8)}), Obs("pmem1", {S(0, 8)})}},
         {{"pmem0", S(0, 8), "block", 1}},
         {}}}},
  };
  for (const auto& c : cases) {
    KnownBadblocks known;
    int n = 0;
    for (const Step& step : c.steps) {
      SCOPED_TRACE(::testing::Message() << c.what << ", poll " << n++);
      KnownUpdate u = known.Apply(step.poll);
      ASSERT_EQ(u.added.size(), step.added.size());
      for (size_t i = 0; i < u.added.size(); ++i) {
        const auto& [device, span, origin, clears] = step.added[i];
        EXPECT_THAT(u.added[i], IsNew(device, span, origin, clears));
      }
      EXPECT_EQ(u.cleared, step.cleared);
      EXPECT_EQ(u.changed, !step.added.empty() || !step.cleared.empty());
    }
  }
}

TEST(KnownBadblocks, ForgetMakesTheRangeNewAgainWithTheSameClearCount) {
  KnownBadblocks known;
  PollObservations poll;
  poll.observations = {Obs("pmem0", {S(0, 8), S(64, 8)})};
  known.Apply(poll);
  known.Forget("pmem0", S(64, 8));
  known.Forget("pmem9", S(0, 1));  // unknown device: nothing
  KnownUpdate u = known.Apply(poll);
  EXPECT_THAT(u.added, ElementsAre(IsNew("pmem0", S(64, 8), "block", 0)));
  EXPECT_THAT(u.cleared, IsEmpty());
}

TEST(KnownBadblocks, EncodeDecodeRoundTrip) {
  KnownBadblocks known;
  PollObservations poll;
  poll.observations = {Obs("pmem0", {S(0, 8), S(2097152, 1)}),
                       Obs("pmem1", {S(1048576, 8)})};
  known.Apply(poll);
  known.Apply({});  // everything cleared: the clear counts stay
  known.Apply(poll);
  const std::string text = known.Encode();
  EXPECT_EQ(text,
            "mfr-pmem-known-badblocks 1\n"
            "pmem0 1 2 0+4096 1073741824+512\n"
            "pmem1 1 1 536870912+4096\n");
  absl::StatusOr<KnownBadblocks> back = KnownBadblocks::Decode(text);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->devices(), known.devices());
  EXPECT_TRUE(KnownBadblocks::Decode("mfr-pmem-known-badblocks 1\n")
                  ->devices()
                  .empty());
}

TEST(KnownBadblocks, DecodeRejectsWhatEncodeNeverWrites) {
  for (const char* bad : {
           "",
           "mfr-pmem-known-badblocks 2\n",
           "mfr-pmem-known-badblocks 1\npmem0 0 1\n",
           "mfr-pmem-known-badblocks 1\npmem0 0 1 0+0\n",
           "mfr-pmem-known-badblocks 1\npmem0 0 1 18446744073709551615+2\n",
           "mfr-pmem-known-badblocks 1\npmem0 x 0\n",
           "mfr-pmem-known-badblocks 1\npmem/0 0 0\n",
           "mfr-pmem-known-badblocks 1\npmem0 0 0\npmem0 0 0\n",
           "mfr-pmem-known-badblocks 1\npmem0 0 1 12\n",
       }) {
    absl::StatusOr<KnownBadblocks> k = KnownBadblocks::Decode(bad);
    EXPECT_TRUE(absl::IsDataLoss(k.status())) << bad;
  }
}

}  // namespace
}  // namespace mfr::agent::pmem
