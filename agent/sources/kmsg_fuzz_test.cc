// Fuzz-style tests: random bytes and mutated real lines (from the corpus,
// the bursts and the pmem data) never crash any parser and never produce a
// range that is empty, overflows, or names an invalid device. Deterministic
// seeds, so a failure reproduces.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "agent/sources/corpus_expectation.h"
#include "agent/sources/kernel_error_parser.h"
#include "agent/sources/kmsg_burst.h"
#include "agent/sources/kmsg_context.h"
#include "agent/sources/kmsg_record.h"
#include "agent/sources/ndctl_json.h"
#include "agent/sources/pmem_badblocks.h"
#include "agent/sources/test_data.h"
#include "agent/sources/text_scan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

// Every line of the corpus and burst files (the log line part).
std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  for (const char* file : {"kmsg_corpus.txt", "kmsg_bursts.txt"}) {
    absl::StatusOr<std::string> text = testing::ReadTestData(file);
    EXPECT_TRUE(text.ok()) << text.status();
    if (!text.ok()) continue;
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (line.empty() || line[0] == '#') continue;
      const size_t tab = line.rfind('\t');
      if (tab != absl::string_view::npos) {
        seeds.emplace_back(line.substr(tab + 1));
      } else if (absl::ConsumePrefix(&line, "> ")) {
        seeds.emplace_back(line);
      }
    }
  }
  return seeds;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : rng_(seed) {}

  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

  std::string RandomBytes(size_t max) {
    std::string s(Below(max + 1), '\0');
    for (char& c : s) c = static_cast<char>(Below(256));
    return s;
  }

  std::string Mutate(std::string s) {
    const int rounds = 1 + static_cast<int>(Below(4));
    for (int i = 0; i < rounds; ++i) MutateOnce(&s);
    return s;
  }

 private:
  // Replaces the run of digits around a random position.
  void ReplaceNumber(std::string* s) {
    static const char* kNumbers[] = {"0",
                                     "18446744073709551615",
                                     "18446744073709551616",
                                     "36028797018963967",
                                     "36028797018963968",
                                     "99999999999999999999999",
                                     "ffffffffffffffff",
                                     "4294967296",
                                     "-1",
                                     ""};
    size_t at = Below(s->size());
    while (at < s->size() && !isdigit(static_cast<unsigned char>((*s)[at]))) {
      ++at;
    }
    size_t end = at;
    while (end < s->size() && isxdigit(static_cast<unsigned char>((*s)[end]))) {
      ++end;
    }
    s->replace(at, end - at, kNumbers[Below(10)]);
  }

  void MutateOnce(std::string* s) {
    switch (Below(6)) {
      case 0:
        ReplaceNumber(s);
        return;
      case 1:
        if (!s->empty()) (*s)[Below(s->size())] = static_cast<char>(Below(256));
        return;
      case 2:
        s->resize(Below(s->size() + 1));
        return;
      case 3:
        s->insert(Below(s->size() + 1), s->substr(Below(s->size() + 1), 40));
        return;
      case 4:
        s->insert(Below(s->size() + 1), std::string(1 + Below(3), '\0'));
        return;
      default:
        s->insert(Below(s->size() + 1), " error, dev ");
    }
  }

  std::mt19937_64 rng_;
};

void CheckParse(const KernelErrorParse& p, absl::string_view input) {
  if (p.outcome != ParseOutcome::kRange) return;
  const KernelError& e = p.error;
  ASSERT_GT(e.length_bytes, 0u) << input;
  ASSERT_LE(e.offset_bytes, UINT64_MAX - e.length_bytes) << input;
  ASSERT_FALSE(e.what.empty()) << input;
  if (e.target == KernelErrorTarget::kDevice) {
    ASSERT_TRUE(IsValidDeviceName(e.device)) << input;
  } else {
    ASSERT_TRUE(e.device.empty()) << input;
  }
}

// Runs every kernel-line parser on `line`.
void ExerciseLine(const std::string& line, KmsgBurst* burst) {
  const KernelErrorParserOptions options = testing::CorpusBlockSizes();
  CheckParse(ParseKernelError(line, options), line);
  ParseKmsgContext(line, "sdb");
  ParseKmsgRecord(line).IgnoreError();
  absl::StatusOr<LogLine> log = ParseLogLine(line);
  CheckParse(burst->Feed(log.ok() ? log->message : line), line);
}

TEST(KmsgFuzz, RandomBytesNeverCrashOrOverflow) {
  Mutator m(1);
  KmsgBurst burst(testing::CorpusBlockSizes());
  for (int i = 0; i < 20000; ++i) {
    ExerciseLine(m.RandomBytes(i % 100 == 0 ? 9000 : 300), &burst);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(burst.counters().messages, 20000u);
}

TEST(KmsgFuzz, MutatedRealLinesNeverCrashOrOverflow) {
  const std::vector<std::string> seeds = Seeds();
  ASSERT_GE(seeds.size(), 150u);
  Mutator m(2);
  KmsgBurst burst(testing::CorpusBlockSizes());
  for (int i = 0; i < 100000; ++i) {
    ExerciseLine(m.Mutate(seeds[m.Below(seeds.size())]), &burst);
    if (HasFatalFailure()) return;
  }
  // Mutated lines must still parse often enough for this to mean something.
  EXPECT_GT(burst.counters().ranges, 10000u);
  EXPECT_GT(burst.counters().rejected, 1000u);
}

TEST(KmsgFuzz, MutatedPmemTextNeverCrashes) {
  Mutator m(3);
  std::vector<std::string> seeds;
  for (const char* f :
       {"region0_badblocks.txt", "pmem0_badblocks.txt",
        "ndctl_list_RN_media_errors.json", "ndctl_list_multibus_u.json"}) {
    absl::StatusOr<std::string> text = testing::ReadTestData(f);
    ASSERT_TRUE(text.ok()) << text.status();
    seeds.push_back(*text);
  }
  for (int i = 0; i < 20000; ++i) {
    const std::string text = m.Mutate(seeds[m.Below(seeds.size())]);
    absl::StatusOr<std::vector<ByteSpan>> spans = ParseBadblocks(text);
    if (spans.ok()) {
      for (const ByteSpan& s : *spans) {
        ASSERT_TRUE(IsValidRange(s.offset, s.length)) << text;
      }
    }
    absl::StatusOr<std::vector<NdctlMediaErrors>> nd =
        ParseNdctlMediaErrors(text);
    if (nd.ok()) {
      for (const NdctlMediaErrors& e : *nd) {
        for (const ByteSpan& s : e.spans) {
          ASSERT_TRUE(IsValidRange(s.offset, s.length)) << text;
        }
      }
    }
  }
}

}  // namespace
}  // namespace mfr::agent::sources
