// The version every mfr binary reports.
#ifndef MFR_COMMON_VERSION_H_
#define MFR_COMMON_VERSION_H_

namespace mfr {
inline constexpr char kVersion[] = "0.1.0";
}  // namespace mfr

#endif  // MFR_COMMON_VERSION_H_
