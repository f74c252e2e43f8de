// Table test of ReportFor: which parsed kernel lines become reports, and
// memory errors (memory-failure page frames, MCE and GHES addresses)
// translated onto pmem block devices through the pmem layouts (the layout
// of agent/pmem/testdata/pmem_two_regions.tree; this kernel has no pmem).
#include "agent/detector.h"

#include "absl/strings/str_cat.h"
#include "agent/sources/kernel_error_parser.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent {
namespace {

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;

// region0: namespace0.0 fsdax -> pmem0 (data at 0x240200000), namespace0.1
// devdax; region1: namespace1.0 raw -> pmem1 at 0x640000000.
pmem::PmemAddressMap RecordedLayouts() {
  return pmem::PmemAddressMap({{"namespace0.0",
                                "region0",
                                "pmem0",
                                pmem::NamespaceMode::kFsdax,
                                {0x240000000, 0x240000000, 8 * kGiB, 2 * kMiB}},
                               {"namespace0.1",
                                "region0",
                                "",
                                pmem::NamespaceMode::kDevdax,
                                {0x240000000, 0x440000000, 4 * kGiB, 2 * kMiB}},
                               {"namespace1.0",
                                "region1",
                                "pmem1",
                                pmem::NamespaceMode::kRaw,
                                {0x640000000, 0x640000000, 16 * kGiB, 0}}});
}

struct Expected {
  std::string device;
  uint64_t offset, length;
  mfr::v1::ErrorSource source;
  bool exact;
};

TEST(ReportFor, Table) {
  const pmem::PmemAddressMap layouts = RecordedLayouts();
  const auto kKmsg = mfr::v1::ERROR_SOURCE_KMSG;
  const auto kMemory = mfr::v1::ERROR_SOURCE_MEMORY_FAILURE;
  const struct {
    const char* what;
    const char* line;
    std::optional<Expected> expected;
  } cases[] = {
      {"block layer medium error",
       "critical medium error, dev sdb, sector 2048 op 0x0:(READ) flags 0x0 "
       "phys_seg 1 prio class 0",
       Expected{"sdb", 2048 * 512, 512, kKmsg, false}},
      {"memory failure in pmem0 (pfn 0x280200: 1 GiB into pmem0)",
       "Memory failure: 0x280200: recovery action for dax page: Recovered",
       Expected{"pmem0", kGiB, 4096, kMemory, true}},
      {"memory failure on pmem0's first data page",
       "Memory failure: 0x240200: Sending SIGBUS to app:1234 due to hardware "
       "memory corruption",
       Expected{"pmem0", 0, 4096, kMemory, true}},
      {"memory failure in pmem1 (raw)",
       "Memory failure: 0x640005: recovery action for dax page: Recovered",
       Expected{"pmem1", 5 * 4096, 4096, kMemory, true}},
      {"GHES address in pmem1",
       "{1}[Hardware Error]:   physical_address: 0x0000000640005047",
       Expected{"pmem1", 5 * 4096 + 64, 64, kMemory, false}},
      {"MCE address in pmem0",
       "mce: [Hardware Error]: TSC 0 ADDR 280200000 MISC 86",
       Expected{"pmem0", kGiB, 64, kMemory, false}},
      {"memory failure in ordinary DRAM: counted, not reported",
       "Memory failure: 0x1234: recovery action for dirty LRU page: Recovered",
       std::nullopt},
      {"memory failure in pmem0's info block",
       "Memory failure: 0x240001: recovery action for dax page: Recovered",
       std::nullopt},
      {"memory failure in a devdax namespace (no block device)",
       "Memory failure: 0x440200: recovery action for dax page: Recovered",
       std::nullopt},
      {"non-media block error (timeout)",
       "timeout error, dev sdd, sector 8192 op 0x0:(READ) flags 0x0 "
       "phys_seg 1 prio class 0",
       std::nullopt},
  };
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  for (const auto& c : cases) {
    sources::KernelErrorParse parse = sources::ParseKernelError(c.line, {});
    ASSERT_EQ(parse.outcome, sources::ParseOutcome::kRange) << c.what;
    sources::KmsgRecord record;
    record.sequence = 42;
    record.message = c.line;
    auto r = ReportFor("h1", record, parse.error, now, &layouts);
    ASSERT_EQ(r.has_value(), c.expected.has_value()) << c.what;
    if (!r) continue;
    EXPECT_EQ(r->host(), "h1") << c.what;
    EXPECT_EQ(r->device(), c.expected->device) << c.what;
    EXPECT_EQ(r->range().offset_bytes(), c.expected->offset) << c.what;
    EXPECT_EQ(r->range().length_bytes(), c.expected->length) << c.what;
    EXPECT_EQ(r->source(), c.expected->source) << c.what;
    EXPECT_EQ(r->length_exact(), c.expected->exact) << c.what;
    EXPECT_EQ(r->evidence(0), absl::StrCat("kmsg seq 42: ", c.line)) << c.what;
    EXPECT_EQ(r->evidence_size(), c.expected->source == kMemory ? 2 : 1)
        << c.what;
  }
}

TEST(ReportFor, MemoryErrorDetailsAndWithoutLayouts) {
  const pmem::PmemAddressMap layouts = RecordedLayouts();
  const char* line =
      "Memory failure: 0x280200: recovery action for dax page: Recovered";
  sources::KernelErrorParse parse = sources::ParseKernelError(line, {});
  sources::KmsgRecord record;
  record.sequence = 7;
  record.message = line;
  auto r = ReportFor("h1", record, parse.error, absl::UnixEpoch(), &layouts);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->kind(), mfr::v1::ERROR_KIND_POISON);
  EXPECT_EQ(r->evidence(1),
            "physical 0x280200000+4096 is pmem0 bytes 1073741824+4096");
  // No layouts (none discovered, or the caller has none): never reported.
  EXPECT_FALSE(
      ReportFor("h1", record, parse.error, absl::UnixEpoch(), nullptr));
  const pmem::PmemAddressMap none;
  EXPECT_FALSE(ReportFor("h1", record, parse.error, absl::UnixEpoch(), &none));
  // Corrected (e.g. by an earlier MCE status line of the burst): never.
  parse.error.corrected = true;
  EXPECT_FALSE(
      ReportFor("h1", record, parse.error, absl::UnixEpoch(), &layouts));
}

}  // namespace
}  // namespace mfr::agent
