// KnownBadblocks: which damaged pmem ranges the agent has already reported,
// per block device, so that each new range is reported once and a cleared
// range is noticed. Pure: the watcher stores Encode() in a state file
// (state_file.h) after every change and Decodes it at start, so an agent
// restart does not report every existing badblock again.
//
// Apply(poll), per device (all units bytes on the device):
//   now      = union of every observation of the device in this poll
//   cleared  = known - now, unless a source covering the device failed
//              (PollObservations::IsIncomplete): then nothing is cleared
//   clears  += 1 if cleared is not empty
//   added    = per observation in order, its spans minus known and minus
//              what earlier observations of this poll added, tagged with
//              that observation's source and origin and the device's
//              current `clears`
//   known    = now (complete) or known + now (incomplete)
// A device no source mentions any more (and none failed) is fully cleared.
// `clears` is kept for a device even when nothing is known on it any more:
// it goes into the report id, so a range that is cleared and then goes bad
// again is a new report, while replaying the same poll after a crash (before
// the new state was stored) gives the same ids again (the outbox and the
// controller deduplicate by id).
//
// Thread-compatible.
#ifndef MFR_AGENT_PMEM_KNOWN_BADBLOCKS_H_
#define MFR_AGENT_PMEM_KNOWN_BADBLOCKS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/pmem/observations.h"
#include "agent/pmem/pmem_address_map.h"
#include "agent/sources/pmem_badblocks.h"
#include "mfr/v1/types.pb.h"

namespace mfr::agent::pmem {

// Bounds of a decoded state (hostile or corrupt file): devices, and spans
// per device (each source lists at most sources::kMaxBadblocksEntries).
inline constexpr size_t kMaxKnownDevices = 65536;
inline constexpr size_t kMaxKnownSpansPerDevice = 65536;

struct KnownDevice {
  uint64_t clears = 0;  // polls that found part of this device cleared
  std::vector<sources::ByteSpan> spans;  // normalized
  bool operator==(const KnownDevice& o) const {
    return clears == o.clears && spans == o.spans;
  }
};

// A range seen bad for the first time (since it was last cleared).
struct NewRange {
  std::string device;
  sources::ByteSpan span;
  mfr::v1::ErrorSource source = mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS;
  std::string origin;
  uint64_t clears = 0;  // the device's clears when it was seen
};

struct KnownUpdate {
  std::vector<NewRange> added;
  std::vector<DeviceSpan> cleared;
  bool changed = false;  // the state differs from before: store it
};

class KnownBadblocks {
 public:
  KnownUpdate Apply(const PollObservations& poll);

  // Drops `span` from the known ranges of `device` (its report could not be
  // stored), so that the next poll finds it new again, with the same id.
  void Forget(const std::string& device, sources::ByteSpan span);

  // A versioned text form:
  //   mfr-pmem-known-badblocks 1
  //   <device> <clears> <count> <offset>+<length> ...      (one per device)
  std::string Encode() const;
  // DataLoss for anything Encode would not produce, or past the bounds.
  static absl::StatusOr<KnownBadblocks> Decode(absl::string_view text);

  const std::map<std::string, KnownDevice>& devices() const { return devices_; }

 private:
  std::map<std::string, KnownDevice> devices_;
};

}  // namespace mfr::agent::pmem

#endif  // MFR_AGENT_PMEM_KNOWN_BADBLOCKS_H_
