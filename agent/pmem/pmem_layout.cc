// Implementation of the pmem namespace layout parser.
#include "agent/pmem/pmem_layout.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/sources/text_scan.h"
#include "agent/topology/sysfs_values.h"

namespace mfr::agent::pmem {
namespace {

absl::Status Bad(const NamespaceSysfs& in, absl::string_view attribute,
                 absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(in.name, " ", attribute, ": ", why));
}

absl::Status Hex(const NamespaceSysfs& in, absl::string_view attribute,
                 absl::string_view text, uint64_t* out) {
  absl::StatusOr<uint64_t> value = ParseSysfsHex(text);
  if (!value.ok()) return Bad(in, attribute, value.status().message());
  *out = *value;
  return absl::OkStatus();
}

absl::Status Decimal(const NamespaceSysfs& in, absl::string_view attribute,
                     absl::string_view text, uint64_t* out) {
  absl::StatusOr<uint64_t> value = topology::ParseSysfsUint(text);
  if (!value.ok()) return Bad(in, attribute, value.status().message());
  *out = *value;
  return absl::OkStatus();
}

// The mode, checked against the kind of holder the kernel pairs it with.
absl::StatusOr<NamespaceMode> ModeOf(const NamespaceSysfs& in) {
  const absl::string_view mode = topology::TrimSysfsText(in.mode);
  const absl::string_view holder = topology::TrimSysfsText(in.holder);
  struct Rule {
    absl::string_view mode, holder_prefix;
    NamespaceMode value;
  };
  // "memory" without a holder: a legacy (e820) namespace whose pages are
  // mapped from RAM; byte 0 is the namespace start, as in raw mode.
  static constexpr Rule kRules[] = {
      {"raw", "", NamespaceMode::kRaw},
      {"memory", "pfn", NamespaceMode::kFsdax},
      {"memory", "", NamespaceMode::kFsdax},
      {"dax", "dax", NamespaceMode::kDevdax},
      {"safe", "btt", NamespaceMode::kSector},
  };
  for (const Rule& rule : kRules) {
    if (mode != rule.mode) continue;
    if (rule.holder_prefix.empty()
            ? holder.empty()
            : absl::StartsWith(holder, rule.holder_prefix)) {
      return rule.value;
    }
  }
  return Bad(in, "mode",
             absl::StrCat("\"", mode, "\" with holder \"", holder,
                          "\" is not a known namespace mode"));
}

// Data offset and data-area size from a pfn/dax holder.
absl::Status ApplyHolder(const NamespaceSysfs& in, uint64_t namespace_size,
                         sources::PmemNamespaceLayout* layout) {
  uint64_t data_start = 0, data_size = 0;
  if (auto s = Hex(in, "holder resource", in.holder_resource, &data_start);
      !s.ok()) {
    return s;
  }
  if (auto s = Decimal(in, "holder size", in.holder_size, &data_size);
      !s.ok()) {
    return s;
  }
  uint64_t data_end = 0;
  if (data_start < layout->physical_start ||
      !sources::CheckedAdd(data_start - layout->physical_start, data_size,
                           &data_end) ||
      data_end > namespace_size) {
    return Bad(in, "holder", "data area lies outside the namespace");
  }
  layout->data_offset = data_start - layout->physical_start;
  layout->size = data_end;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint64_t> ParseSysfsHex(absl::string_view text) {
  absl::string_view t = topology::TrimSysfsText(text);
  uint64_t value = 0;
  if (t == "0") return value;
  absl::string_view rest = t;
  if (!absl::StartsWith(t, "0x") || !sources::ConsumeHex(&rest, &value) ||
      !rest.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a 0x-prefixed hex number: \"", t.substr(0, 32),
                     t.size() > 32 ? "...\"" : "\""));
  }
  return value;
}

absl::StatusOr<PmemNamespace> ParseNamespace(const NamespaceSysfs& in) {
  PmemNamespace out;
  out.name = in.name;
  out.region = in.region;
  out.blockdev = std::string(topology::TrimSysfsText(in.blockdev));
  if (!out.blockdev.empty() && !sources::IsValidDeviceName(out.blockdev)) {
    return Bad(in, "block", "not a device name");
  }
  absl::StatusOr<NamespaceMode> mode = ModeOf(in);
  if (!mode.ok()) return mode.status();
  out.mode = *mode;
  sources::PmemNamespaceLayout& l = out.layout;
  uint64_t size = 0;
  if (auto s = Hex(in, "region resource", in.region_resource, &l.region_start);
      !s.ok()) {
    return s;
  }
  if (auto s = Hex(in, "resource", in.resource, &l.physical_start); !s.ok()) {
    return s;
  }
  if (auto s = Decimal(in, "size", in.size, &size); !s.ok()) return s;
  l.size = size;
  const bool has_data_area = out.mode == NamespaceMode::kDevdax ||
                             (out.mode == NamespaceMode::kFsdax &&
                              !topology::TrimSysfsText(in.holder).empty());
  if (has_data_area) {
    if (auto s = ApplyHolder(in, size, &l); !s.ok()) return s;
  }
  if (auto s = sources::ValidateLayout(l); !s.ok()) {
    return Bad(in, "layout", s.message());
  }
  return out;
}

}  // namespace mfr::agent::pmem
