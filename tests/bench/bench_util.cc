#include "tests/bench/bench_util.h"

#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mfr::bench {
namespace {

std::string ReadSelfStatus() {
  std::ifstream in("/proc/self/status");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = static_cast<size_t>(std::ceil(p * sorted.size()));
  return sorted[std::min(sorted.size() - 1, i == 0 ? 0 : i - 1)];
}

}  // namespace

uint64_t StatusFieldKb(absl::string_view status_text, absl::string_view field) {
  for (absl::string_view line : absl::StrSplit(status_text, '\n')) {
    if (!absl::ConsumePrefix(&line, field) ||
        !absl::ConsumePrefix(&line, ":")) {
      continue;
    }
    line = absl::StripAsciiWhitespace(line);
    absl::ConsumeSuffix(&line, "kB");
    uint64_t kb = 0;
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kb) ? kb : 0;
  }
  return 0;
}

uint64_t PeakRssKb() { return StatusFieldKb(ReadSelfStatus(), "VmHWM"); }
uint64_t CurrentRssKb() { return StatusFieldKb(ReadSelfStatus(), "VmRSS"); }

LatencySummary Summarize(std::vector<double>& micros) {
  LatencySummary s;
  if (micros.empty()) return s;
  std::sort(micros.begin(), micros.end());
  s.count = micros.size();
  s.mean_us = std::accumulate(micros.begin(), micros.end(), 0.0) / s.count;
  s.p50_us = Percentile(micros, 0.50);
  s.p99_us = Percentile(micros, 0.99);
  s.p999_us = Percentile(micros, 0.999);
  s.max_us = micros.back();
  return s;
}

std::string FormatLatency(const LatencySummary& s) {
  return absl::StrFormat(
      "%d queries: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us, "
      "mean %.1f us",
      s.count, s.p50_us, s.p99_us, s.p999_us, s.max_us, s.mean_us);
}

absl::StatusOr<ScopedTempDir> ScopedTempDir::Create(const std::string& parent,
                                                    const std::string& prefix) {
  std::string base = parent;
  if (base.empty()) {
    const char* tmp = getenv("TMPDIR");
    base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string templ = absl::StrCat(base, "/", prefix, "XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp ", templ, ": ", std::strerror(errno)));
  }
  return ScopedTempDir(std::filesystem::path(templ));
}

ScopedTempDir::~ScopedTempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

uint64_t DirectoryBytes(const std::filesystem::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator();
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) total += it->file_size(size_ec);
  }
  return total;
}

std::string Mebibytes(uint64_t bytes) {
  return absl::StrFormat("%.1f MiB", bytes / 1048576.0);
}

}  // namespace mfr::bench
