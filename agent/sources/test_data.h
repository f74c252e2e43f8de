// Test-only: reads files of agent/sources/testdata through Bazel runfiles.
#ifndef MFR_AGENT_SOURCES_TEST_DATA_H_
#define MFR_AGENT_SOURCES_TEST_DATA_H_

#include <string>

#include "absl/status/statusor.h"

namespace mfr::agent::sources::testing {

// The content of `name` under agent/sources/testdata/, via TEST_SRCDIR (or
// the current directory, for `bazel run` of a binary with the data).
absl::StatusOr<std::string> ReadTestData(const std::string& name);

}  // namespace mfr::agent::sources::testing

#endif  // MFR_AGENT_SOURCES_TEST_DATA_H_
