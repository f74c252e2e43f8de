// Test-only helpers for StackTranslator tests: translate-or-fail, chain
// accessors and the invariants every result must satisfy.
#ifndef MFR_CONTROLLER_RESOLVE_STACK_TEST_UTIL_H_
#define MFR_CONTROLLER_RESOLVE_STACK_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/byte_range.h"
#include "controller/resolve/stack_translator.h"
#include "mfr/v1/types.pb.h"

namespace mfr::controller::resolve::testing {

// Translate with default options; a failure is a test failure (and an
// empty result).
std::vector<TranslationResult> MustTranslate(const mfr::v1::Topology& t,
                                             const std::string& device,
                                             uint64_t offset, uint64_t length);

// The devices of a result's chain, in order.
std::vector<std::string> ChainDevices(const TranslationResult& r);

// The range of step `i` of a result's chain.
ByteSpan StepRange(const TranslationResult& r, size_t i);

// Every step of every chain is as long as the result's range, the first
// step is the report, the last is the result's device (unmapped) or its
// mount point after its device (mapped).
void ExpectWellFormed(const std::vector<TranslationResult>& results);

}  // namespace mfr::controller::resolve::testing

#endif  // MFR_CONTROLLER_RESOLVE_STACK_TEST_UTIL_H_
