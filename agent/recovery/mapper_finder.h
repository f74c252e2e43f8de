// MapperFinder: which processes map a given byte range of a given file.
//
// A process maps the range when one of its /proc/<pid>/maps lines names the
// file's device (major:minor, as the kernel reports st_dev) and inode, and
// the mapping's file range [offset, offset + (end - start)) overlaps the
// query's in-file range. All offsets and lengths are BYTES.
//
// Contract:
// - Everything is read under `proc_root` (default "/proc") through RootedFs,
//   so tests can hand in a recorded tree; nothing here signals or writes.
// - Never candidates, whatever they map: kernel threads (PF_KTHREAD in
//   /proc/<pid>/stat; they have no mm), pid 1, the agent itself (`self_pid`,
//   default getpid()) and the caller's exclusions (pids and command names,
//   compared with /proc/<pid>/comm). Mappers among the last three are
//   reported as `spared`, so the operator knows who was left alone.
// - A process that exits during the scan is left out silently; one whose
//   files cannot be read (e.g. EACCES, or maps over kMaxMapsBytes) is
//   listed in `unreadable`: it might be a mapper nobody checked.
// - Find fails only when the pid list itself cannot be read.
// Thread-safe (RootedFs is; the object is otherwise immutable).
#ifndef MFR_AGENT_RECOVERY_MAPPER_FINDER_H_
#define MFR_AGENT_RECOVERY_MAPPER_FINDER_H_

#include <sys/types.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/recovery/proc_maps.h"
#include "agent/topology/rooted_fs.h"
#include "common/byte_range.h"

namespace mfr::agent::recovery {

struct MapperQuery {
  uint32_t dev_major = 0;  // the filesystem's st_dev
  uint32_t dev_minor = 0;
  uint64_t inode = 0;
  ByteSpan file_range;  // in-file bytes; must be a valid span
};

struct MapperExclusions {
  std::vector<pid_t> pids;
  std::vector<std::string> comms;  // exact /proc/<pid>/comm values
};

struct MapperCandidate {
  pid_t pid = 0;
  std::string comm;
  std::vector<MapsEntry> mappings;  // every matching maps line, in order
  std::string spared_because;       // empty for a candidate
};

struct UnreadableProcess {
  pid_t pid = 0;
  std::string reason;
};

struct MapperScan {
  std::vector<MapperCandidate> candidates;  // may be signalled
  std::vector<MapperCandidate> spared;      // map the range, never signalled
  std::vector<UnreadableProcess> unreadable;
  int processes_scanned = 0;
};

// What one process is, for the query. kGone: no such process (any more).
enum class ProcessVerdict {
  kGone,
  kKernelThread,
  kNotMapping,
  kSpared,
  kMapper
};

struct ProcessInspection {
  ProcessVerdict verdict = ProcessVerdict::kGone;
  MapperCandidate process;  // pid, comm and mappings when they were read
};

class MapperFinder {
 public:
  static absl::StatusOr<std::unique_ptr<MapperFinder>> Create(
      const std::string& proc_root = "/proc", pid_t self_pid = getpid());

  // Scans every process. InvalidArgument for an invalid query range.
  absl::StatusOr<MapperScan> Find(const MapperQuery& query,
                                  const MapperExclusions& exclusions) const;

  // Looks at one process now. Errors other than "gone" (e.g.
  // PermissionDenied reading its maps) are returned as they are.
  absl::StatusOr<ProcessInspection> Inspect(
      pid_t pid, const MapperQuery& query,
      const MapperExclusions& exclusions) const;

  pid_t self_pid() const { return self_pid_; }

 private:
  MapperFinder(std::unique_ptr<topology::RootedFs> proc, pid_t self_pid)
      : proc_(std::move(proc)), self_pid_(self_pid) {}

  absl::StatusOr<std::vector<MapsEntry>> MatchingMappings(
      pid_t pid, const MapperQuery& query) const;
  std::string ReadComm(pid_t pid, const std::string& stat_comm) const;

  std::unique_ptr<topology::RootedFs> proc_;
  pid_t self_pid_;
};

// Pure: whether `entry` maps part of the query's file range.
bool MapsQueryRange(const MapsEntry& entry, const MapperQuery& query);

// Pure: why `candidate` must be spared ("pid 1", "the agent itself", "pid
// excluded", "command excluded"), or "" when it may be signalled.
std::string SpareReason(const MapperCandidate& candidate, pid_t self_pid,
                        const MapperExclusions& exclusions);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_MAPPER_FINDER_H_
