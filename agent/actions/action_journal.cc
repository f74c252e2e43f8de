#include "agent/actions/action_journal.h"

#include <sys/stat.h>

#include <cctype>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/state_file.h"

namespace mfr::agent::actions {
namespace {

constexpr size_t kMaxResultBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::unique_ptr<ActionJournal>> ActionJournal::Open(
    std::string dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create action journal ", dir, ": ", ec.message()));
  }
  return std::unique_ptr<ActionJournal>(new ActionJournal(std::move(dir)));
}

absl::Status ActionJournal::ValidateId(const std::string& id) {
  bool ok = !id.empty() && id.size() <= 128 && id[0] != '.';
  for (char c : id) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
                c == '_' || c == '-');
  }
  return ok ? absl::OkStatus()
            : absl::InvalidArgumentError(
                  absl::StrCat("unusable action id \"", id.substr(0, 64),
                               "\": 1..128 of [A-Za-z0-9._-]"));
}

std::string ActionJournal::PathOf(const std::string& id,
                                  const char* suffix) const {
  return absl::StrCat(dir_, "/", id, suffix);
}

absl::StatusOr<std::optional<mfr::v1::ActionResult>> ActionJournal::Prior(
    const std::string& id) const {
  if (auto s = ValidateId(id); !s.ok()) return s;
  auto data = ReadStateFile(PathOf(id, ".result"), kMaxResultBytes);
  if (!data.ok()) return data.status();
  if (data->has_value()) {
    mfr::v1::ActionResult result;
    if (!result.ParseFromString(**data)) {
      return absl::DataLossError(absl::StrCat("unreadable result of ", id));
    }
    return std::optional<mfr::v1::ActionResult>(result);
  }
  struct stat st {};
  if (stat(PathOf(id, ".started").c_str(), &st) == 0) {
    mfr::v1::ActionResult result;
    result.set_action_id(id);
    result.set_outcome(mfr::v1::ACTION_OUTCOME_FAILED);
    result.set_detail(
        "interrupted: the agent stopped while this action ran; it is never "
        "run twice, check the file by hand");
    return std::optional<mfr::v1::ActionResult>(result);
  }
  return std::optional<mfr::v1::ActionResult>();
}

absl::Status ActionJournal::MarkStarted(const std::string& id) {
  if (auto s = ValidateId(id); !s.ok()) return s;
  return WriteStateFile(PathOf(id, ".started"), "");
}

absl::Status ActionJournal::Finish(const mfr::v1::ActionResult& result) {
  if (auto s = ValidateId(result.action_id()); !s.ok()) return s;
  return WriteStateFile(PathOf(result.action_id(), ".result"),
                        result.SerializeAsString());
}

}  // namespace mfr::agent::actions
