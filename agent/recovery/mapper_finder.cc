// MapperFinder over a /proc tree: list pids, then per pid stat -> maps ->
// comm, keeping lines whose device, inode and file range match.
#include "agent/recovery/mapper_finder.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/recovery/proc_stat.h"

namespace mfr::agent::recovery {
namespace {

constexpr size_t kMaxStatBytes = 4096;
constexpr size_t kMaxCommBytes = 256;

std::optional<pid_t> PidFromName(const std::string& name) {
  pid_t pid = 0;
  if (name.empty() || !absl::ascii_isdigit(name[0]) ||
      !absl::SimpleAtoi(name, &pid) || pid <= 0) {
    return std::nullopt;
  }
  return pid;
}

template <typename T>
bool Contains(const std::vector<T>& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool MapsQueryRange(const MapsEntry& entry, const MapperQuery& query) {
  return entry.inode == query.inode && entry.dev_major == query.dev_major &&
         entry.dev_minor == query.dev_minor &&
         Intersect(entry.file_span(), query.file_range).has_value();
}

std::string SpareReason(const MapperCandidate& candidate, pid_t self_pid,
                        const MapperExclusions& exclusions) {
  if (candidate.pid == 1) return "pid 1";
  if (candidate.pid == self_pid) return "the agent itself";
  if (Contains(exclusions.pids, candidate.pid)) return "pid excluded";
  if (Contains(exclusions.comms, candidate.comm)) return "command excluded";
  return "";
}

absl::StatusOr<std::unique_ptr<MapperFinder>> MapperFinder::Create(
    const std::string& proc_root, pid_t self_pid) {
  absl::StatusOr<std::unique_ptr<topology::RootedFs>> proc =
      topology::RootedFs::Open(proc_root);
  if (!proc.ok()) return proc.status();
  return std::unique_ptr<MapperFinder>(
      new MapperFinder(*std::move(proc), self_pid));
}

absl::StatusOr<std::vector<MapsEntry>> MapperFinder::MatchingMappings(
    pid_t pid, const MapperQuery& query) const {
  absl::StatusOr<std::string> text =
      proc_->ReadFile(absl::StrCat(pid, "/maps"), kMaxMapsBytes);
  if (!text.ok()) return text.status();
  // Most processes never map the file: skip parsing unless the inode
  // number appears as a field somewhere (a cheap, conservative filter).
  if (!absl::StrContains(*text, absl::StrCat(" ", query.inode, " "))) {
    return std::vector<MapsEntry>();
  }
  absl::StatusOr<MapsTable> table = ParseMaps(*text);
  if (!table.ok()) return table.status();
  std::vector<MapsEntry> matching;
  for (MapsEntry& entry : table->entries) {
    if (MapsQueryRange(entry, query)) matching.push_back(std::move(entry));
  }
  return matching;
}

std::string MapperFinder::ReadComm(pid_t pid,
                                   const std::string& stat_comm) const {
  absl::StatusOr<std::string> comm =
      proc_->ReadFile(absl::StrCat(pid, "/comm"), kMaxCommBytes);
  if (!comm.ok()) return stat_comm;
  if (!comm->empty() && comm->back() == '\n') comm->pop_back();
  return *std::move(comm);
}

absl::StatusOr<ProcessInspection> MapperFinder::Inspect(
    pid_t pid, const MapperQuery& query,
    const MapperExclusions& exclusions) const {
  ProcessInspection result;
  result.process.pid = pid;
  absl::StatusOr<std::string> stat_text =
      proc_->ReadFile(absl::StrCat(pid, "/stat"), kMaxStatBytes);
  if (absl::IsNotFound(stat_text.status())) return result;  // kGone
  if (!stat_text.ok()) return stat_text.status();
  absl::StatusOr<ProcStat> stat = ParseProcStat(*stat_text);
  if (!stat.ok()) return stat.status();
  result.process.comm = stat->comm;
  if (stat->kernel_thread()) {
    result.verdict = ProcessVerdict::kKernelThread;
    return result;
  }
  absl::StatusOr<std::vector<MapsEntry>> mappings =
      MatchingMappings(pid, query);
  if (absl::IsNotFound(mappings.status())) return result;  // exited
  if (!mappings.ok()) return mappings.status();
  if (mappings->empty()) {
    result.verdict = ProcessVerdict::kNotMapping;
    return result;
  }
  result.process.mappings = *std::move(mappings);
  result.process.comm = ReadComm(pid, stat->comm);
  result.process.spared_because =
      SpareReason(result.process, self_pid_, exclusions);
  result.verdict = result.process.spared_because.empty()
                       ? ProcessVerdict::kMapper
                       : ProcessVerdict::kSpared;
  return result;
}

absl::StatusOr<MapperScan> MapperFinder::Find(
    const MapperQuery& query, const MapperExclusions& exclusions) const {
  absl::Status valid = ValidateSpan(query.file_range, "mapper query range");
  if (!valid.ok()) return valid;
  absl::StatusOr<std::vector<std::string>> names = proc_->ListDir(".");
  if (!names.ok()) return names.status();
  MapperScan scan;
  for (const std::string& name : *names) {
    std::optional<pid_t> pid = PidFromName(name);
    if (!pid.has_value()) continue;
    ++scan.processes_scanned;
    absl::StatusOr<ProcessInspection> seen = Inspect(*pid, query, exclusions);
    if (!seen.ok()) {
      scan.unreadable.push_back({*pid, std::string(seen.status().message())});
      continue;
    }
    if (seen->verdict == ProcessVerdict::kMapper) {
      scan.candidates.push_back(std::move(seen->process));
    } else if (seen->verdict == ProcessVerdict::kSpared) {
      scan.spared.push_back(std::move(seen->process));
    }
  }
  return scan;
}

}  // namespace mfr::agent::recovery
