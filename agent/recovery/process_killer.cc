// Pin, re-inspect, signal: the order that makes pid reuse harmless.
#include "agent/recovery/process_killer.h"

#include <string.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mfr::agent::recovery {
namespace {

// "SIGBUS"; sigabbrev_np, unlike strsignal, is thread-safe.
std::string SignalName(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  if (abbrev == nullptr) return absl::StrCat("signal ", signal);
  return absl::StrCat("SIG", abbrev);
}

KillRecord Record(pid_t pid, KillOutcome outcome, std::string detail) {
  KillRecord record;
  record.pid = pid;
  record.outcome = outcome;
  record.detail = std::move(detail);
  return record;
}

void Log(const KillOptions& options, const KillRecord& r,
         const MapperQuery& q) {
  if (options.log == nullptr) return;
  *options.log << "kill-mappers: pid " << r.pid << " (" << r.comm
               << "): " << KillOutcomeName(r.outcome) << ", " << r.detail
               << " [dev " << q.dev_major << ":" << q.dev_minor << " inode "
               << q.inode << " file bytes " << q.file_range.offset << "+"
               << q.file_range.length << ", " << SignalName(options.signal)
               << (options.dry_run ? ", dry run" : "") << "]\n";
  for (const std::string& line : r.maps_lines) {
    *options.log << "kill-mappers:   maps: " << line << "\n";
  }
}

}  // namespace

const char* KillOutcomeName(KillOutcome outcome) {
  switch (outcome) {
    case KillOutcome::kSignalled:
      return "signalled";
    case KillOutcome::kWouldSignal:
      return "would signal";
    case KillOutcome::kGone:
      return "gone";
    case KillOutcome::kNoLongerMaps:
      return "no longer maps the range";
    case KillOutcome::kRefused:
      return "refused";
    case KillOutcome::kFailed:
      return "failed";
  }
  return "?";
}

KillRecord ProcessKiller::Decide(pid_t pid, const MapperQuery& query,
                                 const KillOptions& options,
                                 ProcessHandle* handle) const {
  absl::StatusOr<ProcessInspection> seen =
      finder_->Inspect(pid, query, options.exclusions);
  if (!seen.ok()) {
    return Record(pid, KillOutcome::kFailed,
                  absl::StrCat("cannot inspect: ", seen.status().message()));
  }
  KillRecord record;
  record.pid = pid;
  record.comm = seen->process.comm;
  for (const MapsEntry& m : seen->process.mappings) {
    record.maps_lines.push_back(m.line);
  }
  switch (seen->verdict) {
    case ProcessVerdict::kGone:
      record.outcome = KillOutcome::kGone;
      record.detail = "exited before it could be inspected";
      return record;
    case ProcessVerdict::kKernelThread:
      record.outcome = KillOutcome::kRefused;
      record.detail = "kernel thread";
      return record;
    case ProcessVerdict::kNotMapping:
      record.outcome = KillOutcome::kNoLongerMaps;
      record.detail = "its maps no longer cover the range";
      return record;
    case ProcessVerdict::kSpared:
      record.outcome = KillOutcome::kRefused;
      record.detail = seen->process.spared_because;
      return record;
    case ProcessVerdict::kMapper:
      break;
  }
  if (options.dry_run) {
    record.outcome = KillOutcome::kWouldSignal;
    record.detail =
        absl::StrCat("maps the range; would send ", SignalName(options.signal));
    return record;
  }
  absl::Status sent = handle->Signal(options.signal);
  if (absl::IsNotFound(sent)) {
    record.outcome = KillOutcome::kGone;
    record.detail = "exited before the signal";
  } else if (!sent.ok()) {
    record.outcome = KillOutcome::kFailed;
    record.detail = std::string(sent.message());
  } else {
    record.outcome = KillOutcome::kSignalled;
    record.detail =
        absl::StrCat("maps the range; sent ", SignalName(options.signal));
  }
  return record;
}

KillRecord ProcessKiller::KillOne(pid_t pid, const MapperQuery& query,
                                  const KillOptions& options) const {
  KillRecord record;
  if (pid <= 0 || pid == 1 || pid == finder_->self_pid()) {
    record = Record(pid, KillOutcome::kRefused,
                    pid <= 0   ? "not a single process"
                    : pid == 1 ? "pid 1"
                               : "the agent itself");
  } else if (options.signal <= 0 || options.signal >= NSIG) {
    record = Record(pid, KillOutcome::kFailed,
                    absl::StrCat("invalid signal ", options.signal));
  } else {
    absl::StatusOr<std::unique_ptr<ProcessHandle>> handle = control_->Open(pid);
    if (absl::IsNotFound(handle.status())) {
      record = Record(pid, KillOutcome::kGone, "no such process");
    } else if (!handle.ok()) {
      record = Record(pid, KillOutcome::kFailed,
                      std::string(handle.status().message()));
    } else {
      record = Decide(pid, query, options, handle->get());
    }
  }
  Log(options, record, query);
  return record;
}

std::vector<KillRecord> ProcessKiller::Kill(const std::vector<pid_t>& pids,
                                            const MapperQuery& query,
                                            const KillOptions& options) const {
  std::vector<KillRecord> records;
  records.reserve(pids.size());
  for (pid_t pid : pids) records.push_back(KillOne(pid, query, options));
  return records;
}

}  // namespace mfr::agent::recovery
