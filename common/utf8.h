// Pure UTF-8 validation for text that goes into proto3 `string` fields:
// protobuf refuses to parse a message whose string field is not valid
// UTF-8, and Linux file names are arbitrary bytes.
//
// Valid means RFC 3629: shortest-form sequences only, no surrogates
// (U+D800..U+DFFF), nothing above U+10FFFF. Thread-safe, no allocation.
#ifndef MFR_COMMON_UTF8_H_
#define MFR_COMMON_UTF8_H_

#include "absl/strings/string_view.h"

namespace mfr {

bool IsValidUtf8(absl::string_view text);

}  // namespace mfr

#endif  // MFR_COMMON_UTF8_H_
