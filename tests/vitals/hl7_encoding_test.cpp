#include "surgilink/vitals/hl7_encoding.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace surgilink::vitals {
namespace {

using ::testing::HasSubstr;

std::string refusal_of(std::string_view message) {
  auto e = Hl7Encoding::from_message(message);
  EXPECT_FALSE(e.has_value()) << message;
  return e ? std::string() : e.error().reason;
}

TEST(Hl7Encoding, ReadsTheDelimitersFromMsh1AndMsh2) {
  auto e = Hl7Encoding::from_message("MSH|^~\\&|APP|FAC");
  ASSERT_TRUE(e);
  EXPECT_EQ(e.value(), Hl7Encoding{});
  auto custom = Hl7Encoding::from_message("MSH#!$*%#APP");
  ASSERT_TRUE(custom);
  EXPECT_EQ(custom.value().field, '#');
  EXPECT_EQ(custom.value().component, '!');
  EXPECT_EQ(custom.value().repetition, '$');
  EXPECT_EQ(custom.value().escape_char, '*');
  EXPECT_EQ(custom.value().subcomponent, '%');
  auto v27 = Hl7Encoding::from_message("MSH|^~\\&#|APP");
  ASSERT_TRUE(v27);
  EXPECT_EQ(v27.value().truncation, '#');
  EXPECT_EQ(v27.value().encoding_characters(), "^~\\&#");
}

TEST(Hl7Encoding, RefusesBrokenDelimitersNamingTheField) {
  EXPECT_THAT(refusal_of("PID|||123"), HasSubstr("does not start with an MSH segment"));
  EXPECT_THAT(refusal_of("MSH"), HasSubstr("MSH-1 field separator is missing"));
  EXPECT_THAT(refusal_of("MSHA^~\\&A"), HasSubstr("MSH-1"));
  EXPECT_THAT(refusal_of("MSH|^~|APP"), HasSubstr("MSH-2 encoding characters '^~' must be 4"));
  EXPECT_THAT(refusal_of("MSH|^~^&|APP"),
              HasSubstr("MSH-2 encoding characters '^~^&' repeat the delimiter '^'"));
  EXPECT_THAT(refusal_of("MSH|^~|&|APP"), HasSubstr("MSH-2"));
  EXPECT_THAT(refusal_of("MSH|^~a&|APP"), HasSubstr("letter, digit, space"));
}

TEST(Hl7Encoding, UnescapesTheStandardSequences) {
  const Hl7Encoding e;
  EXPECT_EQ(e.unescape("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f"), "a|b^c&d~e\\f");
  EXPECT_EQ(e.unescape("line\\.br\\next"), "line\nnext");
  EXPECT_EQ(e.unescape("\\X41420D\\"), "AB\r");
  EXPECT_EQ(e.unescape("\\H\\bold\\N\\"), "bold");
  EXPECT_EQ(e.unescape("keep \\Q\\ unknown"), "keep \\Q\\ unknown");
  EXPECT_EQ(e.unescape("unterminated \\F"), "unterminated \\F");
  EXPECT_EQ(e.unescape("\\XZZ\\"), "\\XZZ\\");
  EXPECT_EQ(e.unescape(""), "");
}

TEST(Hl7Encoding, EscapeRoundTrips) {
  const Hl7Encoding e;
  const std::string nasty = "a|b^c&d~e\\f\r\ng";
  EXPECT_EQ(e.escape(nasty), "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\\\X0A\\g");
  EXPECT_EQ(e.unescape(e.escape(nasty)), nasty);
  Hl7Encoding custom;
  custom.escape_char = '*';
  custom.component = '!';
  EXPECT_EQ(custom.unescape("x*S*y*E*z"), "x!y*z");
}

}  // namespace
}  // namespace surgilink::vitals
