// [video] intra_refresh (issue 15): off unless asked for, the command line over the file, and a value that is
// not a boolean refused with the key's place, as every setting is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "sender_config_file.hpp"
#include "sender_settings.hpp"
#include "surgilink/core/config.hpp"

namespace surgilink::sender {
namespace {

// A sender configuration whose [video] table holds `video`.
std::filesystem::path config_with(const std::string& video) {
  return testing::sender_config_file("video_refresh_settings", "[video]\n" + video);
}

TEST(VideoRefreshSettings, PeriodicKeyframesUnlessIntraRefreshIsAskedForAndTheCommandLineWins) {
  ASSERT_TRUE(std::filesystem::exists(testing::kDevCerts / "access.toml")) << "run ./surgilink setup";
  EXPECT_FALSE(load_sender_settings(config_with(""), {}).pipeline.intra_refresh);
  const auto on = load_sender_settings(config_with("intra_refresh = true\nkeyframe_interval_s = 1\n"), {});
  EXPECT_TRUE(on.pipeline.intra_refresh);
  EXPECT_EQ(on.pipeline.keyframe_interval, std::chrono::seconds{1});  // the wave's length
  SenderOverrides off;
  off.intra_refresh = false;
  EXPECT_FALSE(load_sender_settings(config_with("intra_refresh = true\n"), off).pipeline.intra_refresh);
}

TEST(VideoRefreshSettings, AValueThatIsNotABooleanIsRefused) {
  try {
    load_sender_settings(config_with("intra_refresh = \"yes\"\n"), {});
    FAIL() << "intra_refresh = \"yes\" accepted";
  } catch (const core::ConfigError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("intra_refresh"));
  }
}

}  // namespace
}  // namespace surgilink::sender
