#include "storage/key_codec.h"

#include "absl/strings/str_cat.h"

namespace mfr::storage {

void AppendU64(std::string* dst, uint64_t value) {
  char buf[8];
  for (int i = 7; i >= 0; --i) {
    buf[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  dst->append(buf, 8);
}

uint64_t ReadU64(absl::string_view src) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<unsigned char>(src[i]);
  }
  return value;
}

std::string U64Key(uint64_t a) {
  std::string key;
  AppendU64(&key, a);
  return key;
}

std::string U64Key(uint64_t a, uint64_t b) {
  std::string key = U64Key(a);
  AppendU64(&key, b);
  return key;
}

std::string U64Key(uint64_t a, uint64_t b, uint64_t c) {
  std::string key = U64Key(a, b);
  AppendU64(&key, c);
  return key;
}

void SegmentKey(uint64_t fs_id, uint64_t gen, uint64_t end, std::string* out) {
  out->clear();
  AppendU64(out, fs_id);
  AppendU64(out, gen);
  AppendU64(out, end);
}

absl::StatusOr<U64Triple> DecodeU64Triple(absl::string_view key) {
  if (key.size() < 24) {
    return absl::InvalidArgumentError(
        absl::StrCat("key of ", key.size(), " bytes, want at least 24"));
  }
  return U64Triple{ReadU64(key), ReadU64(key.substr(8)),
                   ReadU64(key.substr(16))};
}

std::string LengthPrefixed(absl::string_view part) {
  std::string key;
  key.push_back(static_cast<char>((part.size() >> 8) & 0xff));
  key.push_back(static_cast<char>(part.size() & 0xff));
  key.append(part.data(), part.size());
  return key;
}

std::string FilesystemKey(absl::string_view host, absl::string_view fs_key) {
  std::string key = LengthPrefixed(host);
  key.append(fs_key.data(), fs_key.size());
  return key;
}

std::string IncidentDevicePrefix(absl::string_view host,
                                 absl::string_view device) {
  return LengthPrefixed(host) + LengthPrefixed(device);
}

std::string IncidentDeviceKey(absl::string_view host, absl::string_view device,
                              uint64_t number) {
  std::string key = IncidentDevicePrefix(host, device);
  AppendU64(&key, number);
  return key;
}

std::string PendingActionKey(absl::string_view host,
                             absl::string_view action_id) {
  return LengthPrefixed(host) + std::string(action_id);
}

std::string PrefixSuccessor(absl::string_view prefix) {
  std::string next(prefix);
  while (!next.empty()) {
    unsigned char last = static_cast<unsigned char>(next.back());
    if (last != 0xff) {
      next.back() = static_cast<char>(last + 1);
      return next;
    }
    next.pop_back();
  }
  return next;
}

}  // namespace mfr::storage
