// Lines recorded from /proc/<pid>/stat on this machine kind (Linux 6.18),
// plus hostile command names.
#include "agent/recovery/proc_stat.h"

#include "gtest/gtest.h"

namespace mfr::agent::recovery {
namespace {

TEST(ParseProcStatTest, KernelThread) {
  absl::StatusOr<ProcStat> s = ParseProcStat(
      "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 5 0 0 20 0 1 0 24 0 0 "
      "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->pid, 2);
  EXPECT_EQ(s->comm, "kthreadd");
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->ppid, 0);
  EXPECT_EQ(s->flags, 0x208040u);
  EXPECT_TRUE(s->kernel_thread());
}

TEST(ParseProcStatTest, UserProcess) {
  absl::StatusOr<ProcStat> s = ParseProcStat(
      "1 (process_api) S 0 0 0 0 -1 4194560 86475 134460458 0 11510 413 "
      "2144 503169 147154 20 0 14 0 24 46272512 3356\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->comm, "process_api");
  EXPECT_FALSE(s->kernel_thread());
}

TEST(ParseProcStatTest, CommWithSpacesAndParentheses) {
  absl::StatusOr<ProcStat> s =
      ParseProcStat("4242 (a) b (c)) R 7 4242 4242 0 -1 4194304 0 0\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->comm, "a) b (c)");
  EXPECT_EQ(s->state, 'R');
  EXPECT_EQ(s->ppid, 7);
  EXPECT_EQ(s->flags, 4194304u);
}

TEST(ParseProcStatTest, RejectsMalformed) {
  const char* bad[] = {
      "",
      "12",
      "12 (x",
      "x (comm) S 1 1 1 0 -1 0",
      "12 (comm) S 1 1 1 0 -1",     // no flags
      "12 (comm) S x 1 1 0 -1 0",   // ppid
      "12 (comm) S 1 1 1 0 -1 -5",  // flags
      "0 (comm) S 1 1 1 0 -1 0",
  };
  for (const char* text : bad) {
    EXPECT_FALSE(ParseProcStat(text).ok()) << text;
  }
}

}  // namespace
}  // namespace mfr::agent::recovery
