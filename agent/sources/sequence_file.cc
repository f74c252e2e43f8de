#include "agent/sources/sequence_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mfr::agent::sources {

absl::StatusOr<std::optional<uint64_t>> ReadSequenceFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::optional<uint64_t>();
  std::stringstream text;
  text << in.rdbuf();
  uint64_t value = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(text.str()), &value)) {
    return absl::DataLossError(absl::StrCat("unreadable sequence in ", path));
  }
  return std::optional<uint64_t>(value);
}

absl::Status WriteSequenceFile(const std::string& path, uint64_t sequence) {
  const std::string temp = path + ".tmp";
  const std::string text = absl::StrCat(sequence, "\n");
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return absl::ErrnoToStatus(errno, absl::StrCat("creating ", temp));
  const bool ok = write(fd, text.data(), text.size()) ==
                      static_cast<ssize_t>(text.size()) &&
                  fsync(fd) == 0;
  const int saved = errno;
  close(fd);
  if (!ok) return absl::ErrnoToStatus(saved, absl::StrCat("writing ", temp));
  if (rename(temp.c_str(), path.c_str()) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("renaming to ", path));
  }
  return absl::OkStatus();
}

}  // namespace mfr::agent::sources
