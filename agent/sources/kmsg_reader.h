// Reads kernel log records from /dev/kmsg (or a path under a test root),
// one record per read(2), resuming after a sequence number so that a
// restarted agent reports nothing twice and misses nothing still in the
// ring buffer. EPIPE (the ring buffer overwrote records before we read
// them) is counted and reading goes on from the oldest record left — never
// a reason to stop, unlike node-problem-detector's reader.
// Thread-compatible: one reader per thread.
#ifndef MFR_AGENT_SOURCES_KMSG_READER_H_
#define MFR_AGENT_SOURCES_KMSG_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/sources/kmsg_record.h"

namespace mfr::agent::sources {

struct KmsgReaderCounters {
  uint64_t records = 0;   // records read
  uint64_t skipped = 0;   // already seen (sequence <= resume point)
  uint64_t overruns = 0;  // EPIPE: records lost to the ring buffer
  uint64_t malformed = 0;
};

class KmsgReader {
 public:
  // Opens `path` non-blocking, reading from the oldest record in the ring
  // buffer. With a resume point, records with sequence <= `resume_after`
  // are skipped (the kernel's first record has sequence 0, hence the flag).
  static absl::StatusOr<std::unique_ptr<KmsgReader>> Open(
      const std::string& path, bool has_resume_point, uint64_t resume_after);
  ~KmsgReader();

  // Waits up to `wait` for records, then hands every available new record
  // to `visit` (its views live during the call). Returns how many were
  // visited. Errors other than EPIPE/EAGAIN end in a Status.
  absl::StatusOr<size_t> Poll(
      absl::Duration wait, const std::function<void(const KmsgRecord&)>& visit);

  // The sequence of the last record visited or skipped.
  bool has_last() const { return has_last_; }
  uint64_t last_sequence() const { return last_; }
  const KmsgReaderCounters& counters() const { return counters_; }

 private:
  KmsgReader(int fd, bool has_resume_point, uint64_t resume_after)
      : fd_(fd), has_last_(has_resume_point), last_(resume_after) {}

  int fd_;
  bool has_last_;
  uint64_t last_;
  KmsgReaderCounters counters_;
};

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_KMSG_READER_H_
