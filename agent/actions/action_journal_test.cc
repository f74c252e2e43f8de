#include "agent/actions/action_journal.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::actions {
namespace {

std::string Dir(const char* name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string dir = std::string(tmp ? tmp : "/tmp") + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(ActionJournalTest, NewStartedAndFinishedIds) {
  const std::string dir = Dir("journal");
  auto journal = ActionJournal::Open(dir);
  ASSERT_TRUE(journal.ok()) << journal.status();
  auto fresh = (*journal)->Prior("inc-1.1");
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->has_value());

  ASSERT_TRUE((*journal)->MarkStarted("inc-1.1").ok());
  mfr::v1::ActionResult result;
  result.set_action_id("inc-1.1");
  result.set_outcome(mfr::v1::ACTION_OUTCOME_DONE);
  result.set_bytes_rewritten(4096);
  ASSERT_TRUE((*journal)->Finish(result).ok());
  ASSERT_TRUE((*journal)->MarkStarted("inc-1.2").ok());  // then a crash

  // A restarted agent reopens the same directory.
  auto reopened = ActionJournal::Open(dir);
  ASSERT_TRUE(reopened.ok());
  auto done = (*reopened)->Prior("inc-1.1");
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->bytes_rewritten(), 4096u);
  auto interrupted = (*reopened)->Prior("inc-1.2");
  ASSERT_TRUE(interrupted.ok() && interrupted->has_value());
  EXPECT_EQ((*interrupted)->outcome(), mfr::v1::ACTION_OUTCOME_FAILED);
  EXPECT_THAT((*interrupted)->detail(), testing::HasSubstr("never run twice"));
}

TEST(ActionJournalTest, IdsThatCannotBeFileNamesAreRefused) {
  for (const char* id : {"", "../x", ".hidden", "a/b", "a b"}) {
    EXPECT_EQ(ActionJournal::ValidateId(id).code(),
              absl::StatusCode::kInvalidArgument)
        << id;
  }
  EXPECT_TRUE(ActionJournal::ValidateId("inc-12.3").ok());
  EXPECT_FALSE(ActionJournal::ValidateId(std::string(129, 'a')).ok());
}

}  // namespace
}  // namespace mfr::agent::actions
