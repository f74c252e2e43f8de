#include "agent/actions/action_executor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "agent/recovery/block_probe.h"
#include "agent/recovery/ownership_check.h"
#include "agent/recovery/page_cache_rewriter.h"
#include "agent/recovery/process_killer.h"
#include "agent/topology/rooted_fs.h"
#include "common/proto_range.h"

namespace mfr::agent::actions {
namespace {

using mfr::v1::ActionResult;

constexpr long kXfsMagic = 0x58465342;
constexpr long kExt4Magic = 0xEF53;

ActionResult Answer(const mfr::v1::Action& action,
                    mfr::v1::ActionOutcome outcome, std::string detail) {
  ActionResult result;
  result.set_action_id(action.id());
  result.set_outcome(outcome);
  result.set_detail(std::move(detail));
  return result;
}

// Verifies the target live; on success `checked` holds the open file.
ActionResult Verify(const mfr::v1::Action& action,
                    const mfr::v1::FileRangeTarget& target,
                    const std::string& root, int open_flags,
                    recovery::OwnershipResult* checked) {
  const ByteSpan range = SpanOf(target.file_range());
  if (!ValidateSpan(range).ok() || target.mount_point().empty() ||
      target.path().empty()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  "malformed target: mount point, path and a file range "
                  "are required");
  }
  recovery::OwnershipClaim claim;
  claim.mount_point = topology::HostPath(root, target.mount_point());
  claim.relative_path = target.path();
  claim.inode = target.inode();
  claim.file_range = range;
  claim.physical_offset = target.device_range().offset_bytes();
  if (target.has_snapshot_taken()) {
    claim.existed_at =
        absl::FromUnixSeconds(target.snapshot_taken().seconds()) +
        absl::Nanoseconds(target.snapshot_taken().nanos());
  }
  recovery::OwnershipCheckOptions options;
  options.open_flags = open_flags;
  auto result = recovery::CheckOwnership(claim, options);
  if (!result.ok()) {
    return Answer(
        action, mfr::v1::ACTION_OUTCOME_FAILED,
        absl::StrCat("cannot verify ownership: ", result.status().ToString()));
  }
  if (!result->ok()) {
    return Answer(
        action, mfr::v1::ACTION_OUTCOME_STALE,
        absl::StrCat("ownership changed since the snapshot (",
                     recovery::OwnershipVerdictName(result->verdict),
                     "): ", result->reason, "; nothing done, snapshot needed"));
  }
  *checked = *std::move(result);
  return Answer(action, mfr::v1::ACTION_OUTCOME_DONE, "");
}

std::string PathOf(const mfr::v1::FileRangeTarget& t) {
  return absl::StrCat(t.mount_point(), "/", t.path());
}

}  // namespace

ActionResult ActionExecutor::Execute(const mfr::v1::Action& action) {
  ActionResult result;
  switch (action.kind_case()) {
    case mfr::v1::Action::kKillMappers:
      result = KillMappers(action);
      break;
    case mfr::v1::Action::kRewrite:
      result = Rewrite(action);
      break;
    case mfr::v1::Action::kScrub:
      result = Scrub(action);
      break;
    case mfr::v1::Action::kMdCheck:
      result = MdCheck(action);
      break;
    case mfr::v1::Action::kRefreshSnapshot:
      result = Refresh(action);
      break;
    case mfr::v1::Action::kProbe:
      result = Probe(action);
      break;
    default:
      result = Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                      "this agent does not carry out this kind of action");
  }
  if (deps_.log != nullptr) {
    *deps_.log << "action " << action.id() << " ("
               << (action.dry_run() ? "dry run, " : "") << action.reason()
               << "): " << mfr::v1::ActionOutcome_Name(result.outcome())
               << (result.detail().empty() ? "" : " — ") << result.detail()
               << std::endl;
  }
  return result;
}

absl::Status ActionExecutor::SignalMappers(int fd, const ByteSpan& range,
                                           int signal, bool dry_run,
                                           ActionResult* result) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return absl::InternalError("fstat failed");
  recovery::MapperQuery query;
  query.dev_major = major(st.st_dev);
  query.dev_minor = minor(st.st_dev);
  query.inode = st.st_ino;
  query.file_range = range;
  auto scan = deps_.finder->Find(query, deps_.exclusions);
  if (!scan.ok()) return scan.status();
  std::vector<pid_t> pids;
  for (const auto& c : scan->candidates) pids.push_back(c.pid);
  recovery::KillOptions options;
  options.signal = signal;
  options.dry_run = dry_run;
  options.exclusions = deps_.exclusions;
  options.log = deps_.log;
  recovery::ProcessKiller killer(deps_.finder.get(), deps_.control.get());
  for (const auto& record : killer.Kill(pids, query, options)) {
    if (record.outcome == recovery::KillOutcome::kGone ||
        record.outcome == recovery::KillOutcome::kNoLongerMaps) {
      continue;
    }
    auto* p = result->add_processes();
    p->set_pid(record.pid);
    p->set_command(record.comm);
    p->set_mapping(absl::StrJoin(record.maps_lines, " | "));
    p->set_signalled(record.outcome == recovery::KillOutcome::kSignalled);
    if (record.outcome == recovery::KillOutcome::kFailed ||
        record.outcome == recovery::KillOutcome::kRefused) {
      absl::StrAppend(result->mutable_detail(), "pid ", record.pid, " ",
                      recovery::KillOutcomeName(record.outcome), ": ",
                      record.detail, "; ");
    }
  }
  for (const auto& spared : scan->spared) {
    absl::StrAppend(result->mutable_detail(), "spared pid ", spared.pid, " (",
                    spared.comm, "): ", spared.spared_because, "; ");
  }
  return absl::OkStatus();
}

ActionResult ActionExecutor::KillMappers(const mfr::v1::Action& action) {
  const auto& kill = action.kill_mappers();
  recovery::OwnershipResult file;
  ActionResult result =
      Verify(action, kill.target(), deps_.root, O_RDONLY, &file);
  if (result.outcome() != mfr::v1::ACTION_OUTCOME_DONE) return result;
  auto mode = deps_.mapping->ModeOf(file.file.get(), PathOf(kill.target()));
  if (!mode.ok()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("mapping mode unknown, not guessing: ",
                               mode.status().ToString()));
  }
  if (kill.only_if_dax() && *mode != recovery::MappingMode::kDax) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_NOT_APPLICABLE,
                  "the file is not DAX: the page cache path handles it");
  }
  const ByteSpan range = SpanOf(kill.target().file_range());
  if (auto s = SignalMappers(file.file.get(), range,
                             kill.signal() > 0 ? kill.signal() : SIGBUS,
                             action.dry_run(), &result);
      !s.ok()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("scanning mappers: ", s.ToString()));
  }
  // DAX: the bytes are poisoned memory; stopping the mappers contains the
  // damage but does not bring the data back.
  AddRanges({range}, result.mutable_lost_file_ranges());
  if (action.dry_run()) result.set_outcome(mfr::v1::ACTION_OUTCOME_DRY_RUN);
  absl::StrAppend(result.mutable_detail(), result.processes_size(),
                  action.dry_run() ? " process(es) would be signalled"
                                   : " process(es) signalled");
  return result;
}

ActionResult ActionExecutor::Rewrite(const mfr::v1::Action& action) {
  const auto& rewrite = action.rewrite();
  recovery::OwnershipResult file;
  // O_RDWR even for a dry run: the rewriter insists, and opening writes
  // nothing.
  ActionResult result =
      Verify(action, rewrite.target(), deps_.root, O_RDWR, &file);
  if (result.outcome() != mfr::v1::ACTION_OUTCOME_DONE) return result;
  auto mode = deps_.mapping->ModeOf(file.file.get(), PathOf(rewrite.target()));
  if (!mode.ok()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("mapping mode unknown, not guessing: ",
                               mode.status().ToString()));
  }
  if (*mode == recovery::MappingMode::kDax) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_NOT_APPLICABLE,
                  "the file is DAX: there is no page cache to rewrite from");
  }
  const ByteSpan range = SpanOf(rewrite.target().file_range());
  recovery::RewriteOptions options;
  options.dry_run = action.dry_run();
  options.log = deps_.log;
  options.label = PathOf(rewrite.target());
  const absl::Time io_start = absl::Now();
  auto done = recovery::RewriteFromPageCache(file.file.get(), range, options);
  result.set_device_io_seconds(absl::ToDoubleSeconds(absl::Now() - io_start));
  if (!done.ok()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("rewrite: ", done.status().ToString()));
  }
  std::vector<ByteSpan> lost = done->lost;
  lost.insert(lost.end(), done->mismatched.begin(), done->mismatched.end());
  AddRanges(done->recovered, result.mutable_recovered_file_ranges());
  AddRanges(lost, result.mutable_lost_file_ranges());
  result.set_bytes_rewritten(done->bytes_written);
  if (!done->mismatched.empty()) {
    absl::StrAppend(result.mutable_detail(),
                    "written but read back different (the device still "
                    "fails there): counted as lost; ");
  }
  if (rewrite.kill_lost_mappers_signal() != 0) {
    for (const ByteSpan& span : lost) {
      if (auto s = SignalMappers(file.file.get(), span,
                                 rewrite.kill_lost_mappers_signal(),
                                 action.dry_run(), &result);
          !s.ok()) {
        absl::StrAppend(result.mutable_detail(),
                        "scanning mappers of lost pages: ", s.ToString(), "; ");
      }
    }
  }
  if (action.dry_run()) {
    result.set_outcome(mfr::v1::ACTION_OUTCOME_DRY_RUN);
    // What a real run would have saved is what is cached now.
  }
  absl::StrAppend(result.mutable_detail(), done->recovered.size(),
                  " cached range(s) ",
                  action.dry_run() ? "would be rewritten" : "rewritten",
                  done->verified ? " and verified" : "", ", ", lost.size(),
                  " range(s) lost");
  return result;
}

ActionResult ActionExecutor::Scrub(const mfr::v1::Action& action) {
  const std::string mount =
      topology::HostPath(deps_.root, action.scrub().mount_point());
  struct statfs fs {};
  if (mount.empty() || statfs(mount.c_str(), &fs) != 0) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("cannot stat filesystem ", mount));
  }
  if (fs.f_type == kExt4Magic) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_DONE,
                  "ext4 has no online check: unmount it and run "
                  "`e2fsck -fn` on its device, then repair offline");
  }
  if (fs.f_type != kXfsMagic) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_NOT_APPLICABLE,
                  "no read-only checker known for this filesystem type");
  }
  if (action.dry_run()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_DRY_RUN,
                  absl::StrCat("would run ", deps_.xfs_scrub, " -n ", mount));
  }
  // -n: check only, never repair. Output is bounded to what we keep.
  const std::string command =
      absl::StrCat(deps_.xfs_scrub, " -n '", mount, "' 2>&1");
  if (mount.find('\'') != std::string::npos) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  "mount point with a quote: not passed to a shell");
  }
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("cannot run ", deps_.xfs_scrub));
  }
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
    if (output.size() < 4096) output.append(buffer, n);
  }
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (output.size() > 4096) output.resize(4096);
  // xfs_scrub: 0 clean, 1 corruption found, 2 optimisations, 4 errors
  // (e.g. the kernel has no online scrub), 8 usage.
  return Answer(action,
                code == 0 || code == 1 || code == 2
                    ? mfr::v1::ACTION_OUTCOME_DONE
                    : mfr::v1::ACTION_OUTCOME_FAILED,
                absl::StrCat(deps_.xfs_scrub, " -n exit ", code,
                             code == 1 ? " (corruption found)" : "",
                             code >= 4 ? " (could not check: run xfs_repair -n "
                                         "offline)"
                                       : "",
                             ": ", output));
}

ActionResult ActionExecutor::MdCheck(const mfr::v1::Action& action) {
  const std::string& array = action.md_check().array();
  if (array.empty() || array.find('/') != std::string::npos ||
      array.find("..") != std::string::npos) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  "malformed md array name");
  }
  const std::string path =
      absl::StrCat(deps_.root, "/sys/block/", array, "/md/sync_action");
  std::ifstream current(path);
  std::string state;
  if (!(current >> state)) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("cannot read ", path));
  }
  if (state != "idle") {
    return Answer(action, mfr::v1::ACTION_OUTCOME_DONE,
                  absl::StrCat(array, " is already busy (", state,
                               "): md will rewrite from redundancy"));
  }
  if (action.dry_run()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_DRY_RUN,
                  absl::StrCat("would write \"check\" to ", path));
  }
  std::ofstream out(path);
  out << "check\n";
  out.flush();
  if (!out) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("cannot write ", path));
  }
  return Answer(action, mfr::v1::ACTION_OUTCOME_DONE,
                absl::StrCat("md check started on ", array));
}

ActionResult ActionExecutor::Refresh(const mfr::v1::Action& action) {
  const std::string& mount = action.refresh_snapshot().mount_point();
  if (action.dry_run()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_DRY_RUN,
                  absl::StrCat("would snapshot ", mount));
  }
  if (!deps_.refresh) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  "this agent cannot take snapshots");
  }
  absl::Status s = deps_.refresh(mount);
  return s.ok()
             ? Answer(action, mfr::v1::ACTION_OUTCOME_DONE,
                      absl::StrCat("fresh snapshot of ", mount, " sent"))
             : Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                      absl::StrCat("snapshot of ", mount, ": ", s.ToString()));
}

ActionResult ActionExecutor::Probe(const mfr::v1::Action& action) {
  const std::string& device = action.probe().device();
  if (device.empty() || device.find('/') != std::string::npos ||
      device.find("..") != std::string::npos) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  "malformed device name");
  }
  const ByteSpan range = SpanOf(action.probe().range());
  if (action.dry_run()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_DRY_RUN,
                  absl::StrCat("would read ", device, " bytes ", range.offset,
                               "+", range.length, " with O_DIRECT"));
  }
  const std::string path = absl::StrCat(deps_.root, "/dev/", device);
  recovery::DeviceProbeOptions options;
  if (action.probe().chunk_bytes() > 0) {
    options.chunk_bytes = action.probe().chunk_bytes();
  }
  const absl::Time io_start = absl::Now();
  auto probed = recovery::ProbeDevice(path, range, options);
  const double io_seconds = absl::ToDoubleSeconds(absl::Now() - io_start);
  if (!probed.ok()) {
    return Answer(action, mfr::v1::ACTION_OUTCOME_FAILED,
                  absl::StrCat("probe: ", probed.status().ToString()));
  }
  ActionResult result =
      Answer(action, mfr::v1::ACTION_OUTCOME_DONE,
             absl::StrCat("read ", device, " bytes ", probed->window.offset,
                          "+", probed->window.length, " in ",
                          probed->stats.reads, " reads of up to ",
                          options.chunk_bytes, " bytes (", probed->block_bytes,
                          "-byte blocks): ", probed->unreadable.size(),
                          " unreadable range(s)"));
  AddRanges(probed->unreadable, result.mutable_bad_device_ranges());
  result.set_device_io_seconds(io_seconds);
  return result;
}

}  // namespace mfr::agent::actions
