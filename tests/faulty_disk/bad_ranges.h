// The bad byte ranges of a simulated disk (the faulty-disk fixture's model):
// a read that touches any bad byte fails, and a write makes exactly the
// bytes it covers good again, like a disk that remaps a sector when it is
// rewritten. All offsets and lengths are bytes; ranges are half-open
// [offset, offset + length). The set is byte-exact: callers that think in
// 512-byte sectors pass sector-aligned ranges (the kernel's block layer
// only issues those).
//
// Pure and thread-compatible: the FUSE glue holds a lock around it.
#ifndef MFR_TESTS_FAULTY_DISK_BAD_RANGES_H_
#define MFR_TESTS_FAULTY_DISK_BAD_RANGES_H_

#include <cstdint>
#include <map>
#include <vector>

#include "absl/status/status.h"
#include "common/byte_range.h"

namespace mfr::faulty_disk {

class BadRanges {
 public:
  // Marks `span` bad (joining overlapping or touching bad ranges).
  // InvalidArgument, changing nothing, for length 0 or an overflowing end.
  absl::Status Add(const ByteSpan& span);

  // Marks `span` good again and returns how many bad bytes that cleared
  // (0 for an invalid span, which changes nothing).
  uint64_t Remove(const ByteSpan& span);

  void Clear() { ranges_.clear(); }

  // True when any byte of `span` is bad (false for an invalid span).
  bool Overlaps(const ByteSpan& span) const;

  // The bad ranges, sorted, disjoint and never touching.
  std::vector<ByteSpan> List() const;
  uint64_t bad_bytes() const;

 private:
  std::map<uint64_t, uint64_t> ranges_;  // start -> end (exclusive)
};

}  // namespace mfr::faulty_disk

#endif  // MFR_TESTS_FAULTY_DISK_BAD_RANGES_H_
