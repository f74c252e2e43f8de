// How estimated reports and the probe interact in the incident core: the
// kernel's echoes of a probed failure join its incident without widening
// it; new estimated damage near it is probed again; farther away it is an
// incident of its own.
#include <cstdlib>
#include <filesystem>

#include "controller/controller_node.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::controller {
namespace {

constexpr uint64_t kKiB = 1024;

class ProbeMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ControllerNodeOptions options;
    options.db.path =
        std::filesystem::path(std::getenv("TEST_TMPDIR")) /
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(options.db.path);
    node_ = *ControllerNode::Open(options);
    mfr::v1::RegisterRequest r;
    r.set_host("h1");
    auto* d = r.mutable_topology()->add_devices();
    d->set_name("sdb");
    d->set_size_bytes(uint64_t{1} << 30);
    ASSERT_TRUE(node_->agent_core()->Register(r, absl::Now()).ok());
  }

  std::string Report(uint64_t offset, bool exact = false) {
    mfr::v1::CorruptRangeRequest r;
    r.set_report_id(absl::StrCat("r", ++reports_));
    r.set_host("h1");
    r.set_device("sdb");
    r.mutable_range()->set_offset_bytes(offset);
    r.mutable_range()->set_length_bytes(512);
    r.set_length_exact(exact);
    auto response = node_->incident_core()->Report(r, absl::Now());
    EXPECT_TRUE(response.ok()) << response.status();
    return response->incident_id();
  }

  mfr::v1::Incident Get(const std::string& id) {
    return *node_->incident_queries()->Get(id);
  }

  // Answers the incident's pending probe: `bad` unreadable.
  void AnswerProbe(const std::string& id, uint64_t bad) {
    const auto incident = Get(id);
    const auto& last = incident.actions(incident.actions_size() - 1);
    ASSERT_TRUE(last.action().has_probe());
    mfr::v1::ActionResult result;
    result.set_action_id(last.action().id());
    result.set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
    auto* r = result.add_bad_device_ranges();
    r->set_offset_bytes(bad);
    r->set_length_bytes(512);
    ASSERT_TRUE(node_->incident_core()
                    ->ApplyActionResult("h1", result, absl::Now())
                    .ok());
  }

  int Probes(const mfr::v1::Incident& incident) {
    int n = 0;
    for (const auto& a : incident.actions()) n += a.action().has_probe();
    return n;
  }

  std::unique_ptr<ControllerNode> node_;
  int reports_ = 0;
};

TEST_F(ProbeMergeTest, EchoesJoinWithoutWideningNewDamageIsProbedAgain) {
  const uint64_t start = 1024 * kKiB;     // the kernel's estimate
  const uint64_t bad = start + 8 * kKiB;  // what really fails
  const std::string id = Report(start);
  ASSERT_EQ(Probes(Get(id)), 1);
  AnswerProbe(id, bad);
  auto narrowed = Get(id);
  EXPECT_EQ(narrowed.range().offset_bytes(), bad);
  EXPECT_FALSE(narrowed.range_estimated());

  // The kernel retries the original request, and logs the probe's failing
  // chunk and block: echoes, one incident, the range stays narrow.
  EXPECT_EQ(Report(start), id);
  EXPECT_EQ(Report(bad), id);
  auto echoed = Get(id);
  EXPECT_EQ(echoed.range().offset_bytes(), bad);
  EXPECT_EQ(echoed.range().length_bytes(), 512u);
  EXPECT_EQ(Probes(echoed), 1);

  // A new failure 2 KiB after the bad block: near enough to join, but its
  // bytes are an estimate again, so they are probed again.
  EXPECT_EQ(Report(bad + 2 * kKiB), id);
  auto widened = Get(id);
  EXPECT_TRUE(widened.range_estimated());
  EXPECT_EQ(Probes(widened), 2);

  // A failure 256 KiB away inside the old window is not an echo: its own
  // incident.
  EXPECT_NE(Report(start + 256 * kKiB), id);
}

TEST_F(ProbeMergeTest, ExactReportsNeedNoProbe) {
  const std::string id = Report(4096, /*exact=*/true);
  EXPECT_EQ(Probes(Get(id)), 0);
  EXPECT_FALSE(Get(id).range_estimated());
}

}  // namespace
}  // namespace mfr::controller
