// Allocation-free scanners over absl::string_view shared by the kernel-line,
// sysfs and JSON parsers of agent/sources.
//
// Every Consume* function either consumes a well-formed token from the front
// of *s and returns true, or returns false and leaves *s untouched. Numbers
// that overflow 64 bits are malformed (false), never wrapped. Nothing here
// allocates or touches the OS; all functions are thread-safe.
#ifndef MFR_AGENT_SOURCES_TEXT_SCAN_H_
#define MFR_AGENT_SOURCES_TEXT_SCAN_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace mfr::agent::sources {

// Kernel block device names are at most DISK_NAME_LEN (32) bytes.
inline constexpr size_t kMaxDeviceNameBytes = 32;
inline constexpr uint64_t kSectorBytes = 512;

// One or more decimal digits.
bool ConsumeDecimal(absl::string_view* s, uint64_t* value);

// One or more hex digits, with an optional "0x"/"0X" prefix.
bool ConsumeHex(absl::string_view* s, uint64_t* value);

// A literal prefix (case-sensitive).
bool ConsumeLiteral(absl::string_view* s, absl::string_view literal);

// Zero or more ASCII spaces and tabs.
void SkipBlanks(absl::string_view* s);

// A kernel device name: 1..32 bytes of [A-Za-z0-9_.!+-], not "." or "..",
// ending at the first other byte. A name never holds '/', ':' or ','.
bool ConsumeDeviceName(absl::string_view* s, absl::string_view* name);
bool IsValidDeviceName(absl::string_view name);

// Position of `needle` in `haystack` (memmem), or npos.
size_t FindText(absl::string_view haystack, absl::string_view needle);

// The text after the first occurrence of `marker`; false if absent.
bool SkipPast(absl::string_view* s, absl::string_view marker);

// a * b and a + b, false on 64-bit overflow.
bool CheckedMul(uint64_t a, uint64_t b, uint64_t* out);
bool CheckedAdd(uint64_t a, uint64_t b, uint64_t* out);

// A usable range: length > 0 and offset + length does not overflow.
bool IsValidRange(uint64_t offset, uint64_t length);

// The text without trailing "\n", "\r", spaces and tabs.
absl::string_view TrimTrailing(absl::string_view s);

// A block size a caller may hand us: a power of two in [512, 65536];
// anything else (0 = unknown, garbage) gives 0.
uint32_t SanitizeBlockSize(uint64_t bytes);

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_TEXT_SCAN_H_
