#include "agent/report/outbox_record.h"

#include "absl/strings/str_cat.h"

namespace mfr::agent::report {
namespace {

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>(v >> (8 * i)));
  }
}

// Consumes `bytes` big-endian bytes from *in; false when too short.
bool GetBigEndian(absl::string_view* in, int bytes, uint64_t* v) {
  if (in->size() < static_cast<size_t>(bytes)) return false;
  *v = 0;
  for (int i = 0; i < bytes; ++i) {
    *v = (*v << 8) | static_cast<uint8_t>((*in)[i]);
  }
  in->remove_prefix(bytes);
  return true;
}

void PutTime(std::string* out, absl::Time t) {
  PutBigEndian(out, static_cast<uint64_t>(absl::ToUnixMicros(t)), 8);
}

bool GetTime(absl::string_view* in, absl::Time* t) {
  uint64_t v = 0;
  if (!GetBigEndian(in, 8, &v)) return false;
  *t = absl::FromUnixMicros(static_cast<int64_t>(v));
  return true;
}

absl::Status Corrupt(absl::string_view what, uint64_t seq) {
  return absl::DataLossError(
      absl::StrCat("outbox: unreadable ", what, " entry ", seq));
}

}  // namespace

std::string OutboxKey(char prefix, uint64_t seq) {
  std::string key(1, prefix);
  PutBigEndian(&key, seq, 8);
  return key;
}

absl::StatusOr<uint64_t> ParseOutboxKey(char prefix, absl::string_view key) {
  uint64_t seq = 0;
  if (key.size() != 9 || key[0] != prefix) {
    return absl::DataLossError("outbox: unexpected key");
  }
  key.remove_prefix(1);
  GetBigEndian(&key, 8, &seq);
  return seq;
}

std::string EncodePending(const OutboxEntry& entry) {
  std::string out;
  PutTime(&out, entry.enqueued);
  entry.request.AppendToString(&out);
  return out;
}

absl::StatusOr<OutboxEntry> DecodePending(uint64_t seq,
                                          absl::string_view value) {
  OutboxEntry entry;
  entry.sequence = seq;
  if (!GetTime(&value, &entry.enqueued) ||
      !entry.request.ParseFromArray(value.data(),
                                    static_cast<int>(value.size()))) {
    return Corrupt("pending", seq);
  }
  return entry;
}

std::string EncodeRejected(const RejectedEntry& entry) {
  std::string out;
  PutTime(&out, entry.entry.enqueued);
  PutTime(&out, entry.rejected);
  PutBigEndian(&out, entry.reason.size(), 4);
  out += entry.reason;
  entry.entry.request.AppendToString(&out);
  return out;
}

absl::StatusOr<RejectedEntry> DecodeRejected(uint64_t seq,
                                             absl::string_view value) {
  RejectedEntry r;
  r.entry.sequence = seq;
  uint64_t reason_size = 0;
  if (!GetTime(&value, &r.entry.enqueued) || !GetTime(&value, &r.rejected) ||
      !GetBigEndian(&value, 4, &reason_size) || value.size() < reason_size) {
    return Corrupt("rejected", seq);
  }
  r.reason = std::string(value.substr(0, reason_size));
  value.remove_prefix(reason_size);
  if (!r.entry.request.ParseFromArray(value.data(),
                                      static_cast<int>(value.size()))) {
    return Corrupt("rejected", seq);
  }
  return r;
}

}  // namespace mfr::agent::report
