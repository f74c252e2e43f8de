// The recovery policy with its defaults applied, and its parsing. Pure.
//
// The proto (mfr.v1.RecoveryPolicy, config.proto) leaves fields at zero to
// mean "the default"; EffectivePolicy is what the planner reads, with every
// default spelled out once, here:
//   every action kind ENABLED, no global dry run, SIGBUS, mappers of lost
//   page-cache ranges left alone, at most 10 kills per host per minute,
//   nothing excluded.
#ifndef MFR_CONTROLLER_RECOVERY_POLICY_H_
#define MFR_CONTROLLER_RECOVERY_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mfr/v1/config.pb.h"

namespace mfr::controller::recovery {

inline constexpr uint32_t kDefaultMaxKillsPerHostPerMinute = 10;

enum class Mode { kEnabled, kDryRun, kDisabled };

struct EffectivePolicy {
  Mode kill_mappers = Mode::kEnabled;
  Mode rewrite = Mode::kEnabled;
  Mode scrub = Mode::kEnabled;
  Mode md_check = Mode::kEnabled;
  Mode refresh_snapshot = Mode::kEnabled;
  Mode probe = Mode::kEnabled;
  int kill_signal = 7;  // SIGBUS on Linux
  bool kill_mappers_of_lost_pages = false;
  uint32_t max_kills_per_host_per_minute = kDefaultMaxKillsPerHostPerMinute;
  std::vector<std::string> excluded_hosts;
  std::vector<std::string> excluded_path_prefixes;

  bool HostExcluded(absl::string_view host) const;
  // `path` relative to `mount_point`; a prefix matches either the relative
  // path ("scratch/") or the absolute one ("/data/scratch/").
  bool PathExcluded(absl::string_view mount_point,
                    absl::string_view path) const;
};

// Applies defaults; a global dry_run turns every ENABLED kind into DRY_RUN.
EffectivePolicy Effective(const mfr::v1::RecoveryPolicy& policy);

// Parses text-format RecoveryPolicy. InvalidArgument with the parser's
// message for bad syntax, unknown fields or an empty exclusion entry.
absl::StatusOr<mfr::v1::RecoveryPolicy> ParsePolicy(absl::string_view text);

absl::string_view ModeName(Mode mode);  // "enabled", "dry-run", "disabled"

}  // namespace mfr::controller::recovery

#endif  // MFR_CONTROLLER_RECOVERY_POLICY_H_
