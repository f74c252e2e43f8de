// Copy each resident page and write it straight back; sync; drop; read
// back with O_DIRECT and compare.
#include "agent/recovery/page_cache_rewriter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/recovery/cached_page_reader.h"
#include "agent/recovery/page_ranges.h"
#include "common/scoped_fd.h"

namespace mfr::agent::recovery {
namespace {

constexpr const char* kLogPrefix = "rewrite-from-cache: ";

struct WrittenPage {
  uint64_t offset = 0;
  std::string bytes;
};

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

std::string Spans(const std::vector<ByteSpan>& spans) {
  if (spans.empty()) return "none";
  return absl::StrJoin(spans, " ", [](std::string* out, const ByteSpan& s) {
    absl::StrAppend(out, "[", s.offset, ",", s.end(), ")");
  });
}

absl::StatusOr<uint64_t> CheckFileAndSize(int fd) {
  const int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return absl::ErrnoToStatus(errno, "fcntl(F_GETFL)");
  if ((flags & O_ACCMODE) != O_RDWR || (flags & (O_APPEND | O_DIRECT))) {
    return absl::InvalidArgumentError(
        "the file must be open O_RDWR, without O_APPEND or O_DIRECT");
  }
  struct stat st;
  if (fstat(fd, &st) != 0) return absl::ErrnoToStatus(errno, "fstat");
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError("not a regular file");
  }
  return static_cast<uint64_t>(st.st_size);
}

absl::Status WriteAll(int fd, const std::string& bytes, uint64_t offset) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done,
                             static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return absl::ErrnoToStatus(n < 0 ? errno : EIO,
                                 absl::StrCat("pwrite at ", offset + done));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Copies each resident page and, unless dry run, writes it back at once.
absl::Status CopyAndWrite(int fd, const CachedPageReader& reader,
                          const ByteSpan& range, bool dry_run,
                          RewriteResult* result,
                          std::vector<WrittenPage>* written) {
  absl::StatusOr<std::vector<bool>> resident = reader.Residency();
  if (!resident.ok()) return resident.status();
  std::string bytes;
  for (size_t i = 0; i < reader.page_count(); ++i) {
    const ByteSpan page{reader.PageOffset(i), reader.page_size()};
    if (!(*resident)[i] || !reader.CopyIfResident(i, &bytes)) {
      AppendClipped(&result->lost, page, range);
      continue;
    }
    if (!dry_run) {
      absl::Status status = WriteAll(fd, bytes, page.offset);
      if (!status.ok()) return status;
      result->bytes_written += bytes.size();
      written->push_back({page.offset, std::move(bytes)});
    }
    AppendClipped(&result->recovered, page, range);
  }
  return absl::OkStatus();
}

// Reads each written page back with O_DIRECT and lists the differences.
absl::Status Verify(int fd, uint64_t page_size,
                    const std::vector<WrittenPage>& written,
                    RewriteResult* result) {
  ScopedFd direct(open(absl::StrCat("/proc/self/fd/", fd).c_str(),
                       O_RDONLY | O_DIRECT | O_CLOEXEC));
  if (!direct.valid()) return absl::ErrnoToStatus(errno, "reopen O_DIRECT");
  std::unique_ptr<char, FreeDeleter> buffer(
      static_cast<char*>(std::aligned_alloc(page_size, page_size)));
  if (buffer == nullptr) return absl::ResourceExhaustedError("buffer");
  for (const WrittenPage& page : written) {
    const ssize_t n = pread(direct.get(), buffer.get(), page_size,
                            static_cast<off_t>(page.offset));
    if (n < 0) return absl::ErrnoToStatus(errno, "O_DIRECT read back");
    if (static_cast<size_t>(n) < page.bytes.size() ||
        std::memcmp(buffer.get(), page.bytes.data(), page.bytes.size()) != 0) {
      AppendMerged(&result->mismatched, {page.offset, page.bytes.size()});
    }
  }
  result->verified = !written.empty() && result->mismatched.empty();
  return absl::OkStatus();
}

// Sync, drop from the cache, read back.
absl::Status SyncDropVerify(int fd, const ByteSpan& pages, uint64_t page_size,
                            const std::vector<WrittenPage>& written,
                            RewriteResult* result) {
  if (fdatasync(fd) != 0) return absl::ErrnoToStatus(errno, "fdatasync");
  const int advice =
      posix_fadvise(fd, static_cast<off_t>(pages.offset),
                    static_cast<off_t>(pages.length), POSIX_FADV_DONTNEED);
  if (advice != 0) return absl::ErrnoToStatus(advice, "POSIX_FADV_DONTNEED");
  return Verify(fd, page_size, written, result);
}

struct Plan {
  uint64_t file_size = 0;
  ByteSpan range;  // the request, cut at EOF
  ByteSpan pages;  // `range` widened to whole pages
};

absl::StatusOr<Plan> MakePlan(int fd, const ByteSpan& range,
                              uint64_t page_size) {
  absl::Status valid = ValidateSpan(range, "rewrite range");
  if (!valid.ok()) return valid;
  if (range.length > kMaxRewriteBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("rewrite range over ", kMaxRewriteBytes, " bytes"));
  }
  absl::StatusOr<uint64_t> size = CheckFileAndSize(fd);
  if (!size.ok()) return size.status();
  if (range.offset >= *size) {
    return absl::FailedPreconditionError(absl::StrCat(
        "range starts at ", range.offset, ", past the end (", *size, ")"));
  }
  Plan plan;
  plan.file_size = *size;
  plan.range = {range.offset, std::min(range.end(), *size) - range.offset};
  absl::StatusOr<ByteSpan> pages = AlignOutward(plan.range, page_size);
  if (!pages.ok()) return pages.status();
  plan.pages = *pages;
  return plan;
}

void LogCopy(const RewriteOptions& options, const Plan& plan,
             const RewriteResult& result, const absl::Status& status) {
  if (options.log == nullptr) return;
  *options.log << kLogPrefix << options.label << " bytes "
               << Spans({plan.range}) << (options.dry_run ? " (dry run)" : "")
               << ": resident " << Spans(result.recovered) << ", lost "
               << Spans(result.lost) << ", wrote back " << result.bytes_written
               << " bytes read from the cache";
  if (!status.ok()) *options.log << ", then failed: " << status.message();
  *options.log << "\n";
}

void LogVerify(const RewriteOptions& options, const RewriteResult& result,
               const absl::Status& status) {
  if (options.log == nullptr) return;
  *options.log
      << kLogPrefix << options.label
      << " fdatasync, dropped from the cache, read back with O_DIRECT: "
      << (result.verified ? "verified" : "NOT verified") << ", mismatched "
      << Spans(result.mismatched);
  if (!status.ok()) *options.log << ", failed: " << status.message();
  *options.log << "\n";
}

}  // namespace

absl::StatusOr<RewriteResult> RewriteFromPageCache(
    int fd, const ByteSpan& range, const RewriteOptions& options) {
  const uint64_t page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  absl::StatusOr<Plan> plan = MakePlan(fd, range, page_size);
  if (!plan.ok()) return plan.status();
  absl::StatusOr<std::unique_ptr<CachedPageReader>> reader =
      CachedPageReader::Map(fd, plan->pages, plan->file_size);
  if (!reader.ok()) return reader.status();
  RewriteResult result;
  std::vector<WrittenPage> written;
  absl::Status status = CopyAndWrite(fd, **reader, plan->range, options.dry_run,
                                     &result, &written);
  reader->reset();  // unmapped: our own mapping must not pin the pages
  LogCopy(options, *plan, result, status);
  if (!status.ok()) return status;
  if (written.empty()) return result;
  status = SyncDropVerify(fd, plan->pages, page_size, written, &result);
  LogVerify(options, result, status);
  if (!status.ok()) return status;
  return result;
}

}  // namespace mfr::agent::recovery
