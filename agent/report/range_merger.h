// Merges reports of one damaged area that arrive in quick succession into
// one report. The kernel retries a failed request page by page: a 32 KiB
// read over a bad sector logs eight 4 KiB errors within milliseconds, and
// that must become one incident, not eight.
//
// Merge rule: a report joins every pending range with the same host,
// device, source and kind that it overlaps or touches (end == offset; all
// units bytes), if that range's window is still open. A window opens with
// the first report of a range and closes `window` later (a fixed window, so
// a steady trickle of errors cannot hold a report back forever). The
// source is part of the key because a report names one source; the
// controller merges reports of different sources into one incident.
//
// The merged report: the union range; length_exact only if every part was
// exact; `observed` the earliest part's (the time passed to Add when a part
// has none); evidence lines in arrival order, at most max_evidence_lines.
// When lines had to be dropped, the last kept line is replaced by a marker
// "[mfr] N more evidence lines omitted; digest of all M lines: <hex>", so
// that the report id, computed by ComputeReportId over the merged report,
// still depends on every line. A report that merged with nothing keeps
// exactly the id ComputeReportId gives it alone.
//
// Memory: at most max_pending ranges of at most max_evidence_lines lines
// each; beyond that the oldest range is finished early.
//
// Time is passed in; no clock, no threads, no I/O. Thread-compatible.
#ifndef MFR_AGENT_REPORT_RANGE_MERGER_H_
#define MFR_AGENT_REPORT_RANGE_MERGER_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "mfr/v1/agent_service.pb.h"

namespace mfr::agent::report {

struct RangeMergerOptions {
  absl::Duration window = absl::Seconds(2);  // > 0
  size_t max_evidence_lines = 16;            // >= 2 (one may be the marker)
  size_t max_pending = 1024;                 // >= 1
};

class RangeMerger {
 public:
  explicit RangeMerger(RangeMergerOptions options = {});

  // Adds one report observed at `now`. Returns the reports that are final
  // (ids set): ranges whose window closed at or before `now`, and the
  // oldest ranges when more than max_pending are held. InvalidArgument
  // (nothing changes) for length 0 or offset + length past 2^64.
  absl::StatusOr<std::vector<mfr::v1::CorruptRangeRequest>> Add(
      mfr::v1::CorruptRangeRequest report, absl::Time now);

  // Returns, oldest first, the reports whose window closed at or before
  // `now` and forgets them.
  std::vector<mfr::v1::CorruptRangeRequest> Flush(absl::Time now);
  // Returns every pending report (e.g. at shutdown).
  std::vector<mfr::v1::CorruptRangeRequest> FlushAll();

  size_t pending_ranges() const { return pending_count_; }
  // When the earliest pending window closes; InfiniteFuture when none is.
  absl::Time NextClose() const;

 private:
  // host, device, source, kind
  using Key = std::tuple<std::string, std::string, int, int>;
  struct Digest128 {
    uint64_t hi = 0, lo = 0;
  };
  struct Pending {
    uint64_t offset = 0;
    uint64_t end = 0;  // exclusive; may be 2^64 - 1 at most
    absl::Time first_seen;
    absl::Time observed;
    uint64_t order = 0;  // arrival order of the range's first report
    bool exact = true;
    std::vector<std::string> evidence;  // the first lines, in arrival order
    uint64_t evidence_total = 0;
    Digest128 digest;  // sum of per-line digests: order-free, mergeable
  };
  using Ranges = std::map<uint64_t, Pending>;  // by offset; disjoint, apart

  Pending FromReport(const mfr::v1::CorruptRangeRequest& report,
                     absl::Time now);
  void Absorb(Pending* into, Pending part) const;
  void Insert(const Key& key, Pending fresh);
  std::vector<std::pair<Key, Pending>> TakeIf(absl::Time now, bool all);
  void EvictOldest(std::vector<std::pair<Key, Pending>>* out);
  mfr::v1::CorruptRangeRequest Finish(const Key& key, Pending p) const;
  std::vector<mfr::v1::CorruptRangeRequest> FinishAll(
      std::vector<std::pair<Key, Pending>> done) const;

  const RangeMergerOptions options_;
  std::map<Key, Ranges> pending_;
  size_t pending_count_ = 0;
  uint64_t next_order_ = 0;
};

}  // namespace mfr::agent::report

#endif  // MFR_AGENT_REPORT_RANGE_MERGER_H_
