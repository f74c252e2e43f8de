#include "storage/inode_paths.h"

#include <cstdint>

#include "rocksdb/slice.h"

namespace mfr::storage {
namespace {

// Reads the varint length of the path at the front of *in and splits the
// path off into *path. False on malformed bytes.
bool NextPath(absl::string_view* in, absl::string_view* path) {
  uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (in->empty() || shift > 28) return false;
    const uint8_t byte = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    length |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (length == 0 || length > in->size()) return false;
  *path = in->substr(0, length);
  in->remove_prefix(length);
  return true;
}

// How many whole paths `value` holds (stops at malformed bytes).
size_t CountPaths(absl::string_view value) {
  size_t n = 0;
  absl::string_view path;
  while (NextPath(&value, &path)) ++n;
  return n;
}

class InodePathsMergeOperator : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/,
             const rocksdb::Slice* existing_value, const rocksdb::Slice& value,
             std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    if (existing_value == nullptr) {
      new_value->assign(value.data(), value.size());
      return true;
    }
    new_value->assign(existing_value->data(), existing_value->size());
    // Keep the first paths of an inode with very many hard links.
    absl::string_view more(value.data(), value.size());
    absl::string_view path;
    for (size_t have = CountPaths(*new_value);
         have < kMaxStoredPathsPerInode && NextPath(&more, &path); ++have) {
      AppendInodePath(path, new_value);
    }
    return true;
  }
  const char* Name() const override { return "mfr.InodePathsMergeOperator"; }
};

}  // namespace

void AppendInodePath(absl::string_view path, std::string* value) {
  uint64_t length = path.size();
  while (length >= 0x80) {
    value->push_back(static_cast<char>((length & 0x7f) | 0x80));
    length >>= 7;
  }
  value->push_back(static_cast<char>(length));
  value->append(path.data(), path.size());
}

absl::Status DecodeInodePaths(absl::string_view value, size_t max,
                              std::vector<std::string>* paths) {
  absl::string_view path;
  for (size_t n = 0; n < max && !value.empty(); ++n) {
    if (!NextPath(&value, &path)) {
      return absl::InvalidArgumentError("malformed inode paths value");
    }
    paths->emplace_back(path);
  }
  return absl::OkStatus();
}

std::shared_ptr<rocksdb::MergeOperator> NewInodePathsMergeOperator() {
  return std::make_shared<InodePathsMergeOperator>();
}

}  // namespace mfr::storage
