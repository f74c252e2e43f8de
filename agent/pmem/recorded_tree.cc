// Implementation of the recorded-tree test helper.
#include "agent/pmem/recorded_tree.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "agent/topology/sysfs_tree_fixture.h"

namespace mfr::agent::pmem::testing {

PmemAddressMap RecordedAddressMap() {
  return PmemAddressMap({{"namespace0.0",
                          "region0",
                          "pmem0",
                          NamespaceMode::kFsdax,
                          {kRegion0Start, kRegion0Start, 8 * kGiB, 2 * kMiB}},
                         {"namespace0.1",
                          "region0",
                          "",
                          NamespaceMode::kDevdax,
                          {kRegion0Start, 0x440000000, 4 * kGiB, 2 * kMiB}},
                         {"namespace1.0",
                          "region1",
                          "pmem1",
                          NamespaceMode::kRaw,
                          {kRegion1Start, kRegion1Start, 16 * kGiB, 0}}});
}

absl::StatusOr<std::string> MaterializeRecordedTree(const std::string& name) {
  absl::StatusOr<std::string> spec = topology::testing::ReadTestData(kTreeSpec);
  if (!spec.ok()) return spec.status();
  std::string root = topology::testing::MakeTempDir(name);
  if (auto s = topology::testing::MaterializeTree(*spec, root); !s.ok()) {
    return s;
  }
  return root;
}

absl::Status WriteTreeFile(const std::string& root, absl::string_view relative,
                           absl::string_view content) {
  const std::string path = absl::StrCat(root, "/", relative);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace mfr::agent::pmem::testing
