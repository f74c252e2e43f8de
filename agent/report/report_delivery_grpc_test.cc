// Delivery over real gRPC on loopback: an in-process controller double
// (only CorruptRange) that fails its first calls, loses answers, or is not
// listening yet. Every report must reach it exactly once as a new report.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agent/report/outbox.h"
#include "agent/report/report_channel.h"
#include "agent/report/report_sender.h"
#include "common/grpc_endpoints.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mfr/v1/agent_service.grpc.pb.h"

namespace mfr::agent::report {
namespace {

using mfr::v1::CorruptRangeRequest;
using mfr::v1::CorruptRangeResponse;

// Fails the first `fail_first` calls with UNAVAILABLE. With
// `accept_before_failing`, those calls still record the report (the answer
// is "lost"), as a controller that committed and then lost the connection.
class ControllerDouble final : public mfr::v1::AgentService::Service {
 public:
  ControllerDouble(int fail_first, bool accept_before_failing)
      : fail_first_(fail_first),
        accept_before_failing_(accept_before_failing) {}

  grpc::Status CorruptRange(grpc::ServerContext*,
                            const CorruptRangeRequest* request,
                            CorruptRangeResponse* response) override {
    absl::MutexLock lock(&mu_);
    const bool fail = calls_++ < fail_first_;
    if (fail && !accept_before_failing_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "warming up");
    }
    int& seen = arrivals_[request->report_id()];
    response->set_duplicate(seen > 0);
    response->set_incident_id(absl::StrCat("inc-", request->report_id()));
    if (seen++ == 0) ++new_reports_[request->report_id()];
    if (fail) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "answer lost");
    return grpc::Status::OK;
  }

  // report id -> times it was accepted as new (must be 1 for each)
  std::map<std::string, int> new_reports() {
    absl::MutexLock lock(&mu_);
    return new_reports_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  const int fail_first_;
  const bool accept_before_failing_;
  absl::Mutex mu_;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int> arrivals_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> new_reports_ ABSL_GUARDED_BY(mu_);
};

class ReportDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    outbox_options_.path =
        (std::filesystem::path(std::getenv("TEST_TMPDIR")) / "delivery" /
         ::testing::UnitTest::GetInstance()->current_test_info()->name())
            .string();
    std::filesystem::remove_all(outbox_options_.path);
    OpenAgent();
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // (Re)starts the agent side: outbox reopened from disk, fresh sender.
  void OpenAgent() {
    sender_.reset();
    outbox_.reset();
    outbox_ = *Outbox::Open(outbox_options_);
  }

  void ConnectTo(int port) {
    auto channel = MakeChannel(absl::StrCat("127.0.0.1:", port), {});
    ASSERT_TRUE(channel.ok());
    channel_ = std::make_unique<StubReportChannel>(
        mfr::v1::AgentService::NewStub(*channel), absl::Seconds(5));
    sender_ = std::make_unique<ReportSender>(outbox_.get(), channel_.get());
  }

  int StartController(ControllerDouble* controller, int port) {
    auto server =
        StartServer(absl::StrCat("127.0.0.1:", port), {}, {controller}, &port);
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    return port;
  }

  // Finds a free port and leaves it closed: the controller is down.
  int ReservePort(ControllerDouble* controller) {
    const int port = StartController(controller, 0);
    server_->Shutdown();
    server_.reset();
    return port;
  }

  std::map<std::string, int> PutReports(int n) {
    std::map<std::string, int> want;
    for (int i = 0; i < n; ++i) {
      CorruptRangeRequest r;
      r.set_report_id(absl::StrCat("report-", i));
      r.set_host("h1");
      r.set_device("loop0");
      r.mutable_range()->set_offset_bytes(4096 * i);
      r.mutable_range()->set_length_bytes(4096);
      EXPECT_TRUE(*outbox_->Put(r));
      want[r.report_id()] = 1;
    }
    return want;
  }

  // Steps until the outbox is empty or `limit` (real time) passes. The
  // sender's clock jumps a minute per step so its backoff never waits; the
  // real sleep lets gRPC reconnect.
  void DrainWithin(absl::Duration limit) {
    const absl::Time give_up = absl::Now() + limit;
    absl::Time now = absl::Now();
    while (outbox_->Stats().depth > 0 && absl::Now() < give_up) {
      ASSERT_TRUE(sender_->SendPending(now).ok());
      now += absl::Minutes(1);
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  OutboxOptions outbox_options_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<StubReportChannel> channel_;
  std::unique_ptr<ReportSender> sender_;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(ReportDeliveryTest, FirstCallsUnavailableEveryReportArrivesOnce) {
  ControllerDouble controller(/*fail_first=*/3,
                              /*accept_before_failing=*/false);
  ConnectTo(StartController(&controller, 0));
  const auto want = PutReports(5);
  DrainWithin(absl::Seconds(20));
  EXPECT_EQ(controller.new_reports(), want);
  EXPECT_EQ(controller.calls(), 5 + 3);
  EXPECT_EQ(sender_->stats().delivered, 5u);
  EXPECT_EQ(sender_->stats().duplicates, 0u);
}

TEST_F(ReportDeliveryTest, LostAnswersAreRetriedAndDeduplicated) {
  ControllerDouble controller(/*fail_first=*/2, /*accept_before_failing=*/true);
  ConnectTo(StartController(&controller, 0));
  const auto want = PutReports(3);
  DrainWithin(absl::Seconds(20));
  EXPECT_EQ(controller.new_reports(), want);
  EXPECT_EQ(sender_->stats().duplicates,
            1u);  // "report-0", answered twice lost
}

TEST_F(ReportDeliveryTest, ControllerDownThenUp) {
  ControllerDouble controller(/*fail_first=*/0,
                              /*accept_before_failing=*/false);
  const int port = ReservePort(&controller);
  ConnectTo(port);
  const auto want = PutReports(4);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(sender_->SendPending(absl::Now() + absl::Minutes(i)).ok());
  }
  EXPECT_GE(sender_->stats().failures, 1u);
  EXPECT_EQ(sender_->stats().last_error.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outbox_->Stats().depth, 4u);
  EXPECT_EQ(controller.calls(), 0);
  // Same channel: it has to come out of gRPC's own reconnect backoff.
  ASSERT_EQ(StartController(&controller, port), port);
  DrainWithin(absl::Seconds(30));
  EXPECT_EQ(controller.new_reports(), want);
  EXPECT_EQ(outbox_->Stats().depth, 0u);
}

TEST_F(ReportDeliveryTest, AgentRestartWhileControllerDown) {
  ControllerDouble controller(/*fail_first=*/0,
                              /*accept_before_failing=*/false);
  const int port = ReservePort(&controller);
  ConnectTo(port);
  const auto want = PutReports(4);
  ASSERT_TRUE(sender_->SendPending(absl::Now()).ok());
  EXPECT_EQ(outbox_->Stats().depth, 4u);
  OpenAgent();  // reports come back from disk
  ConnectTo(port);
  EXPECT_EQ(outbox_->Stats().depth, 4u);
  ASSERT_EQ(StartController(&controller, port), port);
  DrainWithin(absl::Seconds(30));
  EXPECT_EQ(controller.new_reports(), want);
}

}  // namespace
}  // namespace mfr::agent::report
