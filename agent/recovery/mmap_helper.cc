// Test helper: maps bytes [offset, offset + length) of a file (MAP_SHARED,
// read-only), reads every page, prints "ready" and waits to be killed.
// It dies with its parent (PR_SET_PDEATHSIG) and never dumps core.
//   mmap_helper PATH OFFSET LENGTH
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s PATH OFFSET LENGTH\n", argv[0]);
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
  const off_t offset = std::strtoll(argv[2], nullptr, 10);
  const size_t length = std::strtoull(argv[3], nullptr, 10);
  const int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::perror("open");
    return 1;
  }
  void* map = mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, offset);
  if (map == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  close(fd);  // the mapping keeps the file
  volatile char sum = 0;
  const long page = sysconf(_SC_PAGESIZE);
  for (size_t i = 0; i < length; i += page) sum += static_cast<char*>(map)[i];
  if (write(STDOUT_FILENO, "ready\n", 6) != 6) return 1;
  for (;;) pause();
}
