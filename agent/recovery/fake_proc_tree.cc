#include "agent/recovery/fake_proc_tree.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace mfr::agent::recovery {
namespace {

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

class FakeHandle : public ProcessHandle {
 public:
  FakeHandle(FakeProcessControl* control, pid_t pid)
      : control_(control), pid_(pid) {}
  absl::Status Signal(int signal) override {
    if (control_->alive.count(pid_) == 0) {
      return absl::NotFoundError("exited");
    }
    control_->sent.emplace_back(pid_, signal);
    return absl::OkStatus();
  }

 private:
  FakeProcessControl* control_;
  pid_t pid_;
};

}  // namespace

FakeProcTree::FakeProcTree() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string dir =
      absl::StrCat(base != nullptr ? base : "/tmp", "/fakeproc.XXXXXX");
  if (mkdtemp(dir.data()) != nullptr) root_ = dir;
}

FakeProcTree::~FakeProcTree() {
  std::error_code ignored;
  if (!root_.empty()) std::filesystem::remove_all(root_, ignored);
}

void FakeProcTree::AddProcess(pid_t pid, const std::string& comm,
                              uint32_t flags, const std::string& maps) {
  const std::string dir = absl::StrCat(root_, "/", pid);
  std::filesystem::create_directories(dir);
  WriteText(dir + "/stat", absl::StrCat(pid, " (", comm, ") S 1 ", pid, " ",
                                        pid, " 0 -1 ", flags, " 0 0 0\n"));
  WriteText(dir + "/comm", comm + "\n");
  WriteText(dir + "/maps", maps);
}

void FakeProcTree::SetMaps(pid_t pid, const std::string& maps) {
  WriteText(absl::StrCat(root_, "/", pid, "/maps"), maps);
}

void FakeProcTree::Remove(pid_t pid) {
  std::error_code ignored;
  std::filesystem::remove_all(absl::StrCat(root_, "/", pid), ignored);
}

void FakeProcTree::AddOtherEntry(const std::string& name) {
  std::filesystem::create_directories(root_ + "/" + name);
}

absl::StatusOr<std::unique_ptr<ProcessHandle>> FakeProcessControl::Open(
    pid_t pid) {
  if (alive.count(pid) == 0) return absl::NotFoundError("no such process");
  if (after_open) after_open(pid);
  return std::make_unique<FakeHandle>(this, pid);
}

}  // namespace mfr::agent::recovery
