#include "agent/detector.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "agent/sources/sequence_file.h"
#include "common/proto_time.h"

namespace mfr::agent {
namespace {

// Logical block size by kernel device name, from the topology.
sources::KernelErrorParserOptions BlockSizes(
    const mfr::v1::Topology& topology) {
  auto sizes = std::make_shared<std::map<std::string, uint32_t, std::less<>>>();
  for (const auto& d : topology.devices()) {
    (*sizes)[d.name()] = d.logical_block_size_bytes();
  }
  sources::KernelErrorParserOptions options;
  options.logical_block_bytes = [sizes](absl::string_view device) -> uint32_t {
    auto it = sizes->find(device);
    return it == sizes->end() ? 0 : it->second;
  };
  return options;
}

}  // namespace

std::optional<mfr::v1::CorruptRangeRequest> ReportFor(
    const std::string& host, const sources::KmsgRecord& record,
    const sources::KernelError& error, absl::Time now,
    const pmem::PmemAddressMap* pmem) {
  if (error.corrected || error.non_media) return std::nullopt;
  pmem::DeviceSpan where{error.device,
                         {error.offset_bytes, error.length_bytes}};
  const bool physical =
      error.target == sources::KernelErrorTarget::kPhysicalAddress;
  if (physical) {
    std::optional<pmem::DeviceSpan> on_pmem;
    if (pmem != nullptr) on_pmem = pmem->FromPhysical(where.span);
    if (!on_pmem) return std::nullopt;  // DRAM, or not a pmem block device
    where = *std::move(on_pmem);
  }
  mfr::v1::CorruptRangeRequest r;
  r.set_host(host);
  r.set_device(where.device);
  r.mutable_range()->set_offset_bytes(where.span.offset);
  r.mutable_range()->set_length_bytes(where.span.length);
  r.set_length_exact(error.length_exact);
  r.set_source(physical ? mfr::v1::ERROR_SOURCE_MEMORY_FAILURE
                        : mfr::v1::ERROR_SOURCE_KMSG);
  r.set_kind(error.kind);
  *r.mutable_observed() = ToProtoTime(now);
  // The sequence number makes a repeat of the same line after a later
  // failure a new report, while a replay of the same record stays one.
  r.add_evidence(
      absl::StrCat("kmsg seq ", record.sequence, ": ", record.message));
  if (physical) {
    r.add_evidence(absl::StrCat("physical 0x", absl::Hex(error.offset_bytes),
                                "+", error.length_bytes, " is ", where.device,
                                " bytes ", where.span.offset, "+",
                                where.span.length));
  }
  return r;
}

absl::StatusOr<std::unique_ptr<Detector>> Detector::Start(
    DetectorOptions options, const mfr::v1::Topology& topology,
    report::Outbox* outbox, report::ReportSender* sender, std::ostream* log) {
  auto resume = sources::ReadSequenceFile(options.sequence_path);
  if (!resume.ok()) return resume.status();
  auto reader = sources::KmsgReader::Open(
      options.kmsg_path, resume->has_value(), resume->value_or(0));
  if (!reader.ok()) return reader.status();
  std::unique_ptr<Detector> d(
      new Detector(std::move(options), topology, outbox, sender, log));
  d->reader_ = *std::move(reader);
  d->stored_sequence_ = resume->value_or(0);
  return d;
}

Detector::Detector(DetectorOptions options, const mfr::v1::Topology& topology,
                   report::Outbox* outbox, report::ReportSender* sender,
                   std::ostream* log)
    : options_(std::move(options)),
      burst_(BlockSizes(topology)),
      merger_(report::RangeMergerOptions{options_.merge_window}),
      outbox_(outbox),
      sender_(sender),
      log_(log) {}

void Detector::Handle(const sources::KmsgRecord& record, absl::Time now) {
  if (!sources::CountsAsKernel(record, options_.policy)) {
    ++counters_.not_kernel;
    return;
  }
  auto parsed = burst_.Feed(record.message);
  if (parsed.outcome != sources::ParseOutcome::kRange) return;
  const auto& e = parsed.error;
  counters_.corrected += e.corrected;
  counters_.non_media += e.non_media && !e.corrected;
  const bool physical =
      e.target == sources::KernelErrorTarget::kPhysicalAddress;
  counters_.physical += physical;
  auto report = ReportFor(options_.host, record, e, now, options_.pmem);
  if (!report) return;
  ++counters_.reports;
  counters_.physical_pmem += physical;
  *log_ << "detected " << e.what << " on " << report->device() << " bytes "
        << report->range().offset_bytes() << "+"
        << report->range().length_bytes()
        << (e.length_exact ? "" : " (length estimated)") << std::endl;
  auto finished = merger_.Add(*std::move(report), now);
  if (finished.ok()) {
    ready_.insert(ready_.end(), finished->begin(), finished->end());
  }
}

absl::Status Detector::Store(
    const std::vector<mfr::v1::CorruptRangeRequest>& reports) {
  for (const auto& r : reports) {
    auto put = outbox_->Put(r);
    if (absl::IsResourceExhausted(put.status())) {
      ++counters_.refused_full;  // counted and visible in Stats(); not dropped
                                 // silently
      *log_ << "outbox full: report " << r.report_id() << " refused"
            << std::endl;
      continue;
    }
    if (!put.ok()) return put.status();
  }
  return absl::OkStatus();
}

absl::Status Detector::Step(absl::Time now) {
  // Wait no longer than the first open merge window: a finished report
  // must not sit out a whole poll interval.
  const absl::Duration wait = std::clamp(merger_.NextClose() - now,
                                         absl::ZeroDuration(), options_.poll);
  auto polled = reader_->Poll(
      wait, [&](const sources::KmsgRecord& r) { Handle(r, now); });
  if (!polled.ok()) return polled.status();
  auto flushed = merger_.Flush(now);
  ready_.insert(ready_.end(), flushed.begin(), flushed.end());
  if (auto s = Store(ready_); !s.ok()) return s;
  ready_.clear();
  if (merger_.pending_ranges() == 0 && reader_->has_last() &&
      reader_->last_sequence() != stored_sequence_) {
    if (auto s = sources::WriteSequenceFile(options_.sequence_path,
                                            reader_->last_sequence());
        !s.ok()) {
      return s;
    }
    stored_sequence_ = reader_->last_sequence();
  }
  return sender_->SendPending(now);
}

absl::Status Detector::Drain() { return Store(merger_.FlushAll()); }

}  // namespace mfr::agent
