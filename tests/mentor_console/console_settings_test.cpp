// configs/console.toml as the program reads it: the window renderer choice, the language, HUD thresholds and
// sites.
#include "core/console_settings.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include "surgilink/core/config.hpp"
#include "test_pki.hpp"

namespace surgilink::console {
namespace {

// A config using the development mentor's identity; `extra` goes after [tls], `site_extra` into the site.
std::filesystem::path write_config(const std::string& name, const std::string& extra,
                                   const std::string& site_extra = {}) {
  const auto certs = testing::dev_certificate_dir();
  const auto path = std::filesystem::temp_directory_path() / ("surgilink-console-settings-" + name + ".toml");
  std::ofstream(path) << "[tls]\nca = \"" << (certs / "ca.pem").string() << "\"\ncertificate = \""
                      << (certs / "mentor.pem").string() << "\"\nprivate_key = \""
                      << (certs / "mentor.key").string() << "\"\n"
                      << extra << "\n[[site]]\nname = \"OR 2\"\nhost = \"10.0.0.5\"\n"
                      << site_extra << "\n";
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

TEST(ConsoleSettings, TheLanguageIsTheSystemsUnlessConfiguredAndTheCommandLineWins) {
  EXPECT_EQ(load_console_settings(write_config("language-default", ""), {}).language, "system");
  const auto ja = write_config("language-ja", "[ui]\nlanguage = \"ja\"");
  EXPECT_EQ(load_console_settings(ja, {}).language, "ja");
  ConsoleOverrides english;
  english.language = "en";
  EXPECT_EQ(load_console_settings(ja, english).language, "en");
}

TEST(ConsoleSettings, TheReviewLibraryIsBesideTheConfigUnlessConfiguredAndMustBeAFolder) {
  const auto file = write_config("review-default", "");
  EXPECT_EQ(load_console_settings(file, {}).review_library, file.parent_path() / "../var/recordings");
  const auto elsewhere = write_config("review-elsewhere", "[review]\nlibrary = \"/srv/recordings\"");
  EXPECT_EQ(load_console_settings(elsewhere, {}).review_library, "/srv/recordings");
  // A file where the folder should be is a mistake worth stopping for; a folder not made yet lists nothing.
  const auto not_a_folder = write_config("review-file", "[review]\nlibrary = \"" + file.string() + "\"");
  EXPECT_NE(config_error(not_a_folder).find("review.library"), std::string::npos)
      << config_error(not_a_folder);
}

TEST(ConsoleSettings, AnUnknownLanguageIsAConfigurationErrorNamingTheChoices) {
  const auto error = config_error(write_config("language-de", "[ui]\nlanguage = \"de\""));
  EXPECT_NE(error.find("ui.language"), std::string::npos) << error;
  EXPECT_NE(error.find("ja, en, system"), std::string::npos) << error;
  ConsoleOverrides french;
  french.language = "fr";
  EXPECT_NE(config_error(write_config("language-cli", ""), french).find("--language: 'fr'"),
            std::string::npos);
}

// The frame playout's budget: held at most 100 ms unless configured; 0 turns it off; beyond 500 ms the
// picture would be too late to guide by, and the key is named.
TEST(ConsoleSettings, ThePlayoutHoldHasABudgetThatIsCheckedByKey) {
  EXPECT_EQ(load_console_settings(write_config("hold-default", ""), {}).session.playout_hold_max,
            std::chrono::milliseconds{100});
  const auto with_hold = [](const std::string& name, const std::string& value) {
    const auto file = write_config(name, "");
    std::string text;
    {
      std::ifstream in(file);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(file) << "playout_hold_max_ms = " << value << "\n" << text;
    return file;
  };
  EXPECT_EQ(load_console_settings(with_hold("hold-off", "0"), {}).session.playout_hold_max,
            std::chrono::milliseconds{0});
  const auto error = config_error(with_hold("hold-long", "600"));
  EXPECT_NE(error.find("playout_hold_max_ms"), std::string::npos) << error;
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

TEST(ConsoleSettings, TheChosenSitesFingerprintIsPinnedForItsSession) {
  const std::string fingerprint = "sha256:" + std::string(64, 'b');
  const auto s = load_console_settings(write_config("pin", "", "fingerprint = \"" + fingerprint + "\""), {});
  EXPECT_EQ(s.site.fingerprint, fingerprint);
  EXPECT_EQ(s.session.tls.pinned_peer, fingerprint);
  ConsoleOverrides elsewhere;
  elsewhere.host = "10.0.0.9";  // not the pinned site: no pin
  EXPECT_EQ(load_console_settings(write_config("pin", "", "fingerprint = \"" + fingerprint + "\""), elsewhere)
                .session.tls.pinned_peer,
            "");
  EXPECT_EQ(load_console_settings(write_config("no-pin", ""), {}).session.tls.pinned_peer, "");
}

TEST(ConsoleSettings, AFingerprintNotWrittenAsSha256HexIsRefusedByKey) {
  const auto message = config_error(write_config("bad-pin", "", "fingerprint = \"SHA256:AB:CD\""));
  EXPECT_NE(message.find("key 'site[0].fingerprint': expected \"sha256:\" and 64 lowercase hex digits"),
            std::string::npos)
      << message;
}

TEST(ConsoleSettings, TheTlsFilesAreCheckedAtLoadNamingTheKeyOrTheOption) {
  EXPECT_NE(config_error(write_config("crl", "crl = \"no-such-crl.pem\"")).find("key 'tls.crl': CRL file"),
            std::string::npos);
  ConsoleOverrides other;
  other.private_key = "/nonexistent/observer.key";
  EXPECT_NE(config_error(write_config("key", ""), other).find("--private-key: private key file"),
            std::string::npos);
}

}  // namespace
}  // namespace surgilink::console
