// Implementation of the test tree materializer.
#include "agent/topology/sysfs_tree_fixture.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mfr::agent::topology::testing {
namespace {

absl::Status MkdirP(const std::string& dest, absl::string_view rel) {
  std::string path = dest;
  for (absl::string_view part : absl::StrSplit(rel, '/', absl::SkipEmpty())) {
    absl::StrAppend(&path, "/", part);
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::ErrnoToStatus(errno, absl::StrCat("mkdir ", path));
    }
  }
  return absl::OkStatus();
}

absl::string_view Dirname(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? "" : path.substr(0, slash);
}

absl::Status WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat("write ", path));
  return absl::OkStatus();
}

absl::Status ApplyLine(absl::string_view line, const std::string& dest) {
  std::vector<absl::string_view> f =
      absl::StrSplit(line, absl::MaxSplits(' ', 2));
  if (f.size() < 2 || f[0].size() != 1 || f[1].empty() || f[1][0] == '/' ||
      absl::StrContains(f[1], "..")) {
    return absl::InvalidArgumentError(absl::StrCat("bad spec line: ", line));
  }
  const char kind = f[0][0];
  const std::string path = absl::StrCat(dest, "/", f[1]);
  absl::Status status = MkdirP(dest, kind == 'D' ? f[1] : Dirname(f[1]));
  if (!status.ok() || kind == 'D') return status;
  const std::string arg = f.size() > 2 ? std::string(f[2]) : "";
  if (kind == 'L') {
    if (symlink(arg.c_str(), path.c_str()) != 0) {
      return absl::ErrnoToStatus(errno, absl::StrCat("symlink ", path));
    }
    return absl::OkStatus();
  }
  std::string content;
  if ((kind != 'F' && kind != 'B') || !absl::CUnescape(arg, &content)) {
    return absl::InvalidArgumentError(absl::StrCat("bad spec line: ", line));
  }
  if (kind == 'F') content += '\n';
  return WriteFile(path, content);
}

}  // namespace

absl::Status MaterializeTree(absl::string_view spec, const std::string& dest) {
  for (absl::string_view line : absl::StrSplit(spec, '\n')) {
    absl::ConsumeSuffix(&line, "\r");
    if (line.empty() || line[0] == '#') continue;
    absl::Status status = ApplyLine(line, dest);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadTestData(const std::string& workspace_path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir == nullptr || workspace == nullptr) {
    return absl::FailedPreconditionError("not run by bazel test");
  }
  const std::string path =
      absl::StrCat(srcdir, "/", workspace, "/", workspace_path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string MakeTempDir(const std::string& name) {
  static std::atomic<int> counter{0};
  const char* tmp = std::getenv("TEST_TMPDIR");
  std::string path = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name, ".",
                                  getpid(), ".", counter++);
  mkdir(path.c_str(), 0755);
  return path;
}

}  // namespace mfr::agent::topology::testing
