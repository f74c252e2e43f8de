// What a probe's answer means for an incident (controller/recovery/
// planner.h plans the probe). Pure.
//
// NarrowToProbe: the failed request stopped at its first unreadable run,
// so the incident's range becomes that run (an audit line says so); any
// further runs are damage elsewhere in the window and come back as exact
// reports (source SCRUBBER) to become incidents of their own.
//
// EchoOfProbe: whether an estimated report at `range` repeats what an
// answered probe of the incident already read, and is not new damage: the
// kernel's retry of the original request (the probe window's start), or
// the kernel's line for one of the probe's own failing reads (a failing
// chunk's start, or a block inside an unreadable run).
#ifndef MFR_CONTROLLER_PROBE_NARROWING_H_
#define MFR_CONTROLLER_PROBE_NARROWING_H_

#include <vector>

#include "absl/time/time.h"
#include "common/byte_range.h"
#include "mfr/v1/agent_service.pb.h"

namespace mfr::controller {

// `result` must list at least one bad device range.
std::vector<mfr::v1::CorruptRangeRequest> NarrowToProbe(
    const mfr::v1::ActionResult& result, absl::Time now,
    mfr::v1::Incident* incident);

bool EchoOfProbe(const mfr::v1::Incident& incident, const ByteSpan& range);

}  // namespace mfr::controller

#endif  // MFR_CONTROLLER_PROBE_NARROWING_H_
