// Overflow-checked uint64 arithmetic for the stack translator. Every byte
// offset that comes from a topology (partition starts, md data offsets, dm
// target starts) is untrusted, so sums and products go through these
// helpers: they return nullopt instead of wrapping. Pure; thread-safe.
#ifndef MFR_CONTROLLER_RESOLVE_CHECKED_MATH_H_
#define MFR_CONTROLLER_RESOLVE_CHECKED_MATH_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace mfr::controller::resolve {

inline std::optional<uint64_t> CheckedAdd(uint64_t a, uint64_t b) {
  uint64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

inline std::optional<uint64_t> CheckedMul(uint64_t a, uint64_t b) {
  uint64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

// a * b + c, or nullopt on overflow.
inline std::optional<uint64_t> CheckedMulAdd(uint64_t a, uint64_t b,
                                             uint64_t c) {
  std::optional<uint64_t> product = CheckedMul(a, b);
  if (!product.has_value()) return std::nullopt;
  return CheckedAdd(*product, c);
}

// The InvalidArgument every layer returns when topology values overflow.
inline absl::Status OverflowError(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": byte offset overflows 64 bits"));
}

}  // namespace mfr::controller::resolve

#endif  // MFR_CONTROLLER_RESOLVE_CHECKED_MATH_H_
