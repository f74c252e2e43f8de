// Test-only FilesystemProbe answering from a map: mount point -> identity.
// A mount point not in the map gives NotFound. Records every probed path.
#ifndef MFR_AGENT_TOPOLOGY_FAKE_FILESYSTEM_PROBE_H_
#define MFR_AGENT_TOPOLOGY_FAKE_FILESYSTEM_PROBE_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/topology/filesystem_probe.h"

namespace mfr::agent::topology::testing {

class FakeFilesystemProbe : public FilesystemProbe {
 public:
  explicit FakeFilesystemProbe(std::map<std::string, FsIdentity> identities)
      : identities_(std::move(identities)) {}

  absl::StatusOr<FsIdentity> Probe(const std::string& mount_point) override {
    probed_.push_back(mount_point);
    auto it = identities_.find(mount_point);
    if (it == identities_.end()) {
      return absl::NotFoundError("fake probe: unknown mount point");
    }
    return it->second;
  }

  const std::vector<std::string>& probed() const { return probed_; }

 private:
  std::map<std::string, FsIdentity> identities_;
  std::vector<std::string> probed_;
};

}  // namespace mfr::agent::topology::testing

#endif  // MFR_AGENT_TOPOLOGY_FAKE_FILESYSTEM_PROBE_H_
