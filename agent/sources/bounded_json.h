// A small JSON reader for tool output mfr parses (ndctl). Bounded: input
// size, nesting depth and value count are capped, so hostile input costs at
// most a known amount of memory and time and never overflows the stack.
// Debian's JSON libraries for C++ are not installed here; this reads RFC 8259
// JSON and nothing more (no comments, no trailing commas).
//
// Numbers: a non-negative integer that fits 64 bits is kept exactly
// (is_uint); every number also has an approximate double. Strings are
// unescaped to UTF-8 ("\u" surrogate pairs joined; a lone surrogate is an
// error). Duplicate object keys are kept in order; Find returns the first.
// Pure; thread-safe.
#ifndef MFR_AGENT_SOURCES_BOUNDED_JSON_H_
#define MFR_AGENT_SOURCES_BOUNDED_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::sources {

struct JsonLimits {
  size_t max_bytes = 16 << 20;
  int max_depth = 32;  // arrays/objects nested at most this deep
  size_t max_values = 1 << 20;
};

struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  bool is_uint = false;          // kNumber: exact non-negative integer
  uint64_t uint_value = 0;       // valid if is_uint
  double number = 0;             // kNumber, approximate
  std::string string;            // kString
  std::vector<JsonValue> array;  // kArray
  std::vector<std::pair<std::string, JsonValue>> object;  // kObject

  // The first member named `key` of an object, or nullptr.
  const JsonValue* Find(absl::string_view key) const;
};

// The whole text must be one JSON value (surrounding whitespace allowed).
// InvalidArgument with the byte offset of the first error; ResourceExhausted
// when a limit is exceeded.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    const JsonLimits& limits = JsonLimits());

// Zero or more JSON values separated by whitespace, as printed by tools that
// dump one object per item (older "ndctl list" with several buses). The
// limits apply to the whole text.
absl::StatusOr<std::vector<JsonValue>> ParseJsonStream(
    absl::string_view text, const JsonLimits& limits = JsonLimits());

}  // namespace mfr::agent::sources

#endif  // MFR_AGENT_SOURCES_BOUNDED_JSON_H_
