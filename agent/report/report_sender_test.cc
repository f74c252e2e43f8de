// ReportSender with a fake channel and a real outbox, driven step by step
// with a simulated clock and a constant jitter source.
#include "agent/report/report_sender.h"

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::report {
namespace {

using mfr::v1::CorruptRangeRequest;
using mfr::v1::CorruptRangeResponse;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

// Answers from a script (front first), then with `fallback`.
class FakeChannel : public ReportChannel {
 public:
  absl::StatusOr<CorruptRangeResponse> Send(
      const CorruptRangeRequest& request) override {
    calls.push_back(request.report_id());
    if (!script.empty()) {
      auto answer = script.front();
      script.pop_front();
      return answer;
    }
    return fallback(request);
  }

  std::deque<absl::StatusOr<CorruptRangeResponse>> script;
  std::function<absl::StatusOr<CorruptRangeResponse>(
      const CorruptRangeRequest&)>
      fallback =
          [](const CorruptRangeRequest&) { return CorruptRangeResponse(); };
  std::vector<std::string> calls;
};

CorruptRangeResponse Duplicate() {
  CorruptRangeResponse r;
  r.set_duplicate(true);
  return r;
}

class ReportSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    OutboxOptions options;
    options.path =
        (std::filesystem::path(std::getenv("TEST_TMPDIR")) / "sender" /
         ::testing::UnitTest::GetInstance()->current_test_info()->name())
            .string();
    std::filesystem::remove_all(options.path);
    outbox_ = *Outbox::Open(options);
    sender_options_.uniform01 = [this] { return u_; };
    MakeSender();
  }

  void MakeSender() {
    sender_ = std::make_unique<ReportSender>(outbox_.get(), &channel_,
                                             sender_options_);
  }

  void Put(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) {
      CorruptRangeRequest r;
      r.set_report_id(id);
      ASSERT_TRUE(*outbox_->Put(r));
    }
  }

  // Runs one step at kT0 + ms and returns the ids sent during it.
  std::vector<std::string> StepAt(int64_t ms) {
    channel_.calls.clear();
    EXPECT_TRUE(sender_->SendPending(kT0 + absl::Milliseconds(ms)).ok());
    return channel_.calls;
  }

  double u_ = 0.0;
  ReportSenderOptions sender_options_;
  FakeChannel channel_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<ReportSender> sender_;
};

TEST_F(ReportSenderTest, DeliversInOrderAndAcks) {
  Put({"b", "a", "c"});
  EXPECT_THAT(StepAt(0), ElementsAre("b", "a", "c"));
  EXPECT_THAT(outbox_->PendingIds(), IsEmpty());
  EXPECT_EQ(sender_->stats().delivered, 3u);
  EXPECT_THAT(StepAt(1), IsEmpty());
}

TEST_F(ReportSenderTest, DuplicateAnswerIsDelivery) {
  Put({"a"});
  channel_.script = {Duplicate()};
  StepAt(0);
  EXPECT_THAT(outbox_->PendingIds(), IsEmpty());
  EXPECT_EQ(sender_->stats().duplicates, 1u);
  EXPECT_EQ(sender_->stats().delivered, 1u);
}

// initial 250 ms, x2, no jitter: failures at 0, 250, 750; success at 1750.
TEST_F(ReportSenderTest, ControllerOutageBacksOffExponentially) {
  Put({"a", "b"});
  const absl::Status down = absl::UnavailableError("connection refused");
  channel_.script = {down, down, down};
  EXPECT_THAT(StepAt(0), ElementsAre("a"));  // stops at the first failure
  EXPECT_EQ(sender_->controller_retry_at(), kT0 + absl::Milliseconds(250));
  EXPECT_THAT(StepAt(249), IsEmpty());
  EXPECT_THAT(StepAt(250), ElementsAre("a"));
  EXPECT_THAT(StepAt(749), IsEmpty());
  EXPECT_THAT(StepAt(750), ElementsAre("a"));
  EXPECT_THAT(StepAt(1749), IsEmpty());
  EXPECT_THAT(StepAt(1750), ElementsAre("a", "b"));
  EXPECT_THAT(outbox_->PendingIds(), IsEmpty());
  EXPECT_EQ(sender_->stats().failures, 3u);
  EXPECT_EQ(sender_->stats().last_error, down);
  EXPECT_EQ(sender_->controller_retry_at(),
            kT0 + absl::Milliseconds(750) + absl::Seconds(1));
  // A new outage starts again from the initial delay.
  Put({"c"});
  channel_.script = {absl::DeadlineExceededError("slow")};
  StepAt(5000);
  EXPECT_EQ(sender_->controller_retry_at(), kT0 + absl::Milliseconds(5250));
}

TEST_F(ReportSenderTest, JitterShortensTheDelay) {
  u_ = 0.5;  // jitter 0.2: 250 ms * (1 - 0.1)
  Put({"a"});
  channel_.script = {absl::UnavailableError("down")};
  StepAt(0);
  EXPECT_EQ(sender_->controller_retry_at(), kT0 + absl::Milliseconds(225));
}

TEST_F(ReportSenderTest, InvalidArgumentRejectsOnceAndGoesOn) {
  Put({"bad", "good"});
  channel_.script = {absl::InvalidArgumentError("length is 0")};
  EXPECT_THAT(StepAt(0), ElementsAre("bad", "good"));
  EXPECT_THAT(outbox_->PendingIds(), IsEmpty());
  auto rejected = outbox_->Rejected();
  ASSERT_EQ(rejected->size(), 1u);
  EXPECT_EQ((*rejected)[0].entry.request.report_id(), "bad");
  EXPECT_EQ((*rejected)[0].reason, "INVALID_ARGUMENT: length is 0");
  EXPECT_EQ(sender_->stats().rejected, 1u);
  EXPECT_THAT(StepAt(100000), IsEmpty());  // never retried
}

TEST_F(ReportSenderTest, OneReportsFailureDoesNotBlockTheOthers) {
  sender_options_.max_report_attempts = 3;
  MakeSender();
  Put({"a", "b"});
  channel_.fallback =
      [](const CorruptRangeRequest& r) -> absl::StatusOr<CorruptRangeResponse> {
    if (r.report_id() == "a") return absl::NotFoundError("unknown device");
    return CorruptRangeResponse();
  };
  EXPECT_THAT(StepAt(0), ElementsAre("a", "b"));
  EXPECT_THAT(outbox_->PendingIds(), ElementsAre("a"));
  EXPECT_THAT(StepAt(249), IsEmpty());  // "a" backs off alone
  EXPECT_THAT(StepAt(250), ElementsAre("a"));
  EXPECT_THAT(StepAt(750), ElementsAre("a"));  // third failure: give up
  EXPECT_THAT(outbox_->PendingIds(), IsEmpty());
  ASSERT_EQ(outbox_->Rejected()->size(), 1u);
  EXPECT_EQ(sender_->stats().rejected, 1u);
}

TEST_F(ReportSenderTest, StepIsBounded) {
  sender_options_.max_sends_per_step = 2;
  MakeSender();
  Put({"a", "b", "c"});
  EXPECT_THAT(StepAt(0), ElementsAre("a", "b"));
  EXPECT_THAT(StepAt(1), ElementsAre("c"));
}

TEST(ReportSenderPolicyTest, BackoffDelayTable) {
  BackoffPolicy p;  // 250 ms, x2, max 60 s, jitter 0.2
  struct Case {
    int failures;
    double u;
    absl::Duration want;
  } const kCases[] = {
      {1, 0.0, absl::Milliseconds(250)}, {2, 0.0, absl::Milliseconds(500)},
      {3, 0.0, absl::Seconds(1)},        {9, 0.0, absl::Seconds(60)},
      {1000, 0.0, absl::Seconds(60)},    {1, 1.0, absl::Milliseconds(200)},
      {1000, 0.5, absl::Seconds(54)},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(BackoffDelay(p, c.failures, c.u), c.want)
        << c.failures << " failures, u=" << c.u;
  }
}

TEST(ReportSenderPolicyTest, ClassifySendStatusTable) {
  struct Case {
    absl::Status status;
    SendVerdict want;
  } const kCases[] = {
      {absl::OkStatus(), SendVerdict::kDelivered},
      {absl::InvalidArgumentError(""), SendVerdict::kRejected},
      {absl::UnavailableError(""), SendVerdict::kRetryLater},
      {absl::DeadlineExceededError(""), SendVerdict::kRetryLater},
      {absl::ResourceExhaustedError(""), SendVerdict::kRetryLater},
      {absl::UnimplementedError(""), SendVerdict::kRetryLater},
      {absl::PermissionDeniedError(""), SendVerdict::kRetryLater},
      {absl::NotFoundError(""), SendVerdict::kRetryReport},
      {absl::InternalError(""), SendVerdict::kRetryReport},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ClassifySendStatus(c.status), c.want) << c.status;
  }
}

}  // namespace
}  // namespace mfr::agent::report
