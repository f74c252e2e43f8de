// CheckOwnership: open beneath the mount (O_PATH, then for real), compare
// identity, then compare the live FIEMAP of the range with the claim.
#include "agent/recovery/ownership_check.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "agent/recovery/open_beneath.h"

namespace mfr::agent::recovery {
namespace {

using snapshot::FileExtent;

OwnershipResult Verdict(OwnershipVerdict verdict, std::string reason) {
  OwnershipResult result;
  result.verdict = verdict;
  result.reason = std::move(reason);
  return result;
}

absl::Status ValidateClaim(const OwnershipClaim& claim) {
  absl::Status valid = ValidateSpan(claim.file_range, "file range");
  if (!valid.ok()) return valid;
  if (claim.physical_offset >
      std::numeric_limits<uint64_t>::max() - claim.file_range.length) {
    return absl::InvalidArgumentError("physical range overflows 64 bits");
  }
  if (claim.mount_point.empty() || claim.mount_point.front() != '/') {
    return absl::InvalidArgumentError("mount point must be absolute");
  }
  return ValidateRelativePath(claim.relative_path);
}

// The verdict for a failed open beneath the mount, or the error itself.
absl::StatusOr<OwnershipResult> OpenFailure(const absl::Status& status,
                                            int error) {
  if (error == ENOENT || error == ENOTDIR) {
    return Verdict(OwnershipVerdict::kFileGone, "no such file any more");
  }
  if (error == ELOOP) {
    return Verdict(OwnershipVerdict::kPathRefused,
                   "a path component is a symbolic link");
  }
  if (error == EXDEV) {
    return Verdict(OwnershipVerdict::kPathRefused,
                   "the path crosses into another mount");
  }
  return status;
}

// Extents of `fd` that overlap `range`, in file order, via the snapshot
// FIEMAP loop without a sync; stops after the range.
absl::StatusOr<std::vector<FileExtent>> ExtentsOver(int fd,
                                                    const ByteSpan& range) {
  std::vector<FileExtent> out;
  bool past_range = false;
  snapshot::FiemapOptions options;
  options.sync = false;  // checking must not write anything back
  options.extents_per_call = 64;
  absl::Status status = snapshot::ForEachFileExtent(
      fd, options,
      [&](absl::Span<const FileExtent> batch) {
        for (const FileExtent& e : batch) {
          if (e.logical >= range.end()) past_range = true;
          if (past_range) break;
          if (e.logical + e.length > range.offset) out.push_back(e);
        }
        return past_range ? absl::CancelledError("past the range")
                          : absl::OkStatus();
      },
      nullptr);
  if (!status.ok() && !past_range) return status;
  return out;
}

// No extent covers `at`: dirty data without blocks, a hole, or past EOF.
OwnershipResult Uncovered(int fd, uint64_t at, uint64_t size) {
  if (at >= size) {
    return Verdict(
        OwnershipVerdict::kHole,
        absl::StrCat("file offset ", at, " is past the end (size ", size, ")"));
  }
  const off_t data = lseek(fd, static_cast<off_t>(at), SEEK_DATA);
  if (data >= 0 && static_cast<uint64_t>(data) == at) {
    return Verdict(OwnershipVerdict::kDelalloc,
                   absl::StrCat("file offset ", at,
                                " holds dirty data with no blocks yet"));
  }
  return Verdict(OwnershipVerdict::kHole,
                 absl::StrCat("file offset ", at, " is a hole"));
}

OwnershipResult FromComparison(int fd, const MappingComparison& c,
                               const OwnershipClaim& claim, uint64_t size) {
  const uint64_t expected =
      claim.physical_offset + (c.at - claim.file_range.offset);
  switch (c.verdict) {
    case OwnershipVerdict::kOk:
      return Verdict(OwnershipVerdict::kOk, "the range maps as claimed");
    case OwnershipVerdict::kHole:
      return Uncovered(fd, c.at, size);
    case OwnershipVerdict::kUnwritten:
      return Verdict(OwnershipVerdict::kUnwritten,
                     absl::StrCat("file offset ", c.at, " is unwritten"));
    default:
      return Verdict(OwnershipVerdict::kExtentMoved,
                     absl::StrCat("file offset ", c.at, " is at physical ",
                                  c.found_physical, ", expected ", expected));
  }
}

// Identity checks on the O_PATH descriptor; nullopt when all pass.
std::optional<OwnershipResult> CheckIdentity(const struct stat& st,
                                             const struct stat& mount,
                                             uint64_t inode) {
  if (!S_ISREG(st.st_mode)) {
    return Verdict(OwnershipVerdict::kNotRegularFile,
                   S_ISLNK(st.st_mode) ? "the path is a symbolic link"
                                       : "the path is not a regular file");
  }
  if (st.st_dev != mount.st_dev) {
    return Verdict(OwnershipVerdict::kOtherFilesystem,
                   "the file is on another filesystem than the mount");
  }
  if (st.st_ino != inode) {
    return Verdict(
        OwnershipVerdict::kInodeDiffers,
        absl::StrCat("the path names inode ", st.st_ino, ", expected ", inode));
  }
  return std::nullopt;
}

// Reopens the checked path for I/O; FailedPrecondition if it changed
// between the two opens.
absl::StatusOr<ScopedFd> Reopen(int mount_fd, const OwnershipClaim& claim,
                                const struct stat& checked, int flags) {
  absl::StatusOr<ScopedFd> fd = OpenBeneath(
      mount_fd, claim.relative_path, flags | O_NONBLOCK | O_NOCTTY, nullptr);
  if (!fd.ok()) return fd.status();
  struct stat st;
  if (fstat(fd->get(), &st) != 0) return absl::ErrnoToStatus(errno, "fstat");
  if (st.st_dev != checked.st_dev || st.st_ino != checked.st_ino) {
    return absl::FailedPreconditionError("the file changed while opening it");
  }
  const int fl = fcntl(fd->get(), F_GETFL);
  if (fl < 0 || fcntl(fd->get(), F_SETFL, fl & ~O_NONBLOCK) != 0) {
    return absl::ErrnoToStatus(errno, "fcntl");
  }
  return fd;
}

// nullopt when the generation matches or none was claimed.
absl::StatusOr<std::optional<OwnershipResult>> CheckGeneration(
    int fd, const OwnershipClaim& claim) {
  if (!claim.generation.has_value()) return std::nullopt;
  int generation = 0;
  if (ioctl(fd, FS_IOC_GETVERSION, &generation) != 0) {
    return absl::ErrnoToStatus(errno, "FS_IOC_GETVERSION");
  }
  if (static_cast<uint32_t>(generation) == *claim.generation) {
    return std::nullopt;
  }
  return Verdict(OwnershipVerdict::kGenerationDiffers,
                 absl::StrCat("inode ", claim.inode, " has generation ",
                              static_cast<uint32_t>(generation), ", expected ",
                              *claim.generation, ": a new file"));
}

// nullopt when the inode was born no later than claim.existed_at, or when
// that cannot be told (no claim, no birth time from this filesystem).
std::optional<OwnershipResult> CheckBirth(int fd, const OwnershipClaim& claim) {
  if (!claim.existed_at.has_value()) return std::nullopt;
  struct statx stx {};
  if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &stx) != 0 ||
      (stx.stx_mask & STATX_BTIME) == 0) {
    return std::nullopt;
  }
  const absl::Time born = absl::FromUnixSeconds(stx.stx_btime.tv_sec) +
                          absl::Nanoseconds(stx.stx_btime.tv_nsec);
  if (born <= *claim.existed_at) return std::nullopt;
  return Verdict(OwnershipVerdict::kGenerationDiffers,
                 absl::StrCat("inode ", claim.inode, " was created ",
                              absl::FormatTime(born), ", after the snapshot (",
                              absl::FormatTime(*claim.existed_at),
                              "): a new file with a recycled inode number"));
}

// The checks on the opened file: generation and birth, then the live
// mapping.
absl::StatusOr<OwnershipResult> CheckContent(ScopedFd file, uint64_t size,
                                             const OwnershipClaim& claim) {
  absl::StatusOr<std::optional<OwnershipResult>> recycled =
      CheckGeneration(file.get(), claim);
  if (!recycled.ok()) return recycled.status();
  if (recycled->has_value()) return **std::move(recycled);
  if (auto born_later = CheckBirth(file.get(), claim)) {
    return *std::move(born_later);
  }
  absl::StatusOr<std::vector<FileExtent>> extents =
      ExtentsOver(file.get(), claim.file_range);
  if (!extents.ok()) return extents.status();
  const MappingComparison comparison =
      CompareMapping(claim.file_range, claim.physical_offset, *extents);
  OwnershipResult result = FromComparison(file.get(), comparison, claim, size);
  result.shared = comparison.shared;
  if (result.ok()) result.file = std::move(file);
  return result;
}

}  // namespace

MappingComparison CompareMapping(const ByteSpan& file_range,
                                 uint64_t physical_offset,
                                 absl::Span<const FileExtent> extents) {
  MappingComparison out;
  uint64_t pos = file_range.offset;
  for (const FileExtent& e : extents) {
    if (e.logical + e.length <= pos) continue;
    out.at = pos;
    if (e.logical > pos) break;  // a gap before this extent
    out.found_physical = e.physical + (pos - e.logical);
    if (e.unwritten()) {
      out.verdict = OwnershipVerdict::kUnwritten;
      return out;
    }
    if (out.found_physical != physical_offset + (pos - file_range.offset)) {
      out.verdict = OwnershipVerdict::kExtentMoved;
      return out;
    }
    out.shared = out.shared || e.shared();
    pos = std::min(e.logical + e.length, file_range.end());
    if (pos == file_range.end()) return out;  // kOk
  }
  out.verdict = OwnershipVerdict::kHole;
  out.at = pos;
  out.found_physical = 0;
  return out;
}

absl::StatusOr<OwnershipResult> CheckOwnership(
    const OwnershipClaim& claim, const OwnershipCheckOptions& options) {
  absl::Status valid = ValidateClaim(claim);
  if (!valid.ok()) return valid;
  ScopedFd mount(
      open(claim.mount_point.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  struct stat mount_st;
  if (!mount.valid() || fstat(mount.get(), &mount_st) != 0) {
    return absl::ErrnoToStatus(errno, "mount point " + claim.mount_point);
  }
  int error = 0;
  absl::StatusOr<ScopedFd> path =
      OpenBeneath(mount.get(), claim.relative_path, O_PATH, &error);
  if (!path.ok()) return OpenFailure(path.status(), error);
  struct stat st;
  if (fstat(path->get(), &st) != 0) return absl::ErrnoToStatus(errno, "fstat");
  std::optional<OwnershipResult> stale =
      CheckIdentity(st, mount_st, claim.inode);
  if (stale.has_value()) {
    stale->observed_inode = st.st_ino;
    return *std::move(stale);
  }
  absl::StatusOr<ScopedFd> file =
      Reopen(mount.get(), claim, st, options.open_flags);
  if (!file.ok()) return file.status();
  absl::StatusOr<OwnershipResult> result =
      CheckContent(*std::move(file), static_cast<uint64_t>(st.st_size), claim);
  if (result.ok()) result->observed_inode = st.st_ino;
  return result;
}

const char* OwnershipVerdictName(OwnershipVerdict verdict) {
  switch (verdict) {
    case OwnershipVerdict::kOk:
      return "ok";
    case OwnershipVerdict::kFileGone:
      return "file gone";
    case OwnershipVerdict::kPathRefused:
      return "path refused";
    case OwnershipVerdict::kNotRegularFile:
      return "not a regular file";
    case OwnershipVerdict::kOtherFilesystem:
      return "other filesystem";
    case OwnershipVerdict::kInodeDiffers:
      return "inode differs";
    case OwnershipVerdict::kGenerationDiffers:
      return "generation differs";
    case OwnershipVerdict::kExtentMoved:
      return "extent moved";
    case OwnershipVerdict::kHole:
      return "hole";
    case OwnershipVerdict::kUnwritten:
      return "unwritten";
    case OwnershipVerdict::kDelalloc:
      return "delalloc";
  }
  return "?";
}

}  // namespace mfr::agent::recovery
