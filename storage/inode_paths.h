// The value of an inode in the inodes family: every path of the inode, each
// as a varint length and the path's bytes. An inode's paths arrive one at a
// time (the walk meets hard links anywhere), so each is written as a merge
// operand and InodePathsMergeOperator concatenates them; a lookup is one
// point Get.
#ifndef MFR_STORAGE_INODE_PATHS_H_
#define MFR_STORAGE_INODE_PATHS_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/merge_operator.h"

namespace mfr::storage {

// Paths kept per inode; more hard links than this are dropped when merged.
inline constexpr size_t kMaxStoredPathsPerInode = 64;

// Appends one path's encoding to *value.
void AppendInodePath(absl::string_view path, std::string* value);

// Appends the paths in `value` to *paths, at most `max` of them;
// InvalidArgument on malformed bytes.
absl::Status DecodeInodePaths(absl::string_view value, size_t max,
                              std::vector<std::string>* paths);

// Concatenates path lists, keeping at most kMaxStoredPathsPerInode paths.
std::shared_ptr<rocksdb::MergeOperator> NewInodePathsMergeOperator();

}  // namespace mfr::storage

#endif  // MFR_STORAGE_INODE_PATHS_H_
