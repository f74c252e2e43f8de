// Small helpers shared by mfr's benchmarks: process memory from
// /proc/self/status, latency percentiles, elapsed-time accounting and a
// temporary directory removed on destruction. Figures are printed, never
// asserted. Thread-compatible.
#ifndef MFR_TESTS_BENCH_BENCH_UTIL_H_
#define MFR_TESTS_BENCH_BENCH_UTIL_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::bench {

// The value in KiB of a "Name:   1234 kB" line of /proc/PID/status text;
// 0 when the field is missing. Pure.
uint64_t StatusFieldKb(absl::string_view status_text, absl::string_view field);

// This process's peak (VmHWM) and current (VmRSS) resident set, KiB.
uint64_t PeakRssKb();
uint64_t CurrentRssKb();

// Latency percentiles of a sample, in microseconds.
struct LatencySummary {
  size_t count = 0;
  double mean_us = 0, p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};
// Sorts `micros` in place.
LatencySummary Summarize(std::vector<double>& micros);
std::string FormatLatency(const LatencySummary& s);

// A monotonic stopwatch; Seconds() is the time since construction or the
// last Restart().
class Stopwatch {
 public:
  Stopwatch() : start_(Clock::now()) {}
  void Restart() { start_ = Clock::now(); }
  double Seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count();
  }
  double Micros() const { return Seconds() * 1e6; }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
};

// A fresh directory under `parent` (empty: $TMPDIR, else /tmp), deleted with
// everything in it when the object dies.
class ScopedTempDir {
 public:
  static absl::StatusOr<ScopedTempDir> Create(const std::string& parent,
                                              const std::string& prefix);
  ScopedTempDir(ScopedTempDir&& other) noexcept
      : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  ~ScopedTempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit ScopedTempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Bytes of all regular files under `dir`.
uint64_t DirectoryBytes(const std::filesystem::path& dir);

// "123.4 MiB".
std::string Mebibytes(uint64_t bytes);

}  // namespace mfr::bench

#endif  // MFR_TESTS_BENCH_BENCH_UTIL_H_
