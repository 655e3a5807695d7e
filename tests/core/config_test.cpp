#include "surgilink/core/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace surgilink::core {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kNoError[] = "<no ConfigError thrown>";

// Runs `fn` and returns the message of the ConfigError it throws, or kNoError.
std::string config_error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return kNoError;
}

ConfigTable parse(std::string_view text) { return ConfigTable::parse(text, "test.toml"); }

TEST(ConfigTable, TypedGettersReturnFileValues) {
  ConfigTable t = parse(
      "name = \"alpha\"\n"
      "port = 5004\n"
      "ratio = 0.25\n"
      "whole = 2\n"
      "enabled = true\n"
      "delay_ms = 40\n");
  EXPECT_EQ(t.get_string("name", "fallback"), "alpha");
  EXPECT_EQ(t.get_int("port", 1, 1, 65535), 5004);
  EXPECT_DOUBLE_EQ(t.get_double("ratio", 1.0, 0.0, 1.0), 0.25);
  EXPECT_DOUBLE_EQ(t.get_double("whole", 0.0, 0.0, 10.0), 2.0);  // an integer is accepted for a number
  EXPECT_TRUE(t.get_bool("enabled", false));
  EXPECT_EQ(t.get_ms("delay_ms", milliseconds{5}, milliseconds{0}, milliseconds{1000}), milliseconds{40});
  EXPECT_EQ(t.file_name(), "test.toml");
  EXPECT_NO_THROW(t.finish());
}

TEST(ConfigTable, AbsentKeysYieldFallbacks) {
  ConfigTable t = parse("present = 1\n");
  EXPECT_FALSE(t.has("absent"));
  EXPECT_TRUE(t.has("present"));
  EXPECT_EQ(t.get_string("absent", "fallback"), "fallback");
  EXPECT_EQ(t.get_int("absent", 7, 0, 10), 7);
  EXPECT_DOUBLE_EQ(t.get_double("absent", 0.5, 0.0, 1.0), 0.5);
  EXPECT_FALSE(t.get_bool("absent", false));
  EXPECT_TRUE(t.get_bool("absent", true));
  EXPECT_EQ(t.get_ms("absent_ms", milliseconds{33}, milliseconds{0}, milliseconds{100}), milliseconds{33});
  EXPECT_EQ(t.get_choice("absent", "low", {"low", "high"}), "low");
  EXPECT_EQ(t.get_int("present", 0, 0, 10), 1);
  EXPECT_NO_THROW(t.finish());
}

TEST(ConfigTable, IntegerAboveMaximumNamesValueAndRange) {
  ConfigTable t = parse("# ports\nport = 70000\n");
  const std::string message = config_error_of([&] { t.get_int("port", 5004, 1, 65535); });
  EXPECT_EQ(message, "test.toml:2: key 'port': value 70000 is outside 1..65535");
}

TEST(ConfigTable, IntegerBelowMinimumIsRejected) {
  ConfigTable t = parse("port = 0\n");
  const std::string message = config_error_of([&] { t.get_int("port", 5004, 1, 65535); });
  EXPECT_THAT(message, StartsWith("test.toml:1: key 'port': "));
  EXPECT_THAT(message, HasSubstr("0 is outside 1..65535"));
}

TEST(ConfigTable, IntegerAtBoundsIsAccepted) {
  ConfigTable t = parse("low = 1\nhigh = 65535\n");
  EXPECT_EQ(t.get_int("low", 0, 1, 65535), 1);
  EXPECT_EQ(t.get_int("high", 0, 1, 65535), 65535);
}

TEST(ConfigTable, DurationOutOfRangeIsRejected) {
  ConfigTable t = parse("latency_ms = 5000\n");
  const std::string message =
      config_error_of([&] { t.get_ms("latency_ms", milliseconds{40}, milliseconds{0}, milliseconds{1000}); });
  EXPECT_THAT(message, StartsWith("test.toml:1: key 'latency_ms': "));
  EXPECT_THAT(message, HasSubstr("5000 is outside 0..1000"));
}

TEST(ConfigTable, DoubleOutOfRangeAndNonFiniteAreRejected) {
  ConfigTable t = parse("ratio = 1.5\nweird = nan\nendless = inf\n");
  EXPECT_THAT(config_error_of([&] { t.get_double("ratio", 0.5, 0.0, 1.0); }),
              StartsWith("test.toml:1: key 'ratio': "));
  EXPECT_THAT(config_error_of([&] { t.get_double("weird", 0.5, 0.0, 1.0); }),
              StartsWith("test.toml:2: key 'weird': "));
  EXPECT_THAT(config_error_of([&] { t.get_double("endless", 0.5, 0.0, 1e300); }),
              StartsWith("test.toml:3: key 'endless': "));
}

TEST(ConfigTable, WrongTypeNamesFileLineAndDottedKey) {
  ConfigTable t = parse(
      "# a comment\n"
      "[a]\n"
      "b = \"not a number\"\n");
  ConfigTable a = t.table("a");
  const std::string message = config_error_of([&] { a.get_int("b", 0, 0, 10); });
  EXPECT_THAT(message, StartsWith("test.toml:3: key 'a.b': "));
  EXPECT_THAT(message, HasSubstr("expected an integer, found a string"));
}

TEST(ConfigTable, WrongTypeInDeeplyNestedTableUsesFullDottedPath) {
  ConfigTable t = parse(
      "[video]\n"
      "width = 1920\n"
      "\n"
      "[video.encoder]\n"
      "bitrate_kbps = 8000\n"
      "keyframes = \"often\"\n");
  ConfigTable video = t.table("video");
  EXPECT_EQ(video.get_int("width", 0, 1, 8192), 1920);
  ConfigTable encoder = video.table("encoder");
  EXPECT_EQ(encoder.get_int("bitrate_kbps", 0, 1, 100000), 8000);
  const std::string message = config_error_of([&] { encoder.get_bool("keyframes", false); });
  EXPECT_THAT(message, StartsWith("test.toml:6: key 'video.encoder.keyframes': "));
  EXPECT_THAT(message, HasSubstr("expected true or false, found a string"));
  EXPECT_EQ(encoder.where("bitrate_kbps"), "test.toml:5: key 'video.encoder.bitrate_kbps': ");
}

TEST(ConfigTable, WrongTypeMessagesNameBothTypes) {
  ConfigTable t = parse("s = 5\nd = \"x\"\nb = 1\ntbl = 3\n");
  EXPECT_THAT(config_error_of([&] { t.get_string("s", ""); }),
              ::testing::AllOf(StartsWith("test.toml:1: key 's': "),
                               HasSubstr("expected a string, found an integer")));
  EXPECT_THAT(
      config_error_of([&] { t.get_double("d", 0, 0, 1); }),
      ::testing::AllOf(StartsWith("test.toml:2: key 'd': "), HasSubstr("expected a number, found a string")));
  EXPECT_THAT(config_error_of([&] { t.get_bool("b", false); }),
              ::testing::AllOf(StartsWith("test.toml:3: key 'b': "),
                               HasSubstr("expected true or false, found an integer")));
  EXPECT_THAT(config_error_of([&] { t.table("tbl"); }),
              ::testing::AllOf(StartsWith("test.toml:4: key 'tbl': "), HasSubstr("expected a table")));
}

TEST(ConfigTable, FloatIsNotAcceptedForInteger) {
  ConfigTable t = parse("count = 2.5\n");
  EXPECT_THAT(config_error_of([&] { t.get_int("count", 0, 0, 10); }),
              ::testing::AllOf(StartsWith("test.toml:1: key 'count': "),
                               HasSubstr("expected an integer, found a number")));
}

TEST(ConfigTable, UnknownKeyMakesFinishThrowNamingKeyAndLine) {
  ConfigTable t = parse(
      "name = \"x\"\n"
      "nmae = \"y\"\n");
  EXPECT_EQ(t.get_string("name", ""), "x");
  const std::string message = config_error_of([&] { t.finish(); });
  EXPECT_THAT(message, StartsWith("test.toml:2: key 'nmae': "));
  EXPECT_THAT(message, HasSubstr("unknown setting"));
}

TEST(ConfigTable, KeyReadWithFallbackCountsAsKnownEvenWhenAbsent) {
  ConfigTable t = parse("a = 1\n");
  EXPECT_EQ(t.get_int("a", 0, 0, 5), 1);
  EXPECT_EQ(t.get_int("b", 3, 0, 5), 3);
  EXPECT_NO_THROW(t.finish());
}

TEST(ConfigTable, UnknownKeyInNestedTableIsDetected) {
  ConfigTable t = parse(
      "[video]\n"
      "width = 1280\n"
      "hieght = 720\n");
  ConfigTable video = t.table("video");
  EXPECT_EQ(video.get_int("width", 0, 1, 8192), 1280);
  const std::string message = config_error_of([&] { t.finish(); });
  EXPECT_THAT(message, StartsWith("test.toml:3: key 'video.hieght': "));
  EXPECT_THAT(message, HasSubstr("unknown setting"));
}

TEST(ConfigTable, UnreadTableIsAnUnknownKey) {
  ConfigTable t = parse(
      "name = \"x\"\n"
      "\n"
      "[audoi]\n"
      "gain = 1\n");
  EXPECT_EQ(t.get_string("name", ""), "x");
  EXPECT_THAT(config_error_of([&] { t.finish(); }), StartsWith("test.toml:3: key 'audoi': "));
}

TEST(ConfigTable, UnknownKeyInArrayOfTablesIsDetectedWithIndex) {
  ConfigTable t = parse(
      "[[person]]\n"
      "name = \"a\"\n"
      "\n"
      "[[person]]\n"
      "name = \"b\"\n"
      "colour = \"red\"\n");
  std::vector<ConfigTable> people = t.tables("person");
  ASSERT_EQ(people.size(), 2u);
  EXPECT_EQ(people[0].get_string("name", ""), "a");
  EXPECT_EQ(people[1].get_string("name", ""), "b");
  const std::string message = config_error_of([&] { t.finish(); });
  EXPECT_THAT(message, StartsWith("test.toml:6: key 'person[1].colour': "));
  EXPECT_THAT(message, HasSubstr("unknown setting"));
}

TEST(ConfigTable, ArrayOfTablesReadCompletelyFinishesCleanly) {
  ConfigTable t = parse("[[stream]]\nid = 1\n[[stream]]\nid = 2\n[[stream]]\nid = 3\n");
  std::vector<ConfigTable> streams = t.tables("stream");
  ASSERT_EQ(streams.size(), 3u);
  for (std::size_t i = 0; i < streams.size(); ++i) {
    EXPECT_EQ(streams[i].get_int("id", 0, 0, 10), static_cast<std::int64_t>(i + 1));
  }
  EXPECT_TRUE(t.tables("absent").empty());
  EXPECT_NO_THROW(t.finish());
}

TEST(ConfigTable, ArrayOfTablesExpectedButScalarFound) {
  ConfigTable t = parse("person = 3\n");
  EXPECT_THAT(config_error_of([&] { t.tables("person"); }), StartsWith("test.toml:1: key 'person': "));
}

TEST(ConfigTable, ArrayOfStrings) {
  ConfigTable t =
      parse("[hl7]\nallow = [\"10.1.2.3\", \"10.1.2.0/24\"]\nnone = []\nbad = [\"a\", 2]\nscalar = \"a\"\n");
  auto hl7 = t.table("hl7");
  EXPECT_EQ(hl7.get_strings("allow"), (std::vector<std::string>{"10.1.2.3", "10.1.2.0/24"}));
  EXPECT_TRUE(hl7.get_strings("none").empty());
  EXPECT_TRUE(hl7.get_strings("absent").empty());
  EXPECT_THAT(config_error_of([&] { hl7.get_strings("bad"); }),
              StartsWith("test.toml:4: key 'hl7.bad': every element must be a string, found an integer"));
  EXPECT_THAT(config_error_of([&] { hl7.get_strings("scalar"); }),
              HasSubstr("key 'hl7.scalar': expected an array of strings, found a string"));
  EXPECT_NO_THROW(t.finish());
}

TEST(ConfigTable, RequireStringReturnsPresentValue) {
  ConfigTable t = parse("host = \"surgery-1.local\"\n");
  EXPECT_EQ(t.require_string("host"), "surgery-1.local");
  EXPECT_NO_THROW(t.finish());
}

TEST(ConfigTable, RequireStringMissingNamesTableLineAndKey) {
  ConfigTable t = parse(
      "name = \"x\"\n"
      "\n"
      "[server]\n"
      "port = 1\n");
  ConfigTable server = t.table("server");
  const std::string message = config_error_of([&] { server.require_string("host"); });
  EXPECT_THAT(message, StartsWith("test.toml:3: key 'server.host': "));
  EXPECT_THAT(message, HasSubstr("required"));
}

TEST(ConfigTable, RequireStringInAbsentTableNamesARealLine) {
  // The [server] table is missing altogether: the message must still name the dotted key, and must not
  // point at a line that does not exist (lines are numbered from 1).
  ConfigTable t = parse("name = \"x\"\n");
  ConfigTable server = t.table("server");
  const std::string message = config_error_of([&] { server.require_string("host"); });
  EXPECT_THAT(message, StartsWith("test.toml:"));
  EXPECT_THAT(message, HasSubstr(": key 'server.host': is required but missing"));
  EXPECT_THAT(message, ::testing::Not(StartsWith("test.toml:0:")));
}

TEST(ConfigTable, GetChoiceAcceptsAllowedValue) {
  ConfigTable t = parse("mode = \"high\"\n");
  EXPECT_EQ(t.get_choice("mode", "low", {"low", "high"}), "high");
}

TEST(ConfigTable, GetChoiceRejectsValueOutsideTheList) {
  ConfigTable t = parse("\nmode = \"fast\"\n");
  const std::string message = config_error_of([&] { t.get_choice("mode", "low", {"low", "high"}); });
  EXPECT_THAT(message, StartsWith("test.toml:2: key 'mode': "));
  EXPECT_THAT(message, HasSubstr("'fast'"));
  EXPECT_THAT(message, HasSubstr("low, high"));
}

TEST(ConfigTable, SyntaxErrorNamesTheLine) {
  const std::string missing_value = config_error_of([] { parse("a = 1\nb = 2\nc =\n"); });
  EXPECT_THAT(missing_value, StartsWith("test.toml:3: "));
  const std::string open_header = config_error_of([] { parse("a = 1\n\n\n[section\nb = 2\n"); });
  EXPECT_THAT(open_header, StartsWith("test.toml:4: "));
  const std::string duplicate = config_error_of([] { parse("a = 1\nb = 2\na = 3\n"); });
  EXPECT_THAT(duplicate, StartsWith("test.toml:3: "));
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("surgilink_config_test_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, LoadMissingFileThrowsNamingThePath) {
  const std::filesystem::path missing = dir_ / "no_such_config.toml";
  const std::string message = config_error_of([&] { ConfigTable::load(missing); });
  EXPECT_THAT(message, StartsWith(missing.string() + ":"));
}

TEST_F(ConfigFileTest, LoadReadsFileAndNamesItInMessages) {
  const std::filesystem::path file = dir_ / "sender.toml";
  {
    std::ofstream out(file);
    out << "# sender settings\nport = 5004\nbogus = true\n";
  }
  ConfigTable t = ConfigTable::load(file);
  EXPECT_EQ(t.file_name(), file.string());
  EXPECT_EQ(t.get_int("port", 0, 1, 65535), 5004);
  EXPECT_THAT(config_error_of([&] { t.finish(); }), StartsWith(file.string() + ":3: key 'bogus': "));
}

TEST_F(ConfigFileTest, LoadOfInvalidTomlNamesFileAndLine) {
  const std::filesystem::path file = dir_ / "broken.toml";
  {
    std::ofstream out(file);
    out << "a = 1\nb = \"unterminated\n";
  }
  EXPECT_THAT(config_error_of([&] { ConfigTable::load(file); }), StartsWith(file.string() + ":2: "));
}

}  // namespace
}  // namespace surgilink::core
