// SHA-256 against the FIPS 180-4 / NIST CAVP example vectors, and
// incremental hashing across every block-boundary split.
#include "agent/report/sha256.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mfr::agent::report {
namespace {

struct Vector {
  std::string message;
  std::string hex;
};

TEST(Sha256Test, KnownVectors) {
  const Vector kVectors[] = {
      // FIPS 180-4 examples (csrc.nist.gov, "SHA256.pdf").
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc",
       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const Vector& v : kVectors) {
    EXPECT_EQ(DigestHex(Sha256Of(v.message)), v.hex)
        << "message of " << v.message.size() << " bytes";
  }
}

TEST(Sha256Test, IncrementalEqualsOneShotAtEverySplit) {
  std::string message;
  for (int i = 0; i < 200; ++i) message.push_back(static_cast<char>(i * 7));
  for (size_t length : {55, 56, 63, 64, 65, 119, 120, 128, 200}) {
    const std::string m = message.substr(0, length);
    const Sha256Digest want = Sha256Of(m);
    for (size_t split = 0; split <= length; ++split) {
      Sha256 h;
      h.Update(absl::string_view(m).substr(0, split));
      h.Update(absl::string_view(m).substr(split));
      ASSERT_EQ(h.Finish(), want) << "length " << length << " split " << split;
    }
  }
}

TEST(Sha256Test, DigestHexTruncates) {
  EXPECT_EQ(DigestHex(Sha256Of("abc"), 4), "ba7816bf");
}

}  // namespace
}  // namespace mfr::agent::report
