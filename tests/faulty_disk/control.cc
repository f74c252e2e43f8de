#include "tests/faulty_disk/control.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mfr::faulty_disk {
namespace {

absl::StatusOr<ControlCommand> ParseLine(absl::string_view line) {
  std::vector<absl::string_view> words =
      absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  ControlCommand command;
  if (words.size() == 1 && words[0] == "clear") return command;
  if (words.size() == 3 && (words[0] == "bad" || words[0] == "heal")) {
    command.verb = words[0] == "bad" ? ControlCommand::Verb::kBad
                                     : ControlCommand::Verb::kHeal;
    if (absl::SimpleAtoi(words[1], &command.span.offset) &&
        absl::SimpleAtoi(words[2], &command.span.length) &&
        ValidateSpan(command.span).ok()) {
      return command;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "control: expected 'bad OFFSET LENGTH', 'heal OFFSET LENGTH' or "
      "'clear' (LENGTH > 0), got '",
      line, "'"));
}

}  // namespace

absl::StatusOr<std::vector<ControlCommand>> ParseControl(
    absl::string_view text) {
  std::vector<ControlCommand> commands;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    auto command = ParseLine(line);
    if (!command.ok()) return command.status();
    commands.push_back(*command);
  }
  return commands;
}

void ApplyControl(const std::vector<ControlCommand>& commands, BadRanges* bad) {
  for (const auto& c : commands) {
    switch (c.verb) {
      case ControlCommand::Verb::kBad:
        bad->Add(c.span).IgnoreError();  // parsed spans are valid
        break;
      case ControlCommand::Verb::kHeal:
        bad->Remove(c.span);
        break;
      case ControlCommand::Verb::kClear:
        bad->Clear();
        break;
    }
  }
}

std::string FormatStatus(const BadRanges& bad, const DiskCounters& counters) {
  std::string out;
  for (const ByteSpan& s : bad.List()) {
    absl::StrAppend(&out, "bad ", s.offset, " ", s.length, "\n");
  }
  absl::StrAppend(&out, "reads ", counters.reads, "\n", "reads_failed ",
                  counters.reads_failed, "\n", "writes ", counters.writes, "\n",
                  "bytes_healed ", counters.bytes_healed, "\n");
  return out;
}

}  // namespace mfr::faulty_disk
