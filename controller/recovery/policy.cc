#include "controller/recovery/policy.h"

#include <csignal>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace mfr::controller::recovery {
namespace {

Mode ModeOf(mfr::v1::ActionMode mode, bool global_dry_run) {
  switch (mode) {
    case mfr::v1::ACTION_MODE_DISABLED:
      return Mode::kDisabled;
    case mfr::v1::ACTION_MODE_DRY_RUN:
      return Mode::kDryRun;
    default:  // DEFAULT, ENABLED
      return global_dry_run ? Mode::kDryRun : Mode::kEnabled;
  }
}

// Collects parser errors as one message instead of logging them.
class ErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (!text_.empty()) return;  // the first error is the useful one
    text_ =
        absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message);
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace

bool EffectivePolicy::HostExcluded(absl::string_view host) const {
  for (const auto& h : excluded_hosts) {
    if (h == host) return true;
  }
  return false;
}

bool EffectivePolicy::PathExcluded(absl::string_view mount_point,
                                   absl::string_view path) const {
  std::string absolute = absl::StrCat(mount_point, "/", path);
  if (absl::EndsWith(mount_point, "/"))
    absolute = absl::StrCat(mount_point, path);
  for (const auto& prefix : excluded_path_prefixes) {
    if (absl::StartsWith(prefix, "/") ? absl::StartsWith(absolute, prefix)
                                      : absl::StartsWith(path, prefix)) {
      return true;
    }
  }
  return false;
}

EffectivePolicy Effective(const mfr::v1::RecoveryPolicy& p) {
  EffectivePolicy e;
  const bool dry = p.dry_run();
  e.kill_mappers = ModeOf(p.kill_mappers(), dry);
  e.rewrite = ModeOf(p.rewrite(), dry);
  e.scrub = ModeOf(p.scrub(), dry);
  e.md_check = ModeOf(p.md_check(), dry);
  e.refresh_snapshot = ModeOf(p.refresh_snapshot(), dry);
  e.probe = ModeOf(p.probe(), dry);
  e.kill_signal =
      p.kill_signal() == mfr::v1::KILL_SIGNAL_SIGKILL ? SIGKILL : SIGBUS;
  e.kill_mappers_of_lost_pages = p.kill_mappers_of_lost_pages();
  if (p.max_kills_per_host_per_minute() > 0) {
    e.max_kills_per_host_per_minute = p.max_kills_per_host_per_minute();
  }
  e.excluded_hosts.assign(p.excluded_hosts().begin(), p.excluded_hosts().end());
  e.excluded_path_prefixes.assign(p.excluded_path_prefixes().begin(),
                                  p.excluded_path_prefixes().end());
  return e;
}

absl::StatusOr<mfr::v1::RecoveryPolicy> ParsePolicy(absl::string_view text) {
  mfr::v1::RecoveryPolicy policy;
  google::protobuf::TextFormat::Parser parser;
  ErrorCollector errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &policy)) {
    return absl::InvalidArgumentError(
        absl::StrCat("recovery policy: ", errors.text()));
  }
  if (!mfr::v1::KillSignal_IsValid(policy.kill_signal())) {
    return absl::InvalidArgumentError(
        "recovery policy: kill_signal must be KILL_SIGNAL_SIGBUS or "
        "KILL_SIGNAL_SIGKILL");
  }
  for (int mode :
       {policy.kill_mappers(), policy.rewrite(), policy.scrub(),
        policy.md_check(), policy.refresh_snapshot(), policy.probe()}) {
    if (!mfr::v1::ActionMode_IsValid(mode)) {
      return absl::InvalidArgumentError(
          absl::StrCat("recovery policy: unknown action mode ", mode));
    }
  }
  for (const auto& h : policy.excluded_hosts()) {
    if (h.empty()) {
      return absl::InvalidArgumentError(
          "recovery policy: empty excluded_hosts");
    }
  }
  for (const auto& prefix : policy.excluded_path_prefixes()) {
    if (prefix.empty()) {
      return absl::InvalidArgumentError(
          "recovery policy: empty excluded_path_prefixes entry (it would "
          "exclude every file)");
    }
  }
  return policy;
}

absl::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kEnabled:
      return "enabled";
    case Mode::kDryRun:
      return "dry-run";
    case Mode::kDisabled:
      return "disabled";
  }
  return "?";
}

}  // namespace mfr::controller::recovery
