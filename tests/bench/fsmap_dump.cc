// fsmap_dump: the raw GETFSMAP rate of one mounted filesystem, the baseline
// the agent's snapshot upload is compared with (snapshot_bench.py). Calls
// ForEachFsmapBatch over the filesystem's data device, as the agent does,
// counts the records by kind and prints one line of key=value figures:
//   records=N file=N free=N metadata=N shared=N seconds=S records_per_second=R
// Exit status 1 when GETFSMAP fails. Needs no privileges beyond reading
// the mount point.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "agent/snapshot/getfsmap.h"
#include "common/flags.h"
#include "tests/bench/bench_util.h"

namespace mfr::bench {
namespace {

using agent::snapshot::EncodeFsmapDevice;
using agent::snapshot::ForEachFsmapBatch;
using agent::snapshot::GetFsmapOptions;

const std::vector<FlagSpec> kFlags = {
    {"records-per-call", "GETFSMAP records per ioctl (the agent's default)",
     "65536"},
};

struct Counts {
  uint64_t records = 0, file = 0, free = 0, metadata = 0, shared = 0;

  void Add(const struct fsmap& r) {
    ++records;
    shared += (r.fmr_flags & FMR_OF_SHARED) != 0;
    if (!(r.fmr_flags & FMR_OF_SPECIAL_OWNER)) {
      ++file;
    } else if (r.fmr_owner == FMR_OWN_FREE) {
      ++free;
    } else {
      ++metadata;
    }
  }
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  const int fd_;
};

absl::Status Dump(const std::string& mount, uint32_t records_per_call) {
  Fd fd(open(mount.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st;
  if (fd.get() < 0 || fstat(fd.get(), &st) != 0) {
    return absl::ErrnoToStatus(errno, mount);
  }
  GetFsmapOptions options;
  options.device = EncodeFsmapDevice(major(st.st_dev), minor(st.st_dev));
  options.records_per_call = records_per_call;
  Counts counts;
  Stopwatch watch;
  absl::Status s = ForEachFsmapBatch(
      fd.get(), options, [&counts](absl::Span<const struct fsmap> batch) {
        for (const struct fsmap& r : batch) counts.Add(r);
        return absl::OkStatus();
      });
  const double seconds = watch.Seconds();
  if (!s.ok()) return s;
  std::cout << absl::StrFormat(
      "records=%d file=%d free=%d metadata=%d shared=%d seconds=%.4f "
      "records_per_second=%.0f peak_rss_kb=%d\n",
      counts.records, counts.file, counts.free, counts.metadata, counts.shared,
      seconds, counts.records / seconds, PeakRssKb());
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags({argv + 1, argv + argc}, kFlags);
  if (!flags.ok() || flags->help() || flags->positional().size() != 1) {
    std::cerr << Usage("fsmap_dump MOUNT [--records-per-call=N]",
                       "Counts the GETFSMAP records of MOUNT's data device "
                       "and prints the rate.",
                       kFlags);
    return flags.ok() && flags->help() ? 0 : 2;
  }
  auto per_call = flags->GetUint64("records-per-call");
  absl::Status s = per_call.ok()
                       ? Dump(flags->positional()[0],
                              static_cast<uint32_t>(
                                  std::min<uint64_t>(*per_call, UINT32_MAX)))
                       : per_call.status();
  if (!s.ok()) {
    std::cerr << "fsmap_dump: " << s << "\n";
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace mfr::bench

int main(int argc, char** argv) { return mfr::bench::Main(argc, argv); }
