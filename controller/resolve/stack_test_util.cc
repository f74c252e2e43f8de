#include "controller/resolve/stack_test_util.h"

#include "gtest/gtest.h"

namespace mfr::controller::resolve::testing {

std::vector<TranslationResult> MustTranslate(const mfr::v1::Topology& t,
                                             const std::string& device,
                                             uint64_t offset, uint64_t length) {
  absl::StatusOr<std::vector<TranslationResult>> got =
      StackTranslator(t).Translate({device, offset, length});
  EXPECT_TRUE(got.ok()) << got.status();
  return got.value_or(std::vector<TranslationResult>{});
}

std::vector<std::string> ChainDevices(const TranslationResult& r) {
  std::vector<std::string> devices;
  for (const mfr::v1::TranslationStep& s : r.chain) {
    devices.push_back(s.device());
  }
  return devices;
}

ByteSpan StepRange(const TranslationResult& r, size_t i) {
  return {r.chain[i].range().offset_bytes(), r.chain[i].range().length_bytes()};
}

void ExpectWellFormed(const std::vector<TranslationResult>& results) {
  for (const TranslationResult& r : results) {
    ASSERT_FALSE(r.chain.empty());
    EXPECT_EQ(r.chain.front().note().rfind("reported", 0), 0u);
    for (const mfr::v1::TranslationStep& s : r.chain) {
      EXPECT_EQ(s.range().length_bytes(), r.range.length) << s.device();
    }
    const size_t last = r.chain.size() - (r.mapped ? 2 : 1);
    EXPECT_EQ(r.chain[last].device(), r.device);
    EXPECT_EQ(StepRange(r, last), r.range);
    if (r.mapped) {
      EXPECT_EQ(r.chain.back().device(), r.mount.mount_point());
    }
    EXPECT_EQ(r.mapped, r.reason.empty());
  }
}

}  // namespace mfr::controller::resolve::testing
