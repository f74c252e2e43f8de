// Tests of the bounded JSON reader: RFC 8259 values, escapes, limits.
#include "agent/sources/bounded_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::sources {
namespace {

TEST(ParseJson, ValuesOfEveryType) {
  absl::StatusOr<JsonValue> v = ParseJson(
      R"( {"a":[1,-2,3.5e2,true,false,null],"b":{"c":"d"},"big":18446744073709551615,"over":18446744073709551616} )");
  ASSERT_TRUE(v.ok()) << v.status();
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 6u);
  EXPECT_TRUE(a->array[0].is_uint);
  EXPECT_EQ(a->array[0].uint_value, 1u);
  EXPECT_FALSE(a->array[1].is_uint);
  EXPECT_EQ(a->array[1].number, -2);
  EXPECT_FALSE(a->array[2].is_uint);
  EXPECT_EQ(a->array[2].number, 350);
  EXPECT_TRUE(a->array[3].boolean);
  EXPECT_EQ(a->array[5].type, JsonValue::Type::kNull);
  EXPECT_EQ(v->Find("b")->Find("c")->string, "d");
  EXPECT_EQ(v->Find("big")->uint_value, UINT64_MAX);
  EXPECT_FALSE(v->Find("over")->is_uint);
  EXPECT_EQ(v->Find("missing"), nullptr);
}

TEST(ParseJson, StringEscapes) {
  absl::StatusOr<JsonValue> v =
      ParseJson(R"("a\"b\\c\/d\n\t\u00e9\ud83d\ude00")");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->string, "a\"b\\c/d\n\t\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(ParseJson, MalformedInputIsInvalidArgument) {
  for (const char* bad :
       {"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "1e", "-",
        "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"a\nb\"", "tru",
        "nul", "[1] [2]", "{1:2}", "\"unterminated"}) {
    absl::StatusOr<JsonValue> v = ParseJson(bad);
    EXPECT_FALSE(v.ok()) << bad;
    if (!v.ok()) {
      EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ParseJson, LimitsAreResourceExhausted) {
  JsonLimits limits;
  limits.max_depth = 8;
  EXPECT_EQ(ParseJson(std::string(9, '[') + std::string(9, ']'), limits)
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(
      ParseJson(std::string(8, '[') + std::string(8, ']'), limits).ok());
  limits.max_values = 3;
  EXPECT_EQ(ParseJson("[1,2,3]", limits).status().code(),
            absl::StatusCode::kResourceExhausted);
  limits.max_bytes = 4;
  EXPECT_EQ(ParseJson("[1,2]", limits).status().code(),
            absl::StatusCode::kResourceExhausted);
  // The default depth keeps a hostile nesting far from the stack limit.
  EXPECT_FALSE(ParseJson(std::string(100000, '[')).ok());
}

TEST(ParseJsonStream, ConcatenatedValues) {
  absl::StatusOr<std::vector<JsonValue>> v =
      ParseJsonStream("{\"a\":1}\n{\"a\":2}\n");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->size(), 2u);
  EXPECT_EQ((*v)[1].Find("a")->uint_value, 2u);
  EXPECT_TRUE(ParseJsonStream("  ")->empty());
  EXPECT_FALSE(ParseJsonStream("{} {").ok());
}

}  // namespace
}  // namespace mfr::agent::sources
