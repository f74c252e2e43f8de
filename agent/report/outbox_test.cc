// Outbox on a real RocksDB in TEST_TMPDIR: persistence across reopen,
// order, dedupe, bounds (never a silent drop), ack, reject and stats.
#include "agent/report/outbox.h"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::report {
namespace {

using mfr::v1::CorruptRangeRequest;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

CorruptRangeRequest Report(const std::string& id, size_t evidence_bytes = 10) {
  CorruptRangeRequest r;
  r.set_report_id(id);
  r.set_host("h1");
  r.set_device("sdb");
  r.mutable_range()->set_offset_bytes(4096);
  r.mutable_range()->set_length_bytes(4096);
  r.add_evidence(std::string(evidence_bytes, 'x'));
  return r;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.path =
        (std::filesystem::path(std::getenv("TEST_TMPDIR")) / "outbox" /
         ::testing::UnitTest::GetInstance()->current_test_info()->name())
            .string();
    std::filesystem::remove_all(options_.path);
    options_.clock = [this] { return now_; };
    Reopen();
  }

  void Reopen() {
    outbox_.reset();  // RocksDB allows one open instance per directory
    auto opened = Outbox::Open(options_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    outbox_ = *std::move(opened);
  }

  void Put(const std::string& id) {
    auto put = outbox_->Put(Report(id));
    ASSERT_TRUE(put.ok()) << put.status();
    ASSERT_TRUE(*put) << id;
  }

  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  OutboxOptions options_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxTest, PendingSurvivesReopenInPutOrder) {
  Put("c");
  Put("a");
  Put("b");
  Reopen();
  EXPECT_THAT(outbox_->PendingIds(), ElementsAre("c", "a", "b"));
  auto pending = outbox_->Pending();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[1].request.SerializeAsString(),
            Report("a").SerializeAsString());
  EXPECT_EQ((*pending)[1].enqueued, now_);
  EXPECT_LT((*pending)[0].sequence, (*pending)[1].sequence);
}

TEST_F(OutboxTest, SameIdIsStoredOnce) {
  Put("a");
  EXPECT_FALSE(*outbox_->Put(Report("a")));
  Reopen();
  EXPECT_FALSE(*outbox_->Put(Report("a")));
  EXPECT_EQ(outbox_->Stats().depth, 1u);
}

TEST_F(OutboxTest, AckRemovesDurablyAndIsIdempotent) {
  Put("a");
  Put("b");
  ASSERT_TRUE(outbox_->Ack("a").ok());
  EXPECT_TRUE(outbox_->Ack("a").ok());
  EXPECT_TRUE(outbox_->Ack("never-put").ok());
  EXPECT_EQ(outbox_->Get("a").status().code(), absl::StatusCode::kNotFound);
  Reopen();
  EXPECT_THAT(outbox_->PendingIds(), ElementsAre("b"));
  Put("c");  // sequence numbers keep growing after a reopen
  EXPECT_THAT(outbox_->PendingIds(), ElementsAre("b", "c"));
}

TEST_F(OutboxTest, FullOutboxRefusesAndCountsNeverDrops) {
  options_.max_entries = 2;
  Reopen();
  Put("a");
  Put("b");
  EXPECT_EQ(outbox_->Put(Report("c")).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(outbox_->Stats().refused_full, 1u);
  EXPECT_THAT(outbox_->PendingIds(), ElementsAre("a", "b"));
  ASSERT_TRUE(outbox_->Ack("a").ok());
  Put("c");
}

TEST_F(OutboxTest, ByteBoundCountsEncodedEntries) {
  Put("probe");
  const uint64_t one = outbox_->Stats().bytes;
  ASSERT_TRUE(outbox_->Ack("probe").ok());
  EXPECT_EQ(outbox_->Stats().bytes, 0u);
  options_.max_bytes = 2 * one;  // ids of equal length: equal sizes
  Reopen();
  Put("aaaaa");
  Put("bbbbb");
  EXPECT_EQ(outbox_->Stats().bytes, 2 * one);
  EXPECT_EQ(outbox_->Put(Report("ccccc")).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST_F(OutboxTest, RejectsBadReports) {
  EXPECT_EQ(outbox_->Put(Report("")).status().code(),
            absl::StatusCode::kInvalidArgument);
  options_.max_entry_bytes = 1000;
  Reopen();
  EXPECT_EQ(outbox_->Put(Report("big", 2000)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_->Stats().depth, 0u);
}

TEST_F(OutboxTest, RejectedReportsAreKeptBoundedAndNotRequeued) {
  options_.max_rejected = 2;
  Reopen();
  for (const char* id : {"a", "b", "c", "d"}) Put(id);
  EXPECT_EQ(outbox_->Reject("zzz", "x").code(), absl::StatusCode::kNotFound);
  now_ += absl::Seconds(5);
  for (const char* id : {"a", "b", "c"}) {
    ASSERT_TRUE(outbox_->Reject(id, "INVALID_ARGUMENT: length is 0").ok());
  }
  Reopen();
  EXPECT_THAT(outbox_->PendingIds(), ElementsAre("d"));
  auto rejected = outbox_->Rejected();
  ASSERT_TRUE(rejected.ok());
  ASSERT_EQ(rejected->size(), 2u);  // "a" dropped by the bound
  EXPECT_EQ((*rejected)[0].entry.request.report_id(), "b");
  EXPECT_EQ((*rejected)[0].reason, "INVALID_ARGUMENT: length is 0");
  EXPECT_EQ((*rejected)[0].rejected, now_);
  EXPECT_EQ((*rejected)[0].entry.enqueued, now_ - absl::Seconds(5));
  EXPECT_FALSE(*outbox_->Put(Report("c")));  // still known: not requeued
  EXPECT_EQ(outbox_->Stats().rejected, 2u);
}

TEST_F(OutboxTest, StatsReportDepthBytesAndOldestAge) {
  OutboxStats empty = outbox_->Stats();
  EXPECT_EQ(empty.depth, 0u);
  EXPECT_EQ(empty.oldest_age, absl::ZeroDuration());
  Put("a");
  now_ += absl::Seconds(10);
  Put("b");
  now_ += absl::Seconds(5);
  OutboxStats stats = outbox_->Stats();
  EXPECT_EQ(stats.depth, 2u);
  EXPECT_GT(stats.bytes, 0u);
  EXPECT_EQ(stats.oldest_age, absl::Seconds(15));
  ASSERT_TRUE(outbox_->Ack("a").ok());
  EXPECT_EQ(outbox_->Stats().oldest_age, absl::Seconds(5));
}

TEST_F(OutboxTest, PendingHonoursLimit) {
  for (const char* id : {"a", "b", "c"}) Put(id);
  auto two = outbox_->Pending(2);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[1].request.report_id(), "b");
  EXPECT_THAT(*outbox_->Pending(0), IsEmpty());
}

TEST_F(OutboxTest, ConcurrentPutsAreAllStored) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        auto put = outbox_->Put(Report(absl::StrCat(t, "-", i)));
        EXPECT_TRUE(put.ok() && *put);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(outbox_->Stats().depth, 100u);
  Reopen();
  EXPECT_EQ(outbox_->PendingIds().size(), 100u);
}

}  // namespace
}  // namespace mfr::agent::report
