// Test-only: the expectation language of testdata/kmsg_corpus.txt and
// testdata/kmsg_bursts.txt, and the block sizes those files assume.
//   none | ignored | rejected | notkernel
//   range dev=D off=N len=N exact=0|1 kind=K [corrected] [non_media]
//         [assumed] [op=read|write] [md=ARRAY/MEMBER]
//   phys off=N len=N exact=0|1 kind=K [corrected]
// N is a product "a*b*..." of decimal or 0x-hex factors.
#ifndef MFR_AGENT_SOURCES_CORPUS_EXPECTATION_H_
#define MFR_AGENT_SOURCES_CORPUS_EXPECTATION_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/sources/kernel_error.h"

namespace mfr::agent::sources::testing {

struct Expectation {
  bool not_kernel = false;
  KernelErrorParse parse;  // outcome and, for kRange, the error
};

absl::StatusOr<Expectation> ParseExpectation(absl::string_view text);

// Empty string if `actual` matches `expected`, else what differs.
std::string Mismatch(const KernelErrorParse& expected,
                     const KernelErrorParse& actual);

// Logical block 4096 for sdd and nvme1n1; fs blocks 4096 for sdb1, dm-1,
// nvme0n1p2 and 1024 for sdc; everything else unknown.
KernelErrorParserOptions CorpusBlockSizes();

// One line per field of a parse, for failure messages.
std::string Describe(const KernelErrorParse& parse);

}  // namespace mfr::agent::sources::testing

#endif  // MFR_AGENT_SOURCES_CORPUS_EXPECTATION_H_
