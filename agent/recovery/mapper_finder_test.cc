// MapperFinder over a fake /proc tree: who matches, who is spared, who is
// never considered.
#include "agent/recovery/mapper_finder.h"

#include <filesystem>
#include <string>

#include "agent/recovery/fake_proc_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::recovery {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr uint32_t kUserFlags = 0x400100;     // recorded from a shell
constexpr uint32_t kKthreadFlags = 0x208040;  // recorded from kthreadd
constexpr pid_t kSelf = 104;

// dev 07:00, inode 42, file bytes [0x1000, 0x3000): overlaps the query.
const char kMapsDamaged[] =
    "7f0000000000-7f0000002000 rw-s 00001000 07:00 42 /mnt/db/data\n";

MapperQuery Query() {
  MapperQuery q;
  q.dev_major = 7;
  q.dev_minor = 0;
  q.inode = 42;
  q.file_range = {0x2000, 0x1000};
  return q;
}

class MapperFinderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tree_.root().empty());
    tree_.AddOtherEntry("self");
    tree_.AddOtherEntry("sys");
    auto finder = MapperFinder::Create(tree_.root(), kSelf);
    ASSERT_TRUE(finder.ok()) << finder.status();
    finder_ = *std::move(finder);
  }
  FakeProcTree tree_;
  std::unique_ptr<MapperFinder> finder_;
};

TEST_F(MapperFinderTest, FindsOnlyOverlappingMappingsOfTheInode) {
  tree_.AddProcess(100, "db", kUserFlags,
                   std::string("55d000000000-55d000001000 r-xp 00000000 fe:00 "
                               "7 /usr/bin/db\n") +
                       kMapsDamaged);
  tree_.AddProcess(101, "far", kUserFlags,
                   "7f0000000000-7f0000001000 r--s 00010000 07:00 42 /d\n");
  tree_.AddProcess(102, "other inode", kUserFlags,
                   "7f0000000000-7f0000004000 r--s 00000000 07:00 43 /e\n");
  tree_.AddProcess(103, "other dev", kUserFlags,
                   "7f0000000000-7f0000004000 r--s 00000000 07:01 42 /f\n");
  tree_.AddProcess(109, "adjacent", kUserFlags,
                   "7f0000000000-7f0000001000 r--p 00001000 07:00 42 /d\n"
                   "7f0000005000-7f0000006000 r--p 00003000 07:00 42 /d\n");
  tree_.AddProcess(110, "twice", kUserFlags,
                   std::string(kMapsDamaged) +
                       "7f1000000000-7f1000001000 r--p 00002000 07:00 42 "
                       "/mnt/db/data (deleted)\n");
  absl::StatusOr<MapperScan> scan = finder_->Find(Query(), {});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_EQ(scan->processes_scanned, 6);
  ASSERT_EQ(scan->candidates.size(), 2u);
  const MapperCandidate& db = scan->candidates[0];
  EXPECT_EQ(db.pid, 100);
  EXPECT_EQ(db.comm, "db");
  ASSERT_EQ(db.mappings.size(), 1u);
  EXPECT_EQ(db.mappings[0].line + "\n", kMapsDamaged);
  EXPECT_EQ(scan->candidates[1].pid, 110);
  EXPECT_EQ(scan->candidates[1].comm, "twice");
  EXPECT_EQ(scan->candidates[1].mappings.size(), 2u);
  EXPECT_THAT(scan->spared, IsEmpty());
  EXPECT_THAT(scan->unreadable, IsEmpty());
}

TEST_F(MapperFinderTest, NeverCandidates) {
  tree_.AddProcess(1, "init", kUserFlags, kMapsDamaged);
  tree_.AddProcess(2, "kthreadd", kKthreadFlags, kMapsDamaged);
  tree_.AddProcess(kSelf, "mfr-agent", kUserFlags, kMapsDamaged);
  tree_.AddProcess(105, "backup", kUserFlags, kMapsDamaged);
  tree_.AddProcess(106, "keep me", kUserFlags, kMapsDamaged);
  tree_.AddProcess(107, "victim", kUserFlags, kMapsDamaged);
  MapperExclusions exclusions;
  exclusions.comms = {"backup"};
  exclusions.pids = {106};
  absl::StatusOr<MapperScan> scan = finder_->Find(Query(), exclusions);
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_THAT(scan->candidates, ElementsAre(Field(&MapperCandidate::pid, 107)));
  EXPECT_THAT(scan->spared,
              UnorderedElementsAre(
                  Field(&MapperCandidate::spared_because, "pid 1"),
                  Field(&MapperCandidate::spared_because, "the agent itself"),
                  Field(&MapperCandidate::spared_because, "command excluded"),
                  Field(&MapperCandidate::spared_because, "pid excluded")));
}

TEST_F(MapperFinderTest, UnreadableProcessesAreListed) {
  tree_.AddProcess(120, "odd", kUserFlags, "");
  std::filesystem::remove(tree_.root() + "/120/maps");
  std::filesystem::create_directory(tree_.root() + "/120/maps");
  absl::StatusOr<MapperScan> scan = finder_->Find(Query(), {});
  ASSERT_TRUE(scan.ok()) << scan.status();
  EXPECT_THAT(scan->unreadable,
              ElementsAre(Field(&UnreadableProcess::pid, 120)));
}

TEST_F(MapperFinderTest, InspectOneProcess) {
  tree_.AddProcess(130, "db", kUserFlags, kMapsDamaged);
  tree_.AddProcess(131, "idle", kUserFlags, "");
  tree_.AddProcess(2, "kthreadd", kKthreadFlags, "");
  auto verdict = [&](pid_t pid) {
    absl::StatusOr<ProcessInspection> seen = finder_->Inspect(pid, Query(), {});
    EXPECT_TRUE(seen.ok()) << seen.status();
    return seen.ok() ? seen->verdict : ProcessVerdict::kGone;
  };
  EXPECT_EQ(verdict(130), ProcessVerdict::kMapper);
  EXPECT_EQ(verdict(131), ProcessVerdict::kNotMapping);
  EXPECT_EQ(verdict(2), ProcessVerdict::kKernelThread);
  EXPECT_EQ(verdict(999), ProcessVerdict::kGone);
}

TEST_F(MapperFinderTest, RejectsAnEmptyRange) {
  MapperQuery q = Query();
  q.file_range.length = 0;
  EXPECT_EQ(finder_->Find(q, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MapperFinderCreateTest, MissingRoot) {
  EXPECT_FALSE(MapperFinder::Create("/nonexistent/proc").ok());
}

}  // namespace
}  // namespace mfr::agent::recovery
