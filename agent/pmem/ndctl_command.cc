// Implementation of the ndctl runner over posix_spawn.
#include "agent/pmem/ndctl_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

extern char** environ;

namespace mfr::agent::pmem {
namespace {

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// Reads the child's stdout until EOF, the deadline or the size bound.
absl::Status ReadOutput(int fd, absl::Time deadline, size_t max_bytes,
                        std::string* out) {
  char buf[4096];
  while (true) {
    const int64_t left_ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (left_ms <= 0) return absl::DeadlineExceededError("ndctl timed out");
    struct pollfd p = {fd, POLLIN, 0};
    const int ready =
        poll(&p, 1, static_cast<int>(std::min<int64_t>(left_ms, 60000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return absl::ErrnoToStatus(errno, "poll ndctl output");
    if (ready == 0) continue;
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return absl::ErrnoToStatus(errno, "read ndctl output");
    if (n == 0) return absl::OkStatus();
    if (out->size() + static_cast<size_t>(n) > max_bytes) {
      return absl::ResourceExhaustedError(
          absl::StrCat("ndctl printed more than ", max_bytes, " bytes"));
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

// Waits for the child; kills it first when `kill_it`.
absl::Status Reap(pid_t pid, bool kill_it) {
  if (kill_it) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return absl::ErrnoToStatus(errno, "waitpid ndctl");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return absl::OkStatus();
  return absl::InternalError(
      WIFEXITED(status)
          ? absl::StrCat("ndctl exited with status ", WEXITSTATUS(status))
          : absl::StrCat("ndctl died of signal ", WTERMSIG(status)));
}

}  // namespace

std::string FindNdctl(absl::string_view path_env) {
  for (absl::string_view dir : absl::StrSplit(path_env, ':')) {
    if (dir.empty()) continue;
    const std::string path = absl::StrCat(dir, "/ndctl");
    if (access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

ProcessNdctl::ProcessNdctl(std::string binary, absl::Duration timeout,
                           size_t max_output_bytes)
    : binary_(std::move(binary)),
      timeout_(timeout),
      max_output_bytes_(max_output_bytes) {}

std::vector<std::string> ProcessNdctl::Arguments() {
  return {"list", "--regions", "--namespaces", "--media-errors"};
}

absl::StatusOr<std::string> ProcessNdctl::ListMediaErrors() {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return absl::ErrnoToStatus(errno, "pipe for ndctl");
  }
  Fd read_end{pipe_fds[0]}, write_end{pipe_fds[1]};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<std::string> args = Arguments();
  args.insert(args.begin(), binary_);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, binary_.c_str(), &actions, nullptr,
                              argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    return absl::InternalError(
        absl::StrCat("cannot run ", binary_, ": ", strerror(err)));
  }
  close(write_end.fd);
  write_end.fd = -1;  // EOF arrives when the child exits
  std::string out;
  absl::Status read =
      ReadOutput(read_end.fd, absl::Now() + timeout_, max_output_bytes_, &out);
  absl::Status exit = Reap(pid, /*kill_it=*/!read.ok());
  if (!read.ok()) return read;
  if (!exit.ok()) return exit;
  return out;
}

}  // namespace mfr::agent::pmem
