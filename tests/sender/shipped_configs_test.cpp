// The configuration files in configs/ load as the programs load them: the demo, the bench and a first-time
// user start from these, and the other tests write their own.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/console_settings.hpp"
#include "sender_settings.hpp"

namespace surgilink::sender {
namespace {

const std::filesystem::path kConfigs = std::filesystem::path(SURGILINK_SOURCE_DIR) / "configs";

TEST(ShippedConfigs, SenderTomlLoadsWithItsDocumentedDefaults) {
  // It names the development certificates' access list, made by ./surgilink setup (tools/make-dev-certs.sh).
  ASSERT_TRUE(std::filesystem::exists(kConfigs / ".." / "var" / "certs" / "access.toml"))
      << "no development certificates: run ./surgilink setup";
  const auto s = load_sender_settings(kConfigs / "sender.toml", {});
  EXPECT_EQ(s.pipeline.profile.name, "1080p30");
  EXPECT_EQ(s.surgeon_controls.consent_key, 'k');
  EXPECT_EQ(s.surgeon_controls.stop_recording_key, 's');
  EXPECT_EQ(s.or_display.mentor_latency_red.count(), 300);
  ASSERT_TRUE(s.recording.folder.has_value());
  EXPECT_EQ(s.recording.folder->filename(), "recordings");
  EXPECT_EQ(s.recording.segment_length.count(), 60);
  EXPECT_EQ(s.recording.min_free_mb, 1024u);
  EXPECT_EQ(s.recording.warn_free_mb, 5120u);
  EXPECT_TRUE(s.recording.require_encrypted_volume);
}

// A hospital that starts from the shipped file with its camera must not get the timestamp strip burnt into
// the operative field (README: on for the synthetic scene only).
TEST(ShippedConfigs, SenderTomlDrawsThePixelCodeOnlyIntoTheSyntheticScene) {
  SenderOverrides camera;
  camera.source = "v4l2:/dev/video0";
  EXPECT_FALSE(load_sender_settings(kConfigs / "sender.toml", camera).pipeline.pixel_code);
  SenderOverrides clip;
  clip.source = "file:clip.mkv";
  EXPECT_FALSE(load_sender_settings(kConfigs / "sender.toml", clip).pipeline.pixel_code);
  SenderOverrides synthetic;
  synthetic.source = "synthetic";
  EXPECT_TRUE(load_sender_settings(kConfigs / "sender.toml", synthetic).pipeline.pixel_code);
}

TEST(ShippedConfigs, ConsoleTomlLoads) {
  const auto s = console::load_console_settings(kConfigs / "console.toml", {});
  EXPECT_EQ(s.site.name, "Dev OR 1");
  EXPECT_EQ(s.renderer, console::WindowRenderer::automatic);
}

}  // namespace
}  // namespace surgilink::sender
