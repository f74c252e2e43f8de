// Page arithmetic for the page-cache rewriter. All values are BYTES.
//
// Pure; thread-compatible.
#ifndef MFR_AGENT_RECOVERY_PAGE_RANGES_H_
#define MFR_AGENT_RECOVERY_PAGE_RANGES_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "common/byte_range.h"

namespace mfr::agent::recovery {

// The smallest span of whole pages that covers `range`. `page_size` must
// be a power of two. InvalidArgument for an invalid range (length 0,
// overflow), a bad page size, or when rounding up would overflow 2^64.
absl::StatusOr<ByteSpan> AlignOutward(const ByteSpan& range,
                                      uint64_t page_size);

// Appends `span` to `spans`, merging it into the last span when the two
// touch or overlap. Spans must arrive in increasing offset order; empty
// spans are ignored.
void AppendMerged(std::vector<ByteSpan>* spans, const ByteSpan& span);

// Appends the part of `span` inside `clip` (if any), merged as above.
void AppendClipped(std::vector<ByteSpan>* spans, const ByteSpan& span,
                   const ByteSpan& clip);

}  // namespace mfr::agent::recovery

#endif  // MFR_AGENT_RECOVERY_PAGE_RANGES_H_
