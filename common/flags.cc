#include "common/flags.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace mfr {
namespace {

const FlagSpec* Find(const std::vector<FlagSpec>& specs,
                     const std::string& name) {
  for (const FlagSpec& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace

const std::string& ParsedFlags::Get(const std::string& name) const {
  static const std::string* const kEmpty = new std::string();
  auto it = values_.find(name);
  return it == values_.end() ? *kEmpty : it->second;
}

bool ParsedFlags::GetBool(const std::string& name) const {
  return Get(name) == "true";
}

absl::StatusOr<uint64_t> ParsedFlags::GetUint64(const std::string& name) const {
  uint64_t value = 0;
  if (!absl::SimpleAtoi(Get(name), &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, " must be a non-negative integer, got \"",
                     Get(name), "\""));
  }
  return value;
}

absl::Status ParsedFlags::Require(const std::vector<std::string>& names) const {
  for (const std::string& name : names) {
    if (Get(name).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " is required"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                                       const std::vector<FlagSpec>& specs) {
  ParsedFlags parsed;
  for (const FlagSpec& s : specs) {
    if (!s.default_value.empty()) parsed.values_[s.name] = s.default_value;
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      parsed.positional_.insert(parsed.positional_.end(),
                                args.begin() + static_cast<ptrdiff_t>(i) + 1,
                                args.end());
      break;
    }
    if (arg == "--help" || arg == "-h") {
      parsed.help_ = true;
      continue;
    }
    if (!absl::StartsWith(arg, "--")) {
      parsed.positional_.push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    const std::string name =
        arg.substr(2, eq == std::string::npos ? eq : eq - 2);
    const FlagSpec* spec = Find(specs, name);
    if (spec == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (spec->is_bool) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " needs a value"));
    }
    if (spec->is_bool && value != "true" && value != "false") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, " takes true or false, got \"", value, "\""));
    }
    parsed.values_[name] = value;
  }
  return parsed;
}

std::string Usage(const std::string& synopsis, const std::string& description,
                  const std::vector<FlagSpec>& specs) {
  std::string out =
      absl::StrCat("usage: ", synopsis, "\n\n", description, "\n");
  if (specs.empty()) return out;
  size_t width = 0;
  for (const FlagSpec& s : specs) width = std::max(width, s.name.size());
  absl::StrAppend(&out, "\nflags:\n");
  for (const FlagSpec& s : specs) {
    absl::StrAppend(&out, "  --", s.name,
                    std::string(width - s.name.size() + 2, ' '), s.help);
    if (!s.default_value.empty()) {
      absl::StrAppend(&out, " (default: ", s.default_value, ")");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace mfr
