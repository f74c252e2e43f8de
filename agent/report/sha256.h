// SHA-256 (FIPS 180-4), written here because report ids must be stable
// across processes, builds and hosts, which absl::Hash does not promise, and
// the Bazel workspace wraps no crypto library. Checked against the FIPS
// test vectors in sha256_test.cc. Pure; one Sha256 object is
// thread-compatible.
#ifndef MFR_AGENT_REPORT_SHA256_H_
#define MFR_AGENT_REPORT_SHA256_H_

#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace mfr::agent::report {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental hashing: Update any number of times, then Finish once.
class Sha256 {
 public:
  Sha256();

  void Update(absl::string_view data);
  // The digest of everything passed to Update. The object must not be used
  // afterwards.
  Sha256Digest Finish();

 private:
  void Compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

// One-shot convenience.
Sha256Digest Sha256Of(absl::string_view data);

// Lower-case hex of the first `bytes` bytes of `digest` (all by default).
std::string DigestHex(const Sha256Digest& digest, size_t bytes = 32);

}  // namespace mfr::agent::report

#endif  // MFR_AGENT_REPORT_SHA256_H_
