// Implementation of the test-data reader.
#include "agent/sources/test_data.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace mfr::agent::sources::testing {

absl::StatusOr<std::string> ReadTestData(const std::string& name) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  std::string path = absl::StrCat("agent/sources/testdata/", name);
  if (srcdir != nullptr && workspace != nullptr) {
    path = absl::StrCat(srcdir, "/", workspace, "/", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace mfr::agent::sources::testing
