// The [or_display] window settings (issue 13): on when asked, off when told, unset means "when there is a
// display"; the command line wins over the file; only sinks that keep the picture's shape are accepted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sender_config_file.hpp"
#include "sender_settings.hpp"
#include "surgilink/core/config.hpp"

namespace surgilink::sender {
namespace {

// A sender configuration whose [or_display] table holds `or_display`.
std::filesystem::path config_with(const std::string& or_display) {
  return testing::sender_config_file("or_window_settings", "[or_display]\n" + or_display);
}

TEST(OrWindowSettings, UnsetLeavesTheChoiceToTheDisplayAndTheCommandLineWins) {
  ASSERT_TRUE(std::filesystem::exists(testing::kDevCerts / "access.toml")) << "run ./surgilink setup";
  const auto unset = load_sender_settings(config_with(""), {});
  EXPECT_FALSE(unset.or_display.window.has_value());
  EXPECT_EQ(unset.or_display.video_sink, "ximagesink");

  const auto off = load_sender_settings(config_with("window = false\nvideo_sink = \"xvimagesink\"\n"), {});
  EXPECT_EQ(off.or_display.window, false);
  EXPECT_EQ(off.or_display.video_sink, "xvimagesink");

  SenderOverrides on;
  on.or_window = true;
  EXPECT_EQ(load_sender_settings(config_with("window = false\n"), on).or_display.window, true);
}

// Only sinks the OR window can keep the picture's shape with (ximagesink behind videoscale) are accepted.
TEST(OrWindowSettings, ASinkThatCannotKeepThePicturesShapeIsRefused) {
  EXPECT_EQ(load_sender_settings(config_with("video_sink = \"glimagesink\"\n"), {}).or_display.video_sink,
            "glimagesink");
  try {
    load_sender_settings(config_with("video_sink = \"autovideosink\"\n"), {});
    FAIL() << "autovideosink accepted";
  } catch (const core::ConfigError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("video_sink"));
  }
}

// [ui] language (issue 13): the OR display's words, checked like the console's; --language over it.
TEST(OrWindowSettings, LanguageIsJaEnOrSystemAndTheCommandLineWins) {
  const std::string ui = "[ui]\n";  // after the empty [or_display] table
  EXPECT_EQ(load_sender_settings(config_with(""), {}).language, "system");
  EXPECT_EQ(load_sender_settings(config_with(ui + "language = \"ja\"\n"), {}).language, "ja");
  SenderOverrides english;
  english.language = "en";
  EXPECT_EQ(load_sender_settings(config_with(ui + "language = \"ja\"\n"), english).language, "en");
  EXPECT_THROW(load_sender_settings(config_with(ui + "language = \"fr\"\n"), {}), core::ConfigError);
  SenderOverrides wrong;
  wrong.language = "japanese";
  EXPECT_THROW(load_sender_settings(config_with(""), wrong), core::ConfigError);
}

// [video] rate_buffer_ms (issue 15): the encoder's rate buffer, 200 ms unless set, within 34 ... 1000 ms.
TEST(OrWindowSettings, TheRateBufferIsTwoHundredMillisecondsUnlessSetWithinItsBounds) {
  EXPECT_EQ(load_sender_settings(config_with(""), {}).pipeline.rate_buffer, std::chrono::milliseconds{200});
  EXPECT_EQ(load_sender_settings(config_with("[video]\nrate_buffer_ms = 500\n"), {}).pipeline.rate_buffer,
            std::chrono::milliseconds{500});
  for (const char* bad : {"[video]\nrate_buffer_ms = 20\n", "[video]\nrate_buffer_ms = 5000\n"}) {
    try {
      load_sender_settings(config_with(bad), {});
      ADD_FAILURE() << bad << " accepted";
    } catch (const core::ConfigError& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr("rate_buffer_ms"));
    }
  }
}

}  // namespace
}  // namespace surgilink::sender
