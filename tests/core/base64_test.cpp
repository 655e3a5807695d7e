#include "surgilink/core/base64.hpp"

#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace surgilink::core {
namespace {

std::string of(std::string_view text) {
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  return base64(bytes);
}

// RFC 4648 §10's test vectors.
TEST(Base64, MatchesTheRfcTestVectors) {
  EXPECT_EQ(of(""), "");
  EXPECT_EQ(of("f"), "Zg==");
  EXPECT_EQ(of("fo"), "Zm8=");
  EXPECT_EQ(of("foo"), "Zm9v");
  EXPECT_EQ(of("foob"), "Zm9vYg==");
  EXPECT_EQ(of("fooba"), "Zm9vYmE=");
  EXPECT_EQ(of("foobar"), "Zm9vYmFy");
}

TEST(Base64, UsesTheWholeAlphabetForHighBytes) {
  const std::vector<std::uint8_t> bytes{0xFB, 0xFF, 0xBF};
  EXPECT_EQ(base64(bytes), "+/+/");
}

}  // namespace
}  // namespace surgilink::core
