// configs/console.toml as the program reads it: the window renderer choice, HUD thresholds and sites.
#include "core/console_settings.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "surgilink/core/config.hpp"

namespace surgilink::console {
namespace {

std::filesystem::path write_config(const std::string& name, const std::string& extra) {
  const auto path = std::filesystem::temp_directory_path() / ("surgilink-console-settings-" + name + ".toml");
  std::ofstream(path) << "[tls]\nca = \"ca.pem\"\ncertificate = \"m.pem\"\nprivate_key = \"m.key\"\n"
                      << extra << "\n[[site]]\nname = \"OR 2\"\nhost = \"10.0.0.5\"\n";
  return path;
}

std::string config_error(const std::filesystem::path& file, const ConsoleOverrides& overrides = {}) {
  try {
    load_console_settings(file, overrides);
  } catch (const core::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConsoleSettings, WindowRendererDefaultsToAutomaticAndTakesEachChoice) {
  EXPECT_EQ(load_console_settings(write_config("default", ""), {}).renderer, WindowRenderer::automatic);
  EXPECT_EQ(load_console_settings(write_config("gpu", "[window]\nrenderer = \"gpu\""), {}).renderer,
            WindowRenderer::gpu);
  EXPECT_EQ(load_console_settings(write_config("software", "[window]\nrenderer = \"software\""), {}).renderer,
            WindowRenderer::software);
}

TEST(ConsoleSettings, AnUnknownRendererOrKeyIsRefusedByName) {
  EXPECT_NE(config_error(write_config("vulkan", "[window]\nrenderer = \"vulkan\"")).find("renderer"),
            std::string::npos);
  EXPECT_NE(config_error(write_config("typo", "[window]\nrender = \"gpu\"")).find("render"),
            std::string::npos);
}

TEST(ConsoleSettings, AmberBelowGreenIsRefused) {
  EXPECT_NE(config_error(write_config("hud", "[hud]\ngreen_ms = 200\namber_ms = 100")).find("amber_ms"),
            std::string::npos);
}

TEST(ConsoleSettings, ASiteIsChosenByNameAndAnUnknownOneIsRefused) {
  ConsoleOverrides pick;
  pick.connect = "OR 2";
  const auto s = load_console_settings(write_config("site", ""), pick);
  EXPECT_EQ(s.site.host, "10.0.0.5");
  EXPECT_EQ(s.session.control_port, 7400);
  pick.connect = "OR 9";
  EXPECT_NE(config_error(write_config("site", ""), pick).find("OR 9"), std::string::npos);
}

}  // namespace
}  // namespace surgilink::console
