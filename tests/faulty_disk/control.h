// The faulty disk's `control` file: what a write to it may say and what a
// read of it returns. Pure; no I/O.
//
// A write holds one command per line (blank lines are ignored; numbers are
// decimal bytes):
//   bad OFFSET LENGTH    reads touching [OFFSET, OFFSET + LENGTH) fail
//   heal OFFSET LENGTH   that range reads normally again (no data written)
//   clear                every range reads normally again
// A write is all or nothing: one malformed line rejects all of it.
//
// A read returns one line per bad range, then the counters:
//   bad 1048576 4096
//   reads 120
//   reads_failed 3
//   writes 40
//   bytes_healed 512
#ifndef MFR_TESTS_FAULTY_DISK_CONTROL_H_
#define MFR_TESTS_FAULTY_DISK_CONTROL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/byte_range.h"
#include "tests/faulty_disk/bad_ranges.h"

namespace mfr::faulty_disk {

struct ControlCommand {
  enum class Verb { kBad, kHeal, kClear };
  Verb verb = Verb::kClear;
  ByteSpan span;  // kBad and kHeal: a valid span

  bool operator==(const ControlCommand& o) const {
    return verb == o.verb && span == o.span;
  }
};

// Counters of the disk's I/O, reported by a read of `control`.
struct DiskCounters {
  uint64_t reads = 0;         // read requests of disk.img
  uint64_t reads_failed = 0;  // of those, failed with EIO
  uint64_t writes = 0;        // write requests of disk.img
  uint64_t bytes_healed = 0;  // bad bytes made good by writes
};

// Parses the text of one write. InvalidArgument naming the bad line.
absl::StatusOr<std::vector<ControlCommand>> ParseControl(
    absl::string_view text);

// Applies parsed commands in order.
void ApplyControl(const std::vector<ControlCommand>& commands, BadRanges* bad);

// The text a read of `control` returns.
std::string FormatStatus(const BadRanges& bad, const DiskCounters& counters);

}  // namespace mfr::faulty_disk

#endif  // MFR_TESTS_FAULTY_DISK_CONTROL_H_
