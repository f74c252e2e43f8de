// Implementation of the burst aggregator.
#include "agent/sources/kmsg_burst.h"

#include <cstring>
#include <utility>

#include "agent/sources/kernel_error_parser.h"

namespace mfr::agent::sources {

KmsgBurst::KmsgBurst(KernelErrorParserOptions options, KmsgBurstOptions burst)
    : options_(std::move(options)), burst_(burst) {
  if (burst_.max_contexts == 0) burst_.max_contexts = 1;
  ring_.resize(burst_.max_contexts);
}

void KmsgBurst::Reset() {
  for (Remembered& r : ring_) r.kind = ContextKind::kNone;
  pending_scsi_.kind = ContextKind::kNone;
}

KernelErrorParse KmsgBurst::Feed(absl::string_view message) {
  ++message_number_;
  ++counters_.messages;
  KernelErrorParse result = ParseKernelError(message, options_);
  const bool pending_live = pending_scsi_.kind == ContextKind::kScsiPending &&
                            pending_scsi_.at + 1 == message_number_;
  pending_scsi_.kind = ContextKind::kNone;
  if (result.outcome == ParseOutcome::kNoMatch) {
    const KmsgContext context = ParseKmsgContext(
        message, pending_live ? pending_scsi_.Device() : absl::string_view());
    if (context.kind != ContextKind::kNone) Absorb(context);
    return result;
  }
  if (result.outcome == ParseOutcome::kRange) Refine(&result);
  Count(result);
  return result;
}

void KmsgBurst::Absorb(const KmsgContext& context) {
  ++counters_.context;
  switch (context.kind) {
    case ContextKind::kSuppressed:
      counters_.suppressed += context.suppressed;
      return;
    case ContextKind::kScsiPending:
      pending_scsi_.kind = ContextKind::kScsiPending;
      pending_scsi_.device_size = static_cast<uint8_t>(context.device.size());
      memcpy(pending_scsi_.device, context.device.data(),
             context.device.size());
      pending_scsi_.at = message_number_;
      return;
    default:
      Remember(context);
  }
}

void KmsgBurst::Remember(const KmsgContext& context) {
  Remembered& r = ring_[next_];
  next_ = (next_ + 1) % ring_.size();
  r.kind = context.kind;
  r.device_size = static_cast<uint8_t>(context.device.size());
  memcpy(r.device, context.device.data(), context.device.size());
  r.command = context.command;
  r.lba = context.lba;
  r.blocks = context.blocks;
  r.verdict = context.verdict;
  r.flag = context.kind == ContextKind::kMceStatus ? context.uncorrected
                                                   : context.corrected;
  r.at = message_number_;
}

KmsgBurst::Remembered* KmsgBurst::Find(ContextKind kind,
                                       absl::string_view device) {
  Remembered* best = nullptr;
  for (Remembered& r : ring_) {
    if (r.kind != kind ||
        message_number_ - r.at > burst_.max_context_age_messages) {
      continue;
    }
    if (!device.empty() && r.Device() != device) continue;
    if (best == nullptr || r.at > best->at) best = &r;
  }
  return best;
}

void KmsgBurst::Refine(KernelErrorParse* result) {
  KernelError& e = result->error;
  if (e.format == KernelErrorFormat::kBlockLayer) {
    RefineBlockRange(&e, result);
  } else if (e.format == KernelErrorFormat::kMce) {
    Remembered* status = Find(ContextKind::kMceStatus, {});
    if (status != nullptr) {
      e.corrected = !status->flag;
      status->kind = ContextKind::kNone;
    }
  } else if (e.format == KernelErrorFormat::kGhes) {
    // One severity line heads every section of a GHES record: keep it.
    Remembered* severity = Find(ContextKind::kGhesSeverity, {});
    if (severity != nullptr) e.corrected = severity->flag;
  }
}

void KmsgBurst::RefineBlockRange(KernelError* e, KernelErrorParse* result) {
  Remembered* sense = Find(ContextKind::kScsiSense, e->device);
  Remembered* command = Find(ContextKind::kCommand, e->device);
  MediaVerdict verdict = command ? command->verdict : MediaVerdict::kUnknown;
  if (sense != nullptr && sense->verdict != MediaVerdict::kUnknown) {
    verdict = sense->verdict;
  }
  if (verdict == MediaVerdict::kMedium && e->kind == mfr::v1::ERROR_KIND_IO) {
    e->kind = mfr::v1::ERROR_KIND_MEDIUM;
    ++counters_.refined;
  } else if (verdict == MediaVerdict::kNotMedia && !e->non_media) {
    e->non_media = true;
    ++counters_.refined;
  }
  if (command != nullptr) ApplyCommand(command, e, result);
  if (sense != nullptr) sense->kind = ContextKind::kNone;
  if (command != nullptr) command->kind = ContextKind::kNone;
}

void KmsgBurst::ApplyCommand(Remembered* command, KernelError* e,
                             KernelErrorParse* result) {
  if (command->command == CommandClass::kNonData) {
    if (e->op == BlockOp::kUnknown) {
      SetIgnored(result, "failed command moves no data");
    }
    return;
  }
  if (command->command != CommandClass::kData) return;
  uint32_t known = 0;
  if (options_.logical_block_bytes) {
    known = SanitizeBlockSize(options_.logical_block_bytes(e->device));
  }
  // Unknown block size: the command's extent decides between 512 and 4096.
  const uint32_t candidates[] = {known != 0 ? known : 512u,
                                 known != 0 ? 0u : 4096u};
  for (uint32_t lbs : candidates) {
    uint64_t start, last, end;
    if (lbs == 0 || !CheckedMul(command->lba, lbs, &start) ||
        !CheckedAdd(command->lba, command->blocks, &last) ||
        !CheckedMul(last, lbs, &end)) {
      continue;
    }
    if (e->offset_bytes < start || e->offset_bytes >= end) continue;
    e->length_bytes = end - e->offset_bytes;
    e->length_exact = true;
    ++counters_.refined;
    return;
  }
}

void KmsgBurst::Count(const KernelErrorParse& result) {
  switch (result.outcome) {
    case ParseOutcome::kRange:
      ++counters_.ranges;
      if (result.error.corrected) ++counters_.corrected;
      return;
    case ParseOutcome::kIgnored:
      ++counters_.ignored;
      return;
    case ParseOutcome::kRejected:
      ++counters_.rejected;
      return;
    case ParseOutcome::kNoMatch:
      return;
  }
}

}  // namespace mfr::agent::sources
