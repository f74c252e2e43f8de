// PmemWatcher: the driver of pmem detection. Each Poll rescans the pmem
// namespace layouts (sysfs_pmem.h), reads every pmem source (observations.h:
// /sys/block/pmem*/badblocks, /sys/bus/nd/devices/region*/badblocks, and
// ndctl when one is handed in), finds what is new and what was cleared
// (known_badblocks.h), puts one report per new range into the durable
// outbox (pmem_report.h) and logs and counts cleared ranges. The report
// sender that drains the outbox is not the watcher's business.
//
// Durability of the known set: a small state file (state_file.h) written
// after the outbox holds the poll's reports. A restart loads it, so existing
// badblocks are not reported again; a crash between the outbox write and
// the state write replays the poll with the same report ids, which the
// outbox and the controller deduplicate. (The outbox alone could not do
// this: it forgets a report once the controller acknowledged it, and it
// cannot tell "cleared" from "never seen".) A corrupt state file is set
// aside as "<path>.corrupt" and the watcher starts empty.
//
// A report the outbox refuses (full, or an error) is forgotten from the
// known set, so the next poll tries it again. The address map handed in is
// replaced by each successful scan, so the detector that translates
// memory-failure addresses with it sees the current layouts.
//
// Thread-compatible: Poll and any user of the address map must run on one
// thread (the detection loop). Collaborators are borrowed and must outlive
// the watcher; `ndctl` may be null.
#ifndef MFR_AGENT_PMEM_PMEM_WATCHER_H_
#define MFR_AGENT_PMEM_PMEM_WATCHER_H_

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/pmem/known_badblocks.h"
#include "agent/pmem/ndctl_command.h"
#include "agent/pmem/observations.h"
#include "agent/pmem/pmem_address_map.h"
#include "agent/report/outbox.h"
#include "agent/topology/rooted_fs.h"

namespace mfr::agent::pmem {

inline constexpr size_t kMaxStateFileBytes = 16 << 20;

struct PmemWatcherOptions {
  std::string host;
  std::string state_path;  // e.g. <state-dir>/pmem_badblocks.state
};

struct PmemWatcherCounters {
  uint64_t polls = 0;
  uint64_t reported = 0;       // new ranges put into the outbox
  uint64_t cleared = 0;        // ranges found cleared
  uint64_t source_errors = 0;  // source reads that failed (per poll)
  uint64_t refused = 0;        // reports the outbox refused (retried)
};

class PmemWatcher {
 public:
  // Fails only when the state file cannot be read (not when it is corrupt).
  static absl::StatusOr<std::unique_ptr<PmemWatcher>> Open(
      PmemWatcherOptions options, const topology::RootedFs* fs,
      NdctlSource* ndctl, report::Outbox* outbox, PmemAddressMap* layouts,
      std::ostream* log);

  // One poll at `now` (the reports' observed time). Source read errors are
  // logged and counted, not returned; an outbox or state-file error is
  // returned after the rest of the poll is done.
  absl::Status Poll(absl::Time now);

  const PmemWatcherCounters& counters() const { return counters_; }
  const KnownBadblocks& known() const { return known_; }

 private:
  PmemWatcher(PmemWatcherOptions options, const topology::RootedFs* fs,
              NdctlSource* ndctl, report::Outbox* outbox,
              PmemAddressMap* layouts, std::ostream* log)
      : options_(std::move(options)),
        fs_(fs),
        ndctl_(ndctl),
        outbox_(outbox),
        layouts_(layouts),
        log_(log) {}

  void RefreshLayouts(PollObservations* poll);
  void ReadBlockDevices(PollObservations* poll) const;
  void ReadRegions(PollObservations* poll) const;
  void ReadNdctl(PollObservations* poll) const;
  absl::Status Report(const std::vector<NewRange>& added, absl::Time now);
  void LogIfChanged(const std::vector<std::string>& errors,
                    std::vector<std::string>* last, const char* what);

  const PmemWatcherOptions options_;
  const topology::RootedFs* const fs_;
  NdctlSource* const ndctl_;
  report::Outbox* const outbox_;
  PmemAddressMap* const layouts_;
  std::ostream* const log_;
  KnownBadblocks known_;
  std::vector<std::string> regions_;
  std::vector<std::string> last_scan_errors_;
  std::vector<std::string> last_source_errors_;
  bool dirty_ = false;  // the state file is behind known_
  PmemWatcherCounters counters_;
};

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_PMEM_WATCHER_H_
