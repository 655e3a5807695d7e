#include "surgilink/core/safe_text.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace surgilink::core {
namespace {

TEST(SafeText, PlainTextPassesUnchanged) {
  EXPECT_EQ(safe_text("Dr. Dev Mentor"), "Dr. Dev Mentor");
  EXPECT_EQ(safe_text("出血点"), "出血点");
}

// The sender once cut a peer's string at 32 bytes inside "é" and the JSON writer threw (issue 12).
TEST(SafeText, ACutNeverSplitsACharacter) {
  const std::string name = std::string(31, 'a') + "\xc3\xa9" + "bbbb";
  const std::string cut = safe_text(name, 32);
  EXPECT_LE(cut.size(), 32u);
  EXPECT_TRUE(is_valid_utf8(cut)) << cut;
  EXPECT_EQ(cut, std::string(29, 'a') + "\xE2\x80\xA6");
  EXPECT_NO_THROW(nlohmann::json(cut).dump());
}

TEST(SafeText, TextThatFitsIsNotCut) {
  EXPECT_EQ(safe_text(std::string(32, 'a'), 32), std::string(32, 'a'));
  EXPECT_EQ(safe_text("", 0), "");
}

TEST(SafeText, InvalidBytesBecomeReplacementCharacters) {
  const std::string out = safe_text("Dr. Jos\xe9 Mu\xf1oz");
  EXPECT_EQ(out, "Dr. Jos\xEF\xBF\xBD Mu\xEF\xBF\xBDoz");
  EXPECT_TRUE(is_valid_utf8(out));
  EXPECT_NO_THROW(nlohmann::json(out).dump());
}

TEST(SafeText, ControlCharactersAreEscapedSoALogLineCannotBeForged) {
  EXPECT_EQ(safe_text("ok\r\n2026-01-01 sender info forged\x1b[31m"),
            "ok\\x0d\\x0a2026-01-01 sender info forged\\x1b[31m");
  EXPECT_EQ(safe_text("\xc2\x85"), "\\x85");  // C1 NEL
}

TEST(SafeText, OverlongSurrogateAndOutOfRangeFormsAreInvalid) {
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));      // U+D800
  EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xe2\x82"));          // truncated
  EXPECT_TRUE(is_valid_utf8("\xf0\x9f\xa9\xba"));   // U+1FA7A
}

TEST(SafeText, AHugeInputIsBoundedWithoutReadingAllOfIt) {
  const std::string huge(10'000'000, 'x');
  const std::string out = safe_text(huge, 64);
  EXPECT_LE(out.size(), 64u);
  EXPECT_EQ(out.substr(0, 61), std::string(61, 'x'));
}

}  // namespace
}  // namespace surgilink::core
