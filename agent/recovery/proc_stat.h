// Pure parser for the first fields of /proc/<pid>/stat (proc(5)):
//   pid (comm) state ppid pgrp session tty_nr tpgid flags ...
// `comm` is whatever the process named itself (up to 15 bytes): it may hold
// spaces and parentheses, so it runs to the LAST ')' of the text.
//
// Errors: InvalidArgument for text that does not have that shape.
// Nothing here touches the OS.
#ifndef MFR_AGENT_RECOVERY_PROC_STAT_H_
#define MFR_AGENT_RECOVERY_PROC_STAT_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::recovery {

// include/linux/sched.h: "I am a kernel thread". Stable since Linux 2.6.
inline constexpr uint32_t kPfKthread = 0x00200000;

struct ProcStat {
  pid_t pid = 0;
  std::string comm;
  char state = '?';
  pid_t ppid = 0;
  uint32_t flags = 0;  // PF_* of the task

  bool kernel_thread() const { return (flags & kPfKthread) != 0; }
};

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_PROC_STAT_H_
