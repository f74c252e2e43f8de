// mmap + mincore + process_vm_readv(self) + a major-fault guard.
#include "agent/recovery/cached_page_reader.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"

namespace mfr::agent::recovery {
namespace {

long MajorFaults() {
  struct rusage usage = {};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_majflt;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CachedPageReader>> CachedPageReader::Map(
    int fd, const ByteSpan& pages, uint64_t file_size) {
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (pages.length == 0 || pages.offset % page != 0 ||
      pages.length % page != 0 || pages.offset >= file_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("page range ", pages.offset, "+", pages.length,
                     " is not page aligned inside a file of ", file_size));
  }
  const uint64_t last_page_end = (file_size + page - 1) / page * page;
  const uint64_t length = std::min(pages.end(), last_page_end) - pages.offset;
  void* base = mmap(nullptr, length, PROT_READ, MAP_SHARED, fd,
                    static_cast<off_t>(pages.offset));
  if (base == MAP_FAILED) return absl::ErrnoToStatus(errno, "mmap");
  if (madvise(base, length, MADV_RANDOM) != 0) {
    const int error = errno;
    munmap(base, length);
    return absl::ErrnoToStatus(error, "madvise(MADV_RANDOM)");
  }
  return std::unique_ptr<CachedPageReader>(
      new CachedPageReader(base, pages.offset, length / page, page, file_size));
}

CachedPageReader::~CachedPageReader() {
  munmap(base_, page_count_ * page_size_);
}

uint64_t CachedPageReader::PageOffset(size_t index) const {
  return offset_ + index * page_size_;
}

absl::StatusOr<std::vector<bool>> CachedPageReader::Residency() const {
  std::vector<unsigned char> vec(page_count_);
  if (mincore(base_, page_count_ * page_size_, vec.data()) != 0) {
    return absl::ErrnoToStatus(errno, "mincore");
  }
  std::vector<bool> resident(page_count_);
  for (size_t i = 0; i < page_count_; ++i) resident[i] = (vec[i] & 1) != 0;
  return resident;
}

bool CachedPageReader::CopyIfResident(size_t index, std::string* out) const {
  out->clear();
  const uint64_t offset = PageOffset(index);
  if (index >= page_count_ || offset >= file_size_) return false;
  const size_t length =
      static_cast<size_t>(std::min(page_size_, file_size_ - offset));
  out->resize(length);
  struct iovec local = {out->data(), length};
  struct iovec remote = {static_cast<char*>(base_) + index * page_size_,
                         length};
  const long faults_before = MajorFaults();
  const ssize_t n = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  if (n != static_cast<ssize_t>(length) || MajorFaults() != faults_before) {
    out->clear();  // needed the device (or failed): not from the cache
    return false;
  }
  return true;
}

}  // namespace mfr::agent::recovery
