// The CorruptRange report for a newly damaged pmem range. Pure.
//
// device = the pmem block device, range = the bytes on it (exact: badblocks
// lists whole 512-byte sectors), kind POISON, source PMEM_BADBLOCKS or
// NDCTL, one evidence line naming where the range was read, its sectors and
// the device's clear count. The evidence holds no time, so the report id
// (report/report_id.h) is the same whenever the same range is found new
// again without a clear in between (a replay after a crash), and differs
// after a clear (a recurrence is a new report).
#ifndef MFR_AGENT_PMEM_PMEM_REPORT_H_
#define MFR_AGENT_PMEM_PMEM_REPORT_H_

#include <string>

#include "absl/time/time.h"
#include "agent/pmem/known_badblocks.h"
#include "mfr/v1/agent_service.pb.h"

namespace mfr::agent::pmem {

mfr::v1::CorruptRangeRequest ReportForNewRange(const std::string& host,
                                               const NewRange& range,
                                               absl::Time now);

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_PMEM_REPORT_H_
