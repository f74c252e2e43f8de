// kmsg parse rate on a mixed corpus: every line of testdata/kmsg_corpus.txt
// and kmsg_bursts.txt (real error, context and garbage lines) plus common
// benign kernel lines, as /dev/kmsg records, repeated to LINES (default
// 5,000,000). Each line goes through ParseKmsgRecord, the kernel-facility
// check and KmsgBurst::Feed, as the agent's kmsg source does. Prints lines/s.
//
//   bazel run -c opt //agent/sources:kmsg_parse_bench -- [LINES]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/sources/kernel_error_parser.h"
#include "agent/sources/kmsg_burst.h"
#include "agent/sources/kmsg_record.h"
#include "agent/sources/test_data.h"

namespace mfr::agent::sources {
namespace {

// Lines a busy host logs that are no errors (the bulk of a real ring).
constexpr const char* kBenign[] = {
    "usb 1-1: new high-speed USB device number 2 using xhci_hcd",
    "EXT4-fs (sda1): mounted filesystem with ordered data mode. Quota mode: "
    "none.",
    "audit: type=1400 audit(1700000000.123:42): apparmor=\"STATUS\" "
    "operation=\"profile_load\" name=\"snap.lxd\" pid=812 comm=\"apparmor\"",
    "IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready",
    "sd 2:0:0:0: [sdb] 1953525168 512-byte logical blocks: (1.00 TB/932 GiB)",
    "XFS (loop0): Mounting V5 Filesystem 6a1b2c3d-0000-4000-8000-000000000000",
    "nvme nvme0: 8/0/0 default/read/poll queues",
    "systemd[1]: Started Journal Service.",
};

std::vector<std::string> MixedRecords() {
  std::vector<std::string> messages;
  for (const char* file : {"kmsg_corpus.txt", "kmsg_bursts.txt"}) {
    absl::StatusOr<std::string> text = testing::ReadTestData(file);
    if (!text.ok()) {
      fprintf(stderr, "%s\n", text.status().ToString().c_str());
      exit(1);
    }
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (line.empty() || line[0] == '#') continue;
      const size_t tab = line.rfind('\t');
      if (tab != absl::string_view::npos) {
        line.remove_prefix(tab + 1);
      } else if (!absl::ConsumePrefix(&line, "> ")) {
        continue;
      }
      absl::StatusOr<LogLine> log = ParseLogLine(line);
      if (log.ok()) messages.emplace_back(log->message);
    }
  }
  for (int i = 0; i < 4; ++i) {
    for (const char* benign : kBenign) messages.emplace_back(benign);
  }
  std::vector<std::string> records;
  uint64_t seq = 1000;
  for (const std::string& m : messages) {
    ++seq;
    records.push_back(absl::StrCat("3,", seq, ",", seq * 1237, ",-;", m,
                                   "\n SUBSYSTEM=block\n DEVICE=b8:16\n"));
  }
  return records;
}

int Main(int argc, char** argv) {
  const uint64_t lines = argc > 1 ? strtoull(argv[1], nullptr, 10) : 5000000;
  const std::vector<std::string> records = MixedRecords();
  KernelErrorParserOptions options;
  options.logical_block_bytes = [](absl::string_view) -> uint32_t {
    return 512;
  };
  KmsgBurst burst(options);
  uint64_t kernel = 0, ranges = 0;
  const absl::Time start = absl::Now();
  for (uint64_t i = 0; i < lines; ++i) {
    absl::StatusOr<KmsgRecord> r = ParseKmsgRecord(records[i % records.size()]);
    if (!r.ok() || !CountsAsKernel(*r, {})) continue;
    ++kernel;
    if (burst.Feed(r->message).outcome == ParseOutcome::kRange) ++ranges;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  printf(
      "kmsg_parse_bench: %llu lines (%zu distinct, %llu kernel) in %.3f s = "
      "%.0f lines/s; %llu ranges, %llu context lines, %llu rejected\n",
      static_cast<unsigned long long>(lines), records.size(),
      static_cast<unsigned long long>(kernel), seconds, lines / seconds,
      static_cast<unsigned long long>(ranges),
      static_cast<unsigned long long>(burst.counters().context),
      static_cast<unsigned long long>(burst.counters().rejected));
  return 0;
}

}  // namespace
}  // namespace mfr::agent::sources

int main(int argc, char** argv) {
  return mfr::agent::sources::Main(argc, argv);
}
