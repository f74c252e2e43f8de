// A small command-line parser for mfr's binaries: `--name=value`,
// `--name value`, boolean `--name`, `--` ends flags, everything else is
// positional. Flags are declared in a table, so --help text and parsing come
// from one source. Pure; no globals.
#ifndef MFR_COMMON_FLAGS_H_
#define MFR_COMMON_FLAGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mfr {

struct FlagSpec {
  std::string name;  // without dashes
  std::string help;
  std::string default_value;  // "" means unset
  bool is_bool = false;
};

class ParsedFlags {
 public:
  bool help() const { return help_; }
  const std::vector<std::string>& positional() const { return positional_; }
  // The value given or the default; "" when neither.
  const std::string& Get(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  // InvalidArgument naming the flag when the value is not a number.
  absl::StatusOr<uint64_t> GetUint64(const std::string& name) const;
  // InvalidArgument when a required flag is empty.
  absl::Status Require(const std::vector<std::string>& names) const;

 private:
  friend absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>&,
                                                const std::vector<FlagSpec>&);
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

// Parses `args` (without the program name). InvalidArgument for unknown
// flags, missing values and values given to boolean flags other than
// true/false. `--help`/`-h` is always accepted.
absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       const std::vector<FlagSpec>& specs);

// "usage: <synopsis>\n\n<description>\n\nflags:\n  --name  help (default: x)".
std::string Usage(const std::string& synopsis, const std::string& description,
                  const std::vector<FlagSpec>& specs);

}  // namespace mfr

#endif  // MFR_COMMON_FLAGS_H_
