// Key encoding for the controller's RocksDB column families. Every integer
// is big-endian so that RocksDB's bytewise order is numeric order; this is
// the only module that knows the byte layout of keys.
//
//   segments:    fs_id | generation | end             (3 x u64; a run of
//                segments (segment.h) under the end of its last segment,
//                one past its last byte, so the run holding byte X is the
//                first key >= (fs_id, generation, X + 1))
//   inodes:      fs_id | generation | inode           (3 x u64; the value
//                lists the inode's paths, inode_paths.h)
//   staging:     upload_id | start | sequence         (3 x u64)
//   filesystems: u16 len | host | fs key
//   topology:    host
//   incidents_by_device: u16 len | host | u16 len | device | u64 number
//
// Decoders return InvalidArgument for keys of the wrong shape. Pure.
#ifndef MFR_STORAGE_KEY_CODEC_H_
#define MFR_STORAGE_KEY_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mfr::storage {

// The layout of the reverse map's keys and values (segment runs,
// segment.h; inode paths, inode_paths.h) that this build reads and writes.
// A database holding another format's reverse map has it dropped when it
// opens (FilesystemRegistry::Open); agents' next snapshots rebuild it.
// 1: a segment per key, a key per inode path. 2: segment runs.
// 3: one value per inode.
inline constexpr uint64_t kReverseMapFormat = 3;

void AppendU64(std::string* dst, uint64_t value);
uint64_t ReadU64(absl::string_view src);  // src.size() >= 8

// Keys of a family made of up to three u64 fields. A prefix with fewer
// fields bounds a range scan: [Prefix(a), Prefix(a + 1)).
std::string U64Key(uint64_t a);
std::string U64Key(uint64_t a, uint64_t b);
std::string U64Key(uint64_t a, uint64_t b, uint64_t c);

struct U64Triple {
  uint64_t a = 0, b = 0, c = 0;
};
// Decodes the first three u64 fields of a key of at least 24 bytes.
absl::StatusOr<U64Triple> DecodeU64Triple(absl::string_view key);

// Segment run key: keyed by the run's end offset (see above).
inline std::string SegmentKey(uint64_t fs_id, uint64_t gen, uint64_t end) {
  return U64Key(fs_id, gen, end);
}
// The same into *out (replaced), for writers that reuse one buffer.
void SegmentKey(uint64_t fs_id, uint64_t gen, uint64_t end, std::string* out);
// The end offset a segment key holds (its last field); key.size() >= 24.
inline uint64_t SegmentEndOf(absl::string_view key) {
  return ReadU64(key.substr(16));
}

// A string behind its u16 big-endian length, so that a key part "ab" can
// never be a prefix of the part "a" followed by more key. Also the prefix of
// every key of one host in the families keyed by host first.
std::string LengthPrefixed(absl::string_view part);

// Filesystem registry key: the host with a length prefix, then the fs key.
std::string FilesystemKey(absl::string_view host, absl::string_view fs_key);

// Incident index: every incident of one host's device, by number.
std::string IncidentDevicePrefix(absl::string_view host,
                                 absl::string_view device);
std::string IncidentDeviceKey(absl::string_view host, absl::string_view device,
                              uint64_t number);

// Pending-action outbox: one host's unanswered actions, by action id.
std::string PendingActionKey(absl::string_view host,
                             absl::string_view action_id);

// The smallest key greater than every key that starts with `prefix`
// (empty if there is none, i.e. prefix is all 0xff).
std::string PrefixSuccessor(absl::string_view prefix);

}  // namespace mfr::storage

#endif  // MFR_STORAGE_KEY_CODEC_H_
