// Implementation of the corpus expectation language.
#include "agent/sources/corpus_expectation.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/sources/kernel_error_parser.h"
#include "agent/sources/text_scan.h"

namespace mfr::agent::sources::testing {
namespace {

bool ParseProduct(absl::string_view text, uint64_t* out) {
  uint64_t product = 1;
  for (absl::string_view factor : absl::StrSplit(text, '*')) {
    uint64_t v;
    absl::string_view f = factor;
    const bool hex = f.substr(0, 2) == "0x";
    if (!(hex ? ConsumeHex(&f, &v) : ConsumeDecimal(&f, &v)) || !f.empty() ||
        !CheckedMul(product, v, &product)) {
      return false;
    }
  }
  *out = product;
  return true;
}

bool ParseKind(absl::string_view name, mfr::v1::ErrorKind* kind) {
  for (mfr::v1::ErrorKind k :
       {mfr::v1::ERROR_KIND_IO, mfr::v1::ERROR_KIND_MEDIUM,
        mfr::v1::ERROR_KIND_POISON, mfr::v1::ERROR_KIND_MD_UNCORRECTABLE,
        mfr::v1::ERROR_KIND_FS_CORRUPTION}) {
    if (ErrorKindName(k) == name) {
      *kind = k;
      return true;
    }
  }
  return false;
}

bool ApplyField(absl::string_view field, KernelError* e) {
  const size_t eq = field.find('=');
  const absl::string_view key = field.substr(0, eq);
  const absl::string_view value =
      eq == absl::string_view::npos ? "" : field.substr(eq + 1);
  if (key == "dev") return e->device.assign(value.data(), value.size()), true;
  if (key == "off") return ParseProduct(value, &e->offset_bytes);
  if (key == "len") return ParseProduct(value, &e->length_bytes);
  if (key == "exact") return e->length_exact = value == "1", true;
  if (key == "kind") return ParseKind(value, &e->kind);
  if (key == "corrected") return e->corrected = true;
  if (key == "non_media") return e->non_media = true;
  if (key == "assumed") return e->block_size_assumed = true;
  if (key == "op") {
    e->op = value == "read" ? BlockOp::kRead : BlockOp::kWrite;
    return value == "read" || value == "write";
  }
  if (key == "md") {
    const size_t slash = value.find('/');
    e->md_array = std::string(value.substr(0, slash));
    e->md_member = std::string(value.substr(slash + 1));
    return slash != absl::string_view::npos;
  }
  return false;
}

}  // namespace

absl::StatusOr<Expectation> ParseExpectation(absl::string_view text) {
  std::vector<absl::string_view> words =
      absl::StrSplit(text, ' ', absl::SkipEmpty());
  Expectation x;
  if (words.empty()) return absl::InvalidArgumentError("empty expectation");
  if (words[0] == "none") return x;
  if (words[0] == "notkernel") return x.not_kernel = true, x;
  if (words[0] == "ignored") return x.parse.outcome = ParseOutcome::kIgnored, x;
  if (words[0] == "rejected") {
    return x.parse.outcome = ParseOutcome::kRejected, x;
  }
  if (words[0] != "range" && words[0] != "phys") {
    return absl::InvalidArgumentError(absl::StrCat("bad expectation ", text));
  }
  x.parse.outcome = ParseOutcome::kRange;
  x.parse.error.target = words[0] == "phys"
                             ? KernelErrorTarget::kPhysicalAddress
                             : KernelErrorTarget::kDevice;
  for (size_t i = 1; i < words.size(); ++i) {
    if (!ApplyField(words[i], &x.parse.error)) {
      return absl::InvalidArgumentError(absl::StrCat("bad field ", words[i]));
    }
  }
  return x;
}

std::string Describe(const KernelErrorParse& p) {
  const KernelError& e = p.error;
  return absl::StrCat(
      "outcome=", static_cast<int>(p.outcome), " reason=", p.reason,
      " target=", static_cast<int>(e.target), " dev=", e.device,
      " off=", e.offset_bytes, " len=", e.length_bytes,
      " exact=", e.length_exact, " kind=", ErrorKindName(e.kind),
      " corrected=", e.corrected, " non_media=", e.non_media,
      " assumed=", e.block_size_assumed, " op=", static_cast<int>(e.op),
      " md=", e.md_array, "/", e.md_member, " what=", e.what);
}

std::string Mismatch(const KernelErrorParse& x, const KernelErrorParse& a) {
  if (x.outcome != a.outcome) return "outcome differs";
  if (x.outcome != ParseOutcome::kRange) return "";
  const KernelError& xe = x.error;
  const KernelError& ae = a.error;
  const bool same = xe.target == ae.target && xe.device == ae.device &&
                    xe.offset_bytes == ae.offset_bytes &&
                    xe.length_bytes == ae.length_bytes &&
                    xe.length_exact == ae.length_exact && xe.kind == ae.kind &&
                    xe.corrected == ae.corrected &&
                    xe.non_media == ae.non_media &&
                    xe.block_size_assumed == ae.block_size_assumed &&
                    (xe.op == BlockOp::kUnknown || xe.op == ae.op) &&
                    xe.md_array == ae.md_array && xe.md_member == ae.md_member;
  return same ? "" : "fields differ";
}

KernelErrorParserOptions CorpusBlockSizes() {
  KernelErrorParserOptions o;
  o.logical_block_bytes = [](absl::string_view d) -> uint32_t {
    return d == "sdd" || d == "nvme1n1" ? 4096 : 0;
  };
  o.fs_block_bytes = [](absl::string_view d) -> uint32_t {
    if (d == "sdb1" || d == "dm-1" || d == "nvme0n1p2") return 4096;
    return d == "sdc" ? 1024 : 0;
  };
  return o;
}

}  // namespace mfr::agent::sources::testing
