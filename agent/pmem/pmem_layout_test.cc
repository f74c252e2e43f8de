// Table tests of the namespace layout parser, on the attribute values of
// the recorded tree (testdata/README.md) and on broken variants of them.
#include "agent/pmem/pmem_layout.h"

#include "absl/strings/str_cat.h"
#include "agent/pmem/recorded_tree.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::pmem {
namespace {

using testing::kGiB;
using testing::kMiB;

TEST(ParseSysfsHex, Table) {
  const struct {
    const char* text;
    bool ok;
    uint64_t value;
  } cases[] = {
      {"0x240000000\n", true, 0x240000000},
      {"0x0\n", true, 0},
      {"0\n", true, 0},  // printf("%#llx", 0) prints "0"
      {"  0xffffffffffffffff \n", true, UINT64_MAX},
      {"240000000\n", false, 0},  // decimal-looking: not what the kernel prints
      {"0x\n", false, 0},
      {"0x1g\n", false, 0},
      {"0x10000000000000000\n", false, 0},  // overflow
      {"", false, 0},
      {"-0x1", false, 0},
  };
  for (const auto& c : cases) {
    absl::StatusOr<uint64_t> v = ParseSysfsHex(c.text);
    EXPECT_EQ(v.ok(), c.ok) << c.text;
    if (v.ok()) {
      EXPECT_EQ(*v, c.value) << c.text;
    }
  }
}

// namespace0.0 of the recorded tree: fsdax through pfn0.1.
NamespaceSysfs Fsdax() {
  NamespaceSysfs in;
  in.name = "namespace0.0";
  in.region = "region0";
  in.region_resource = "0x240000000\n";
  in.resource = "0x240000000\n";
  in.size = "8589934592\n";
  in.mode = "memory\n";
  in.holder = "pfn0.1\n";
  in.holder_resource = "0x240200000\n";
  in.holder_size = "8587837440\n";
  in.blockdev = "pmem0";
  return in;
}

TEST(ParseNamespace, RecordedModes) {
  NamespaceSysfs raw;
  raw.name = "namespace1.0";
  raw.region = "region1";
  raw.region_resource = raw.resource = "0x640000000\n";
  raw.size = "17179869184\n";
  raw.mode = "raw\n";
  raw.holder = "\n";
  raw.blockdev = "pmem1";
  NamespaceSysfs devdax = Fsdax();
  devdax.name = "namespace0.1";
  devdax.resource = "0x440000000\n";
  devdax.size = "4294967296\n";
  devdax.mode = "dax\n";
  devdax.holder = "dax0.1\n";
  devdax.holder_resource = "0x440200000\n";
  devdax.holder_size = "4292870144\n";
  devdax.blockdev = "";
  NamespaceSysfs sector = raw;
  sector.mode = "safe\n";
  sector.holder = "btt1.1\n";
  sector.blockdev = "pmem1s";
  NamespaceSysfs legacy = raw;  // e820 pmem: pages mapped, no claim
  legacy.mode = "memory\n";
  NamespaceSysfs truncated = Fsdax();  // pfn end_trunc of 2 MiB
  truncated.holder_size = "8585740288\n";
  const struct {
    const char* what;
    NamespaceSysfs in;
    NamespaceMode mode;
    bool linear;
    sources::PmemNamespaceLayout layout;
  } cases[] = {
      {"fsdax",
       Fsdax(),
       NamespaceMode::kFsdax,
       true,
       {0x240000000, 0x240000000, 8 * kGiB, 2 * kMiB}},
      {"raw",
       raw,
       NamespaceMode::kRaw,
       true,
       {0x640000000, 0x640000000, 16 * kGiB, 0}},
      {"devdax",
       devdax,
       NamespaceMode::kDevdax,
       false,
       {0x240000000, 0x440000000, 4 * kGiB, 2 * kMiB}},
      {"sector",
       sector,
       NamespaceMode::kSector,
       false,
       {0x640000000, 0x640000000, 16 * kGiB, 0}},
      {"legacy memory",
       legacy,
       NamespaceMode::kFsdax,
       true,
       {0x640000000, 0x640000000, 16 * kGiB, 0}},
      {"end_trunc",
       truncated,
       NamespaceMode::kFsdax,
       true,
       {0x240000000, 0x240000000, 8 * kGiB - 2 * kMiB, 2 * kMiB}},
  };
  for (const auto& c : cases) {
    absl::StatusOr<PmemNamespace> ns = ParseNamespace(c.in);
    ASSERT_TRUE(ns.ok()) << c.what << ": " << ns.status();
    EXPECT_EQ(ns->name, c.in.name) << c.what;
    EXPECT_EQ(ns->region, c.in.region) << c.what;
    EXPECT_EQ(ns->blockdev, c.in.blockdev) << c.what;
    EXPECT_EQ(ns->mode, c.mode) << c.what;
    EXPECT_EQ(ns->linear(), c.linear) << c.what;
    EXPECT_EQ(ns->layout.region_start, c.layout.region_start) << c.what;
    EXPECT_EQ(ns->layout.physical_start, c.layout.physical_start) << c.what;
    EXPECT_EQ(ns->layout.size, c.layout.size) << c.what;
    EXPECT_EQ(ns->layout.data_offset, c.layout.data_offset) << c.what;
  }
}

TEST(ParseNamespace, BrokenValuesAreErrorsNamingTheAttribute) {
  const struct {
    const char* what;
    void (*edit)(NamespaceSysfs*);
    const char* attribute;
  } cases[] = {
      {"decimal resource",
       [](NamespaceSysfs* n) { n->resource = "9663676416"; }, "resource"},
      {"missing resource", [](NamespaceSysfs* n) { n->resource = ""; },
       "resource"},
      {"missing region resource",
       [](NamespaceSysfs* n) { n->region_resource = ""; }, "region resource"},
      {"hex size", [](NamespaceSysfs* n) { n->size = "0x200000000"; }, "size"},
      {"unknown mode", [](NamespaceSysfs* n) { n->mode = "fsdax"; }, "mode"},
      {"raw with a holder", [](NamespaceSysfs* n) { n->mode = "raw"; }, "mode"},
      {"data before the namespace",
       [](NamespaceSysfs* n) { n->holder_resource = "0x23fe00000"; }, "holder"},
      {"data past the namespace",
       [](NamespaceSysfs* n) { n->holder_size = "8589934592"; }, "holder"},
      {"unreadable holder size", [](NamespaceSysfs* n) { n->holder_size = ""; },
       "holder size"},
      {"namespace before its region",
       [](NamespaceSysfs* n) { n->region_resource = "0x240000001"; }, "layout"},
      {"bad block device name",
       [](NamespaceSysfs* n) { n->blockdev = "pmem/0"; }, "block"},
  };
  for (const auto& c : cases) {
    NamespaceSysfs in = Fsdax();
    c.edit(&in);
    absl::StatusOr<PmemNamespace> ns = ParseNamespace(in);
    ASSERT_FALSE(ns.ok()) << c.what;
    EXPECT_EQ(ns.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(
        std::string(ns.status().message()),
        ::testing::HasSubstr(absl::StrCat("namespace0.0 ", c.attribute)))
        << c.what;
  }
}

}  // namespace
}  // namespace mfr::agent::pmem
