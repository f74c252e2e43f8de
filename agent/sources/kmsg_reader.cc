#include "agent/sources/kmsg_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace mfr::agent::sources {
namespace {

// The kernel's record limit (CONSOLE_EXT_LOG_MAX) is 8 KiB.
constexpr size_t kRecordBufferBytes = 8192 + 1;

}  // namespace

absl::StatusOr<std::unique_ptr<KmsgReader>> KmsgReader::Open(
    const std::string& path, bool has_resume_point, uint64_t resume_after) {
  int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("opening ", path));
  }
  return std::unique_ptr<KmsgReader>(
      new KmsgReader(fd, has_resume_point, resume_after));
}

KmsgReader::~KmsgReader() { close(fd_); }

absl::StatusOr<size_t> KmsgReader::Poll(
    absl::Duration wait, const std::function<void(const KmsgRecord&)>& visit) {
  pollfd p{fd_, POLLIN, 0};
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(wait));
  if (poll(&p, 1, ms) < 0 && errno != EINTR) {
    return absl::ErrnoToStatus(errno, "poll /dev/kmsg");
  }
  size_t visited = 0;
  char buffer[kRecordBufferBytes];
  while (true) {
    const ssize_t n = read(fd_, buffer, sizeof(buffer) - 1);
    if (n < 0 && errno == EPIPE) {
      ++counters_.overruns;  // the next read returns the oldest record left
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    if (n < 0) return absl::ErrnoToStatus(errno, "reading /dev/kmsg");
    if (n == 0) break;  // a regular file in tests: its end
    ++counters_.records;
    auto record = ParseKmsgRecord(absl::string_view(buffer, n));
    if (!record.ok()) {
      ++counters_.malformed;
      continue;
    }
    if (has_last_ && record->sequence <= last_) {
      ++counters_.skipped;
      continue;
    }
    has_last_ = true;
    last_ = record->sequence;
    visit(*record);
    ++visited;
  }
  return visited;
}

}  // namespace mfr::agent::sources
