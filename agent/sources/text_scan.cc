// Implementation of the shared scanners.
#include "agent/sources/text_scan.h"

#include <string.h>

namespace mfr::agent::sources {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDeviceNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '!' ||
         c == '+' || c == '-';
}

}  // namespace

bool ConsumeDecimal(absl::string_view* s, uint64_t* value) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s->size(); ++i) {
    const char c = (*s)[i];
    if (c < '0' || c > '9') break;
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (i == 0) return false;
  s->remove_prefix(i);
  *value = v;
  return true;
}

bool ConsumeHex(absl::string_view* s, uint64_t* value) {
  absl::string_view t = *s;
  if (t.size() >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
    t.remove_prefix(2);
  }
  uint64_t v = 0;
  size_t i = 0;
  for (; i < t.size(); ++i) {
    const int d = HexValue(t[i]);
    if (d < 0) break;
    if (v >> 60 != 0) return false;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  if (i == 0) return false;
  t.remove_prefix(i);
  *s = t;
  *value = v;
  return true;
}

bool ConsumeLiteral(absl::string_view* s, absl::string_view literal) {
  if (s->size() < literal.size() ||
      memcmp(s->data(), literal.data(), literal.size()) != 0) {
    return false;
  }
  s->remove_prefix(literal.size());
  return true;
}

void SkipBlanks(absl::string_view* s) {
  size_t i = 0;
  while (i < s->size() && ((*s)[i] == ' ' || (*s)[i] == '\t')) ++i;
  s->remove_prefix(i);
}

bool IsValidDeviceName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxDeviceNameBytes) return false;
  if (name == "." || name == "..") return false;
  for (char c : name) {
    if (!IsDeviceNameChar(c)) return false;
  }
  return true;
}

bool ConsumeDeviceName(absl::string_view* s, absl::string_view* name) {
  size_t i = 0;
  while (i < s->size() && i <= kMaxDeviceNameBytes &&
         IsDeviceNameChar((*s)[i])) {
    ++i;
  }
  const absl::string_view candidate = s->substr(0, i);
  if (!IsValidDeviceName(candidate)) return false;
  *name = candidate;
  s->remove_prefix(i);
  return true;
}

size_t FindText(absl::string_view haystack, absl::string_view needle) {
  if (needle.empty()) return 0;
  const void* p =
      memmem(haystack.data(), haystack.size(), needle.data(), needle.size());
  if (p == nullptr) return absl::string_view::npos;
  return static_cast<size_t>(static_cast<const char*>(p) - haystack.data());
}

bool SkipPast(absl::string_view* s, absl::string_view marker) {
  const size_t at = FindText(*s, marker);
  if (at == absl::string_view::npos) return false;
  s->remove_prefix(at + marker.size());
  return true;
}

bool CheckedMul(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_mul_overflow(a, b, out);
}

bool CheckedAdd(uint64_t a, uint64_t b, uint64_t* out) {
  return !__builtin_add_overflow(a, b, out);
}

bool IsValidRange(uint64_t offset, uint64_t length) {
  uint64_t end;
  return length > 0 && CheckedAdd(offset, length, &end);
}

absl::string_view TrimTrailing(absl::string_view s) {
  while (!s.empty()) {
    const char c = s.back();
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') break;
    s.remove_suffix(1);
  }
  return s;
}

uint32_t SanitizeBlockSize(uint64_t bytes) {
  if (bytes < 512 || bytes > 65536 || (bytes & (bytes - 1)) != 0) return 0;
  return static_cast<uint32_t>(bytes);
}

}  // namespace mfr::agent::sources
