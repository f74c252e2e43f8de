// Test-only: materializes a recorded sysfs/proc tree from a text spec.
//
// Bazel cannot ship symlinks to directories, empty directories or names
// with ':' (sys/devices/pci0000:00/...) as test data, so trees are stored
// as specs, one entry per line (blank lines and "#" comments ignored):
//   L <path> <target>     a symlink (target kept verbatim, often relative)
//   D <path>              a directory (parents are created as needed)
//   F <path> <content>    a file holding <content> + "\n"; content is
//                         C-unescaped ("\\n", "\\t", "\\\\", "\\x00")
//   B <path> <content>    the same without the trailing "\n"
// Paths are relative and may not contain "..". Errors: InvalidArgument for
// a malformed line, the errno of a failed mkdir/symlink/write otherwise.
#ifndef MFR_AGENT_TOPOLOGY_SYSFS_TREE_FIXTURE_H_
#define MFR_AGENT_TOPOLOGY_SYSFS_TREE_FIXTURE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::agent::topology::testing {

// Creates the entries of `spec` under the existing directory `dest`.
absl::Status MaterializeTree(absl::string_view spec, const std::string& dest);

// The content of a test data file, by its path relative to the workspace
// (e.g. "agent/topology/testdata/real_loop_vda.tree"), via TEST_SRCDIR.
absl::StatusOr<std::string> ReadTestData(const std::string& workspace_path);

// A fresh empty directory under TEST_TMPDIR.
std::string MakeTempDir(const std::string& name);

}  // namespace mfr::agent::topology::testing

#endif  // MFR_AGENT_TOPOLOGY_SYSFS_TREE_FIXTURE_H_
