#include "controller/incident_content.h"

#include <thread>

#include "controller/incident_feed.h"
#include "gtest/gtest.h"

namespace mfr::controller {
namespace {

using mfr::v1::OwnerKind;

ResolvedPiece Piece(bool mapped, resolve::Verdict verdict,
                    std::vector<OwnerKind> kinds) {
  ResolvedPiece piece;
  piece.translation.mapped = mapped;
  piece.translation.verdict = verdict;
  for (OwnerKind k : kinds) piece.owners.emplace_back().set_kind(k);
  return piece;
}

TEST(SeverityTest, Table) {
  using resolve::Verdict;
  const struct {
    const char* what;
    std::vector<ResolvedPiece> pieces;
    mfr::v1::Severity want;
  } cases[] = {
      {"free space only",
       {Piece(true, Verdict::kLoss, {mfr::v1::OWNER_KIND_FREE_SPACE})},
       mfr::v1::SEVERITY_INFO},
      {"file data lost",
       {Piece(true, Verdict::kLoss, {mfr::v1::OWNER_KIND_FILE_DATA})},
       mfr::v1::SEVERITY_CRITICAL},
      {"metadata lost",
       {Piece(true, Verdict::kLoss, {mfr::v1::OWNER_KIND_METADATA})},
       mfr::v1::SEVERITY_CRITICAL},
      {"file on a repairable md leg",
       {Piece(true, Verdict::kRepairable, {mfr::v1::OWNER_KIND_FILE_DATA})},
       mfr::v1::SEVERITY_WARNING},
      {"no snapshot",
       {Piece(true, Verdict::kLoss, {mfr::v1::OWNER_KIND_NOT_IN_SNAPSHOT})},
       mfr::v1::SEVERITY_WARNING},
      {"no filesystem (partition table)",
       {Piece(false, Verdict::kLoss, {})},
       mfr::v1::SEVERITY_WARNING},
      {"worst piece wins",
       {Piece(true, Verdict::kLoss, {mfr::v1::OWNER_KIND_FREE_SPACE}),
        Piece(true, Verdict::kLoss, {mfr::v1::OWNER_KIND_EXTENT_MAP})},
       mfr::v1::SEVERITY_CRITICAL},
  };
  for (const auto& c : cases) EXPECT_EQ(SeverityOf(c.pieces), c.want) << c.what;
}

TEST(FillIncidentContentTest, OwnersCarryTheirMountPoint) {
  ResolvedPiece piece =
      Piece(true, resolve::Verdict::kLoss, {mfr::v1::OWNER_KIND_FILE_DATA});
  piece.translation.mount.set_mount_point("/data");
  piece.translation.chain.emplace_back().set_device("sdb");
  mfr::v1::Incident incident;
  FillIncidentContent({piece}, &incident);
  ASSERT_EQ(incident.owners_size(), 1);
  EXPECT_EQ(incident.owners(0).mount_point(), "/data");
  EXPECT_EQ(incident.chain_size(), 1);
  EXPECT_EQ(incident.audit_size(), 1);
}

TEST(IncidentFeedTest, WatchersSeeChangesAfterTheirMark) {
  IncidentFeed feed;
  mfr::v1::Incident a;
  a.set_id("inc-1");
  feed.Publish(a);
  uint64_t seen = feed.latest();
  EXPECT_TRUE(feed.Wait(&seen, absl::Milliseconds(1)).empty());
  std::thread publisher([&] {
    mfr::v1::Incident b;
    b.set_id("inc-2");
    feed.Publish(b);
  });
  auto got = feed.Wait(&seen, absl::Seconds(10));
  publisher.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id(), "inc-2");
}

}  // namespace
}  // namespace mfr::controller
