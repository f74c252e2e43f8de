#include "agent/recovery/proc_stat.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mfr::agent::recovery {
namespace {

// Fields after "(comm) ": state(0) ppid(1) pgrp session tty_nr tpgid flags(6).
constexpr size_t kStateField = 0;
constexpr size_t kPpidField = 1;
constexpr size_t kFlagsField = 6;

absl::Status StatError(absl::string_view why, absl::string_view text) {
  return absl::InvalidArgumentError(
      absl::StrCat("/proc stat: ", why, ": \"", text.substr(0, 120), "\""));
}

}  // namespace

absl::StatusOr<ProcStat> ParseProcStat(absl::string_view text) {
  const size_t open = text.find(" (");
  const size_t close = text.rfind(')');
  if (open == absl::string_view::npos || close == absl::string_view::npos ||
      close < open + 2) {
    return StatError("no (comm)", text);
  }
  ProcStat stat;
  if (!absl::SimpleAtoi(text.substr(0, open), &stat.pid) || stat.pid <= 0) {
    return StatError("bad pid", text);
  }
  stat.comm = std::string(text.substr(open + 2, close - open - 2));
  const std::vector<absl::string_view> fields =
      absl::StrSplit(text.substr(close + 1), ' ', absl::SkipEmpty());
  if (fields.size() <= kFlagsField || fields[kStateField].size() != 1) {
    return StatError("too few fields", text);
  }
  stat.state = fields[kStateField][0];
  if (!absl::SimpleAtoi(fields[kPpidField], &stat.ppid) ||
      !absl::SimpleAtoi(fields[kFlagsField], &stat.flags)) {
    return StatError("bad ppid or flags", text);
  }
  return stat;
}

}  // namespace mfr::agent::recovery
