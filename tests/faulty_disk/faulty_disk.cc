// faulty_disk: a FUSE file system serving one file, disk.img, of a fixed
// size, stored in a real (sparse) backing file. Chosen byte ranges of
// disk.img fail reads with EIO until they are overwritten, like a disk that
// remaps a sector when it is rewritten; a second file, `control`, marks and
// heals ranges at run time and reports counters (control.h has the
// language). A loop device on disk.img turns those EIOs into genuine kernel
// block-layer I/O errors ("I/O error, dev loopN, sector S ...").
//
// disk.img is opened with direct_io so that the FUSE page cache can never
// serve a bad range. Requests arrive on several threads: the bad-range set
// and counters sit behind one mutex; data goes straight to the backing file
// with pread/pwrite. Runs in the foreground until unmounted or signalled
// (SIGTERM/SIGINT: libfuse unmounts on the way out).
#define FUSE_USE_VERSION 35

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/flags.h"
#include "tests/faulty_disk/bad_ranges.h"
#include "tests/faulty_disk/control.h"

namespace mfr::faulty_disk {
namespace {

constexpr char kImagePath[] = "/disk.img";
constexpr char kControlPath[] = "/control";

// The served disk. Thread-safe.
class Disk {
 public:
  Disk(int fd, uint64_t size) : fd_(fd), size_(size) {}

  uint64_t size() const { return size_; }

  // Bytes read (short only at the end of the disk) or -errno.
  int Read(char* buf, size_t size, off_t offset) {
    if (offset < 0) return -EINVAL;
    size = Clip(size, offset);
    if (size == 0) return 0;
    {
      absl::MutexLock lock(&mu_);
      ++counters_.reads;
      if (bad_.Overlaps({static_cast<uint64_t>(offset), size})) {
        ++counters_.reads_failed;
        return -EIO;
      }
    }
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pread(fd_, buf + done, size - done, offset + done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return -errno;
      if (n == 0) {  // a backing file shorter than the disk: zeros
        memset(buf + done, 0, size - done);
        break;
      }
      done += n;
    }
    return static_cast<int>(size);
  }

  // Bytes written or -errno; the written bytes are good afterwards.
  int Write(const char* buf, size_t size, off_t offset) {
    if (offset < 0) return -EINVAL;
    if (size > 0 && static_cast<uint64_t>(offset) >= size_) return -ENOSPC;
    size = Clip(size, offset);
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pwrite(fd_, buf + done, size - done, offset + done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return -errno;
      done += n;
    }
    absl::MutexLock lock(&mu_);
    ++counters_.writes;
    if (size > 0) {
      counters_.bytes_healed +=
          bad_.Remove({static_cast<uint64_t>(offset), size});
    }
    return static_cast<int>(size);
  }

  // Discard (punch hole) and write-zeroes (zero range) from a loop device;
  // zeroing writes, so it heals.
  int Fallocate(int mode, off_t offset, off_t length) {
    if (offset < 0 || length <= 0 || static_cast<uint64_t>(length) > size_ ||
        static_cast<uint64_t>(offset) > size_ - length) {
      return -ENOSPC;
    }
    if (fallocate(fd_, mode, offset, length) != 0) return -errno;
    if (mode & FALLOC_FL_ZERO_RANGE) {
      absl::MutexLock lock(&mu_);
      counters_.bytes_healed += bad_.Remove(
          {static_cast<uint64_t>(offset), static_cast<uint64_t>(length)});
    }
    return 0;
  }

  int Sync() { return fdatasync(fd_) == 0 ? 0 : -errno; }

  // Applies one write of the control file; -EINVAL when malformed.
  int Control(absl::string_view text) {
    auto commands = ParseControl(text);
    if (!commands.ok()) {
      std::cerr << "faulty_disk: " << commands.status().message() << "\n";
      return -EINVAL;
    }
    absl::MutexLock lock(&mu_);
    ApplyControl(*commands, &bad_);
    return 0;
  }

  std::string Status() {
    absl::MutexLock lock(&mu_);
    return FormatStatus(bad_, counters_);
  }

 private:
  size_t Clip(size_t size, off_t offset) const {
    if (static_cast<uint64_t>(offset) >= size_) return 0;
    return std::min<uint64_t>(size, size_ - offset);
  }

  const int fd_;
  const uint64_t size_;
  absl::Mutex mu_;
  BadRanges bad_ ABSL_GUARDED_BY(mu_);
  DiskCounters counters_ ABSL_GUARDED_BY(mu_);
};

Disk* TheDisk() { return static_cast<Disk*>(fuse_get_context()->private_data); }

bool IsImage(const char* path) { return strcmp(path, kImagePath) == 0; }
bool IsControl(const char* path) { return strcmp(path, kControlPath) == 0; }

// ------------------------------------------------ FUSE operations (thin)

int GetAttr(const char* path, struct stat* st, fuse_file_info*) {
  memset(st, 0, sizeof(*st));
  st->st_uid = getuid();
  st->st_gid = getgid();
  if (strcmp(path, "/") == 0) {
    st->st_mode = S_IFDIR | 0755;
    st->st_nlink = 2;
  } else if (IsImage(path)) {
    st->st_mode = S_IFREG | 0644;
    st->st_nlink = 1;
    st->st_size = TheDisk()->size();
    st->st_blocks = TheDisk()->size() / 512;
  } else if (IsControl(path)) {
    st->st_mode = S_IFREG | 0600;
    st->st_nlink = 1;
  } else {
    return -ENOENT;
  }
  return 0;
}

int ReadDir(const char* path, void* buf, fuse_fill_dir_t fill, off_t,
            fuse_file_info*, fuse_readdir_flags) {
  if (strcmp(path, "/") != 0) return -ENOENT;
  for (const char* name : {".", "..", kImagePath + 1, kControlPath + 1}) {
    fill(buf, name, nullptr, 0, static_cast<fuse_fill_dir_flags>(0));
  }
  return 0;
}

int Open(const char* path, fuse_file_info* fi) {
  if (!IsImage(path) && !IsControl(path)) return -ENOENT;
  fi->direct_io = 1;  // no FUSE page cache: every read reaches Disk::Read
  fi->fh = 0;
  if (IsControl(path) && (fi->flags & O_ACCMODE) != O_WRONLY) {
    // A reader sees one consistent status, however it splits its reads.
    fi->fh = reinterpret_cast<uint64_t>(new std::string(TheDisk()->Status()));
  }
  return 0;
}

int Release(const char*, fuse_file_info* fi) {
  delete reinterpret_cast<std::string*>(fi->fh);
  return 0;
}

int Read(const char* path, char* buf, size_t size, off_t offset,
         fuse_file_info* fi) {
  if (IsImage(path)) return TheDisk()->Read(buf, size, offset);
  const auto* status = reinterpret_cast<const std::string*>(fi->fh);
  if (!IsControl(path) || status == nullptr) return -EBADF;
  if (offset < 0 || static_cast<size_t>(offset) >= status->size()) return 0;
  const size_t n = std::min(size, status->size() - offset);
  memcpy(buf, status->data() + offset, n);
  return static_cast<int>(n);
}

int Write(const char* path, const char* buf, size_t size, off_t offset,
          fuse_file_info*) {
  if (IsImage(path)) return TheDisk()->Write(buf, size, offset);
  if (!IsControl(path)) return -EBADF;
  const int error = TheDisk()->Control(absl::string_view(buf, size));
  return error != 0 ? error : static_cast<int>(size);
}

int Truncate(const char* path, off_t size, fuse_file_info*) {
  if (IsControl(path)) return 0;  // `echo ... > control` truncates first
  if (IsImage(path)) {
    return static_cast<uint64_t>(size) == TheDisk()->size() ? 0 : -EINVAL;
  }
  return -ENOENT;
}

int Fsync(const char* path, int, fuse_file_info*) {
  return IsImage(path) ? TheDisk()->Sync() : 0;
}

int Fallocate(const char* path, int mode, off_t offset, off_t length,
              fuse_file_info*) {
  if (!IsImage(path)) return -EOPNOTSUPP;
  return TheDisk()->Fallocate(mode, offset, length);
}

fuse_operations Operations() {
  fuse_operations ops = {};
  ops.getattr = GetAttr;
  ops.readdir = ReadDir;
  ops.open = Open;
  ops.release = Release;
  ops.read = Read;
  ops.write = Write;
  ops.truncate = Truncate;
  ops.fsync = Fsync;
  ops.fallocate = Fallocate;
  return ops;
}

// ------------------------------------------------------- command line

const std::vector<FlagSpec> kFlags = {
    {"size", "size of disk.img in bytes (required)", ""},
    {"fuse-debug", "log every FUSE request to stderr", "", true},
};

constexpr char kSynopsis[] = "faulty_disk --size=BYTES BACKING_FILE MOUNTPOINT";
constexpr char kDescription[] =
    "Mounts a FUSE file system at MOUNTPOINT (in the foreground, until\n"
    "unmounted or SIGTERM) serving two files:\n"
    "  disk.img  --size bytes stored in BACKING_FILE (created sparse if\n"
    "            missing); reads that touch a bad range fail with EIO, and a\n"
    "            write makes the bytes it covers good again\n"
    "  control   write 'bad OFFSET LENGTH', 'heal OFFSET LENGTH' or 'clear'\n"
    "            (one per line, decimal bytes); read it for the bad ranges\n"
    "            and counters (reads, reads_failed, writes, bytes_healed)\n"
    "Put a loop device on MOUNTPOINT/disk.img to get genuine kernel I/O\n"
    "errors; detach it before unmounting.";

int Usage(const std::string& message) {
  std::cerr << "faulty_disk: " << message << " (see --help)\n";
  return 2;
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags({argv + 1, argv + argc}, kFlags);
  if (!flags.ok()) return Usage(std::string(flags.status().message()));
  if (flags->help()) {
    std::cout << mfr::Usage(kSynopsis, kDescription, kFlags);
    return 0;
  }
  auto size = flags->GetUint64("size");
  if (flags->Get("size").empty()) return Usage("--size is required");
  if (!size.ok()) return Usage(std::string(size.status().message()));
  if (*size == 0 || *size % 512 != 0) {
    return Usage("--size must be a positive multiple of 512");
  }
  if (flags->positional().size() != 2) {
    return Usage("expected BACKING_FILE and MOUNTPOINT");
  }
  const std::string& backing = flags->positional()[0];
  const int fd = open(backing.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    std::cerr << "faulty_disk: cannot open " << backing << ": "
              << strerror(errno) << "\n";
    return 1;
  }
  if (static_cast<uint64_t>(st.st_size) < *size &&
      ftruncate(fd, static_cast<off_t>(*size)) != 0) {
    std::cerr << "faulty_disk: cannot grow " << backing << ": "
              << strerror(errno) << "\n";
    return 1;
  }
  Disk disk(fd, *size);
  std::vector<std::string> args = {argv[0], "-f", "-o",
                                   "fsname=faulty_disk,subtype=faulty_disk",
                                   flags->positional()[1]};
  if (flags->GetBool("fuse-debug")) args.push_back("-d");
  std::vector<char*> fuse_argv;
  for (auto& a : args) fuse_argv.push_back(a.data());
  fuse_argv.push_back(nullptr);
  const fuse_operations ops = Operations();
  const int rc =
      fuse_main(static_cast<int>(args.size()), fuse_argv.data(), &ops, &disk);
  close(fd);
  return rc;
}

}  // namespace
}  // namespace mfr::faulty_disk

int main(int argc, char** argv) { return mfr::faulty_disk::Main(argc, argv); }
