// The agent's detection loop: kernel log records in, CorruptRange reports
// out through the merger and the durable outbox, delivered by the sender.
//
// Step() is one iteration: poll /dev/kmsg, turn each kernel record that
// names a damaged device range into a report (corrected md/memory errors
// and non-media errors are counted, never reported; a memory error's
// physical address is reported on the pmem block device it lies on, and
// only counted when it lies on none: ordinary DRAM), merge retries of one
// failed request, put finished reports into the outbox, advance the durable
// kmsg resume point, and send what is pending. The resume point only moves
// when the merger holds nothing, so every record it covers is already in
// the outbox: a crash replays records rather than losing them, and replays
// are harmless because report ids are deterministic.
// Thread-compatible: drive it from one thread.
#ifndef MFR_AGENT_DETECTOR_H_
#define MFR_AGENT_DETECTOR_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/pmem/pmem_address_map.h"
#include "agent/report/outbox.h"
#include "agent/report/range_merger.h"
#include "agent/report/report_sender.h"
#include "agent/sources/kmsg_burst.h"
#include "agent/sources/kmsg_reader.h"
#include "agent/sources/kmsg_record.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent {

struct DetectorOptions {
  std::string host;
  std::string kmsg_path = "/dev/kmsg";
  std::string sequence_path;  // durable kmsg resume point
  sources::KmsgSourcePolicy policy;
  absl::Duration merge_window = absl::Milliseconds(500);
  absl::Duration poll = absl::Milliseconds(100);
  // Physical addresses -> pmem block devices (borrowed, read on the
  // detector's thread; kept current by the pmem watcher). Null: memory
  // errors are counted, never reported.
  const pmem::PmemAddressMap* pmem = nullptr;
};

struct DetectorCounters {
  uint64_t reports = 0;        // ranges handed to the merger
  uint64_t not_kernel = 0;     // records refused: not the kernel's facility
  uint64_t corrected = 0;      // repaired by the kernel: not loss
  uint64_t non_media = 0;      // timeouts, transport errors, ...
  uint64_t physical = 0;       // memory errors (physical addresses)
  uint64_t physical_pmem = 0;  // of these, on a pmem namespace: reported
  uint64_t refused_full = 0;   // the outbox was full
};

// Builds the report for one parsed kernel error, or nullopt when it must
// not become a report (corrected, non-media, or a physical address that
// `pmem` does not place on a pmem block device; a null `pmem` places
// none). A physical address becomes source MEMORY_FAILURE on the pmem
// device, clipped to the namespace's data area, with a second evidence
// line naming the address. Pure.
std::optional<mfr::v1::CorruptRangeRequest> ReportFor(
    const std::string& host, const sources::KmsgRecord& record,
    const sources::KernelError& error, absl::Time now,
    const pmem::PmemAddressMap* pmem = nullptr);

class Detector {
 public:
  // `topology` supplies logical block sizes; borrowed collaborators must
  // outlive the detector; `log` receives one line per report.
  static absl::StatusOr<std::unique_ptr<Detector>> Start(
      DetectorOptions options, const mfr::v1::Topology& topology,
      report::Outbox* outbox, report::ReportSender* sender, std::ostream* log);

  absl::Status Step(absl::Time now);
  // Puts everything the merger still holds into the outbox (shutdown).
  absl::Status Drain();

  const DetectorCounters& counters() const { return counters_; }
  const sources::KmsgReaderCounters& reader_counters() const {
    return reader_->counters();
  }

 private:
  Detector(DetectorOptions options, const mfr::v1::Topology& topology,
           report::Outbox* outbox, report::ReportSender* sender,
           std::ostream* log);
  void Handle(const sources::KmsgRecord& record, absl::Time now);
  absl::Status Store(const std::vector<mfr::v1::CorruptRangeRequest>& reports);

  const DetectorOptions options_;
  std::unique_ptr<sources::KmsgReader> reader_;
  sources::KmsgBurst burst_;
  report::RangeMerger merger_;
  report::Outbox* const outbox_;
  report::ReportSender* const sender_;
  std::ostream* const log_;
  std::vector<mfr::v1::CorruptRangeRequest> ready_;
  DetectorCounters counters_;
  uint64_t stored_sequence_ = 0;
};

}  // namespace mfr::agent

#endif  // MFR_AGENT_DETECTOR_H_
