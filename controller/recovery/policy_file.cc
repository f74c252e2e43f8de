#include "controller/recovery/policy_file.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace mfr::controller::recovery {
namespace {

// mtime (ns) and size: what tells us the file changed.
std::string StampOf(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "missing";
  return absl::StrCat(st.st_mtim.tv_sec, ".", st.st_mtim.tv_nsec, "/",
                      st.st_size);
}

}  // namespace

absl::StatusOr<std::unique_ptr<PolicyFile>> PolicyFile::Open(
    std::string path, std::ostream* log) {
  std::unique_ptr<PolicyFile> file(new PolicyFile(std::move(path), log));
  if (file->path_.empty()) return file;
  absl::MutexLock lock(&file->mu_);
  if (auto s = file->Load(); !s.ok()) return s;
  return file;
}

absl::Status PolicyFile::Load() {
  const std::string stamp = StampOf(path_);
  std::ifstream in(path_);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read recovery policy ", path_));
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = ParsePolicy(text.str());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": ", parsed.status().message()));
  }
  policy_ = Effective(*parsed);
  stamp_ = stamp;
  *log_ << "recovery policy loaded from " << path_ << ": kill_mappers "
        << ModeName(policy_.kill_mappers) << ", rewrite "
        << ModeName(policy_.rewrite) << ", scrub " << ModeName(policy_.scrub)
        << ", md_check " << ModeName(policy_.md_check) << ", refresh_snapshot "
        << ModeName(policy_.refresh_snapshot) << ", signal "
        << policy_.kill_signal << ", max "
        << policy_.max_kills_per_host_per_minute << " kills/host/minute"
        << std::endl;
  return absl::OkStatus();
}

EffectivePolicy PolicyFile::Current(absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (path_.empty() || now - checked_ < absl::Seconds(1)) return policy_;
  checked_ = now;
  const std::string stamp = StampOf(path_);
  if (stamp != stamp_) {
    if (auto s = Load(); !s.ok()) {
      *log_ << "recovery policy NOT reloaded, keeping the previous one: " << s
            << std::endl;
      stamp_ = stamp;  // do not retry until it changes again
    }
  }
  return policy_;
}

}  // namespace mfr::controller::recovery
