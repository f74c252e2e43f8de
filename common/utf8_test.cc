// Table tests of IsValidUtf8 (cases from RFC 3629 and Markus Kuhn's
// UTF-8 decoder stress test).
#include "common/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace mfr {
namespace {

struct Case {
  const char* name;
  std::string text;
  bool valid;
};

TEST(IsValidUtf8Test, Table) {
  const Case cases[] = {
      {"empty", "", true},
      {"ascii", "dir/file.txt", true},
      {"two_byte", "caf\xC3\xA9", true},
      {"three_byte", "\xE2\x82\xAC", true},
      {"four_byte", "\xF0\x9F\x98\x80", true},
      {"max_code_point", "\xF4\x8F\xBF\xBF", true},
      {"latin1_byte", "caf\xE9", false},
      {"lone_continuation", "\x80", false},
      {"truncated_two", "\xC3", false},
      {"truncated_four", "\xF0\x9F\x98", false},
      {"overlong_slash", "\xC0\xAF", false},
      {"overlong_three", "\xE0\x80\xAF", false},
      {"overlong_four", "\xF0\x80\x80\xAF", false},
      {"surrogate", "\xED\xA0\x80", false},
      {"above_max", "\xF4\x90\x80\x80", false},
      {"f5_lead", "\xF5\x80\x80\x80", false},
      {"bad_third_byte", "\xE2\x82\x41", false},
      {"ff_byte", "a\xFF", false},
      {"nul_inside", std::string("a\0b", 3), true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidUtf8(c.text), c.valid) << c.name;
  }
}

}  // namespace
}  // namespace mfr
