#include "agent/sources/sequence_file.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/state_file.h"

namespace mfr::agent::sources {

absl::StatusOr<std::optional<uint64_t>> ReadSequenceFile(
    const std::string& path) {
  auto text = ReadStateFile(path, 64);
  if (!text.ok()) return text.status();
  if (!text->has_value()) return std::optional<uint64_t>();
  uint64_t value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(**text), &value)) {
    return absl::DataLossError(absl::StrCat("unreadable sequence in ", path));
  }
  return std::optional<uint64_t>(value);
}

absl::Status WriteSequenceFile(const std::string& path, uint64_t sequence) {
  return WriteStateFile(path, absl::StrCat(sequence, "\n"));
}

}  // namespace mfr::agent::sources
