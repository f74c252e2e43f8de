// Implementation of PmemWatcher.
#include "agent/pmem/pmem_watcher.h"

#include <cstdio>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/pmem/pmem_report.h"
#include "common/state_file.h"
#include "agent/pmem/sysfs_pmem.h"
#include "agent/sources/ndctl_json.h"

namespace mfr::agent::pmem {
namespace {

std::string Describe(const std::string& device, sources::ByteSpan span) {
  return absl::StrCat(device, " bytes ", span.offset, "+", span.length);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PmemWatcher>> PmemWatcher::Open(
    PmemWatcherOptions options, const topology::RootedFs* fs,
    NdctlSource* ndctl, report::Outbox* outbox, PmemAddressMap* layouts,
    std::ostream* log) {
  auto text = ReadStateFile(options.state_path, kMaxStateFileBytes);
  if (!text.ok() && !absl::IsDataLoss(text.status())) return text.status();
  std::unique_ptr<PmemWatcher> w(
      new PmemWatcher(std::move(options), fs, ndctl, outbox, layouts, log));
  absl::StatusOr<KnownBadblocks> known =
      text.ok() ? (text->has_value() ? KnownBadblocks::Decode(**text)
                                     : KnownBadblocks())
                : absl::StatusOr<KnownBadblocks>(text.status());
  if (known.ok()) {
    w->known_ = *std::move(known);
  } else {
    const std::string aside = w->options_.state_path + ".corrupt";
    std::rename(w->options_.state_path.c_str(), aside.c_str());
    *log << "pmem: " << known.status() << "; moved to " << aside
         << ", starting with no known badblocks" << std::endl;
  }
  return w;
}

void PmemWatcher::LogIfChanged(const std::vector<std::string>& errors,
                               std::vector<std::string>* last,
                               const char* what) {
  if (errors == *last) return;
  for (const std::string& e : errors)
    *log_ << "pmem " << what << ": " << e << std::endl;
  if (errors.empty() && !last->empty()) {
    *log_ << "pmem " << what << ": errors gone" << std::endl;
  }
  *last = errors;
}

void PmemWatcher::RefreshLayouts(PollObservations* poll) {
  absl::StatusOr<PmemScan> scan = ScanPmemNamespaces(*fs_);
  if (!scan.ok()) {
    // Keep the last layouts; nothing can be taken as cleared.
    poll->all_incomplete = true;
    poll->errors.push_back(
        absl::StrCat("namespace scan: ", scan.status().message()));
    return;
  }
  LogIfChanged(scan->errors, &last_scan_errors_, "layout");
  regions_ = std::move(scan->regions);
  *layouts_ = PmemAddressMap(std::move(scan->namespaces));
}

void PmemWatcher::ReadBlockDevices(PollObservations* poll) const {
  std::set<std::string> devices;
  absl::StatusOr<std::vector<std::string>> listed = ListPmemBlockDevices(*fs_);
  if (listed.ok()) {
    devices.insert(listed->begin(), listed->end());
  } else {
    poll->all_incomplete = true;
    poll->errors.push_back(
        absl::StrCat("sys/block: ", listed.status().message()));
  }
  for (const PmemNamespace& ns : layouts_->namespaces()) {
    if (!ns.blockdev.empty()) devices.insert(ns.blockdev);
  }
  for (const std::string& device : devices) {
    const std::string path = absl::StrCat("sys/block/", device, "/badblocks");
    auto spans = ReadBadblocks(*fs_, path);
    if (!spans.ok()) {
      poll->incomplete.insert(device);
      poll->errors.push_back(std::string(spans.status().message()));
    } else if (spans->has_value() && !(*spans)->empty()) {
      poll->observations.push_back({device,
                                    mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS,
                                    "/" + path, **std::move(spans)});
    }
  }
}

void PmemWatcher::ReadRegions(PollObservations* poll) const {
  for (const std::string& region : regions_) {
    const std::string path =
        absl::StrCat(kNdDevices, "/", region, "/badblocks");
    auto spans = ReadBadblocks(*fs_, path);
    if (!spans.ok()) {
      for (const std::string& d : DevicesOfRegion(*layouts_, region)) {
        poll->incomplete.insert(d);
      }
      poll->errors.push_back(std::string(spans.status().message()));
      continue;
    }
    if (!spans->has_value()) continue;
    for (Observation& o :
         FromRegion(*layouts_, region, **spans,
                    mfr::v1::ERROR_SOURCE_PMEM_BADBLOCKS, "/" + path)) {
      poll->observations.push_back(std::move(o));
    }
  }
}

void PmemWatcher::ReadNdctl(PollObservations* poll) const {
  if (ndctl_ == nullptr) return;
  absl::StatusOr<std::string> json = ndctl_->ListMediaErrors();
  absl::StatusOr<std::vector<sources::NdctlMediaErrors>> entries =
      json.ok() ? sources::ParseNdctlMediaErrors(*json)
                : absl::StatusOr<std::vector<sources::NdctlMediaErrors>>(
                      json.status());
  if (!entries.ok()) {
    poll->all_incomplete = true;
    poll->errors.push_back(absl::StrCat("ndctl: ", entries.status().message()));
    return;
  }
  for (Observation& o : FromNdctl(*layouts_, *entries)) {
    poll->observations.push_back(std::move(o));
  }
}

absl::Status PmemWatcher::Report(const std::vector<NewRange>& added,
                                 absl::Time now) {
  absl::Status first_error;
  for (const NewRange& range : added) {
    mfr::v1::CorruptRangeRequest report =
        ReportForNewRange(options_.host, range, now);
    absl::StatusOr<bool> put = outbox_->Put(report);
    if (!put.ok()) {
      ++counters_.refused;
      known_.Forget(range.device, range.span);
      *log_ << "pmem: report of " << Describe(range.device, range.span)
            << " refused (" << put.status() << "); retrying next poll"
            << std::endl;
      if (!absl::IsResourceExhausted(put.status()) && first_error.ok()) {
        first_error = put.status();
      }
      continue;
    }
    ++counters_.reported;
    *log_ << "pmem: new bad range " << Describe(range.device, range.span)
          << " from " << range.origin << ", report " << report.report_id()
          << std::endl;
  }
  return first_error;
}

absl::Status PmemWatcher::Poll(absl::Time now) {
  ++counters_.polls;
  PollObservations poll;
  RefreshLayouts(&poll);
  ReadBlockDevices(&poll);
  ReadRegions(&poll);
  ReadNdctl(&poll);
  counters_.source_errors += poll.errors.size();
  LogIfChanged(poll.errors, &last_source_errors_, "source");
  KnownUpdate update = known_.Apply(poll);
  absl::Status status = Report(update.added, now);
  for (const DeviceSpan& c : update.cleared) {
    ++counters_.cleared;
    *log_ << "pmem: " << Describe(c.device, c.span)
          << " no longer listed bad (cleared)" << std::endl;
  }
  if (update.changed || dirty_) {
    absl::Status saved = WriteStateFile(options_.state_path, known_.Encode());
    dirty_ = !saved.ok();
    if (!saved.ok() && status.ok()) status = saved;
  }
  return status;
}

}  // namespace mfr::agent::pmem
