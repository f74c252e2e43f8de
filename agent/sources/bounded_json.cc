// Implementation of the bounded JSON reader.
#include "agent/sources/bounded_json.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "agent/sources/text_scan.h"

namespace mfr::agent::sources {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

class Parser {
 public:
  Parser(absl::string_view text, const JsonLimits& limits)
      : text_(text), limits_(limits) {}

  absl::StatusOr<JsonValue> ParseDocument() {
    JsonValue value;
    SkipWs();
    if (ParseValue(&value, 0)) {
      SkipWs();
      if (pos_ != text_.size()) Fail("text after the JSON value");
    }
    if (!status_.ok()) return status_;
    return value;
  }

  absl::StatusOr<std::vector<JsonValue>> ParseStream() {
    std::vector<JsonValue> values;
    SkipWs();
    while (pos_ < text_.size() && status_.ok()) {
      values.emplace_back();
      if (!ParseValue(&values.back(), 0)) break;
      SkipWs();
    }
    if (!status_.ok()) return status_;
    return values;
  }

 private:
  bool Fail(absl::string_view why) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("JSON: ", why, " at byte ", pos_));
    }
    return false;
  }

  bool Exhausted(absl::string_view what) {
    if (status_.ok()) {
      status_ = absl::ResourceExhaustedError(absl::StrCat("JSON: ", what));
    }
    return false;
  }

  void SkipWs() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  bool Literal(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return Fail("bad literal");
    pos_ += word.size();
    return true;
  }

  bool ParseValue(JsonValue* out, int depth) {
    if (++values_ > limits_.max_values) return Exhausted("too many values");
    if (pos_ >= text_.size()) return Fail("unexpected end");
    switch (text_[pos_]) {
      case '{':
        return ParseObject(out, depth);
      case '[':
        return ParseArray(out, depth);
      case '"':
        out->type = JsonValue::Type::kString;
        return ParseString(&out->string);
      case 't':
        out->type = JsonValue::Type::kBool;
        out->boolean = true;
        return Literal("true");
      case 'f':
        out->type = JsonValue::Type::kBool;
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return ParseNumber(out);
    }
  }

  bool ParseArray(JsonValue* out, int depth) {
    if (depth >= limits_.max_depth) return Exhausted("nesting too deep");
    out->type = JsonValue::Type::kArray;
    ++pos_;
    SkipWs();
    if (Peek(']')) return ++pos_, true;
    while (true) {
      out->array.emplace_back();
      SkipWs();
      if (!ParseValue(&out->array.back(), depth + 1)) return false;
      SkipWs();
      if (Peek(']')) return ++pos_, true;
      if (!Peek(',')) return Fail("expected ',' or ']'");
      ++pos_;
    }
  }

  bool ParseObject(JsonValue* out, int depth) {
    if (depth >= limits_.max_depth) return Exhausted("nesting too deep");
    out->type = JsonValue::Type::kObject;
    ++pos_;
    SkipWs();
    if (Peek('}')) return ++pos_, true;
    while (true) {
      SkipWs();
      out->object.emplace_back();
      auto& member = out->object.back();
      if (!Peek('"') || !ParseString(&member.first)) {
        return Fail("expected a member name");
      }
      SkipWs();
      if (!Peek(':')) return Fail("expected ':'");
      ++pos_;
      SkipWs();
      if (!ParseValue(&member.second, depth + 1)) return false;
      SkipWs();
      if (Peek('}')) return ++pos_, true;
      if (!Peek(',')) return Fail("expected ',' or '}'");
      ++pos_;
    }
  }

  bool ParseHex4(uint32_t* unit) {
    if (text_.size() - pos_ < 4) return Fail("bad \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_ + i];
      int d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return Fail("bad \\u escape");
      }
      v = (v << 4) | static_cast<uint32_t>(d);
    }
    pos_ += 4;
    *unit = v;
    return true;
  }

  // After "\u": one code point, joining a surrogate pair.
  bool ParseUnicodeEscape(std::string* out) {
    uint32_t cp;
    if (!ParseHex4(&cp)) return false;
    if (cp >= 0xdc00 && cp <= 0xdfff) return Fail("lone low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      uint32_t low;
      if (text_.substr(pos_, 2) != "\\u") return Fail("lone high surrogate");
      pos_ += 2;
      if (!ParseHex4(&low)) return false;
      if (low < 0xdc00 || low > 0xdfff) return Fail("bad surrogate pair");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  bool ParseEscape(std::string* out) {
    if (pos_ >= text_.size()) return Fail("unterminated string");
    const char c = text_[pos_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case 'u':
        return ParseUnicodeEscape(out);
      default:
        return Fail("bad escape");
    }
  }

  bool ParseString(std::string* out) {
    ++pos_;  // '"'
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (!ParseEscape(out)) return false;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return Fail("control character in string");
      } else {
        out->push_back(c);
      }
    }
    return Fail("unterminated string");
  }

  size_t Digits() {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      ++pos_;
    }
    return pos_ - start;
  }

  bool ParseNumber(JsonValue* out) {
    const size_t start = pos_;
    const bool negative = Peek('-');
    if (negative) ++pos_;
    const size_t int_start = pos_;
    const size_t int_digits = Digits();
    if (int_digits == 0 || (int_digits > 1 && text_[int_start] == '0')) {
      return Fail("bad number");
    }
    bool integral = true;
    if (Peek('.')) {
      ++pos_;
      integral = false;
      if (Digits() == 0) return Fail("bad fraction");
    }
    if (Peek('e') || Peek('E')) {
      ++pos_;
      integral = false;
      if (Peek('+') || Peek('-')) ++pos_;
      if (Digits() == 0) return Fail("bad exponent");
    }
    const std::string token(text_.substr(start, pos_ - start));
    out->type = JsonValue::Type::kNumber;
    out->number = std::strtod(token.c_str(), nullptr);
    absl::string_view digits = text_.substr(int_start, int_digits);
    out->is_uint =
        !negative && integral && ConsumeDecimal(&digits, &out->uint_value);
    return true;
  }

  absl::string_view text_;
  JsonLimits limits_;
  size_t pos_ = 0;
  size_t values_ = 0;
  absl::Status status_;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view key) const {
  for (const auto& member : object) {
    if (member.first == key) return &member.second;
  }
  return nullptr;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text,
                                    const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return absl::ResourceExhaustedError("JSON: text too long");
  }
  return Parser(text, limits).ParseDocument();
}

absl::StatusOr<std::vector<JsonValue>> ParseJsonStream(
    absl::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return absl::ResourceExhaustedError("JSON: text too long");
  }
  return Parser(text, limits).ParseStream();
}

}  // namespace mfr::agent::sources
