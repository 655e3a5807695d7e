#include "console_settings.hpp"

#include <algorithm>

#include "surgilink/core/config.hpp"
#include "surgilink/session/config_sections.hpp"

namespace surgilink::console {

namespace {
// The catalogues the console ships (i18n/surgilink_<lang>.ts), and the system locale's choice.
const std::vector<std::string> kLanguages = {"ja", "en", "system"};
}  // namespace

ConsoleSettings load_console_settings(const std::filesystem::path& file, const ConsoleOverrides& overrides) {
  auto root = core::ConfigTable::load(file);
  ConsoleSettings s;
  s.log_level = root.get_choice("log_level", "info", {"trace", "debug", "info", "warn", "error"});
  s.session.jitter_latency = root.get_ms("jitter_latency_ms", std::chrono::milliseconds{20},
                                         std::chrono::milliseconds{0}, std::chrono::milliseconds{2000});
  s.session.playout_hold_max = root.get_ms("playout_hold_max_ms", std::chrono::milliseconds{100},
                                           std::chrono::milliseconds{0}, std::chrono::milliseconds{500});
  s.session.read_pixel_code = root.get_bool("read_pixel_code", true);
  s.session.vitals_sync_max = root.get_ms("vitals_sync_max_ms", std::chrono::milliseconds{250},
                                          std::chrono::milliseconds{0}, std::chrono::milliseconds{2000});
  auto tls = root.table("tls");
  s.session.tls = session::load_tls_files(tls);
  auto hud = root.table("hud");
  s.thresholds.green = hud.get_ms("green_ms", std::chrono::milliseconds{150}, std::chrono::milliseconds{1},
                                  std::chrono::milliseconds{10000});
  s.thresholds.amber = hud.get_ms("amber_ms", std::chrono::milliseconds{300}, s.thresholds.green,
                                  std::chrono::milliseconds{10000});
  auto window = root.table("window");
  const auto renderer = window.get_choice("renderer", "auto", {"auto", "gpu", "software"});
  s.renderer = renderer == "gpu"        ? WindowRenderer::gpu
               : renderer == "software" ? WindowRenderer::software
                                        : WindowRenderer::automatic;
  auto ui = root.table("ui");
  s.language = ui.get_choice("language", "system", kLanguages);
  auto review = root.table("review");
  s.review_library = session::config_path(review, review.get_string("library", "../var/recordings"));
  if (std::error_code ec;
      std::filesystem::exists(s.review_library, ec) && !std::filesystem::is_directory(s.review_library, ec))
    throw core::ConfigError(review.where("library") + "'" + s.review_library.string() + "' is not a folder");
  auto audio = root.table("audio");
  auto& v = s.session.voice;
  const auto endpoints = session::load_audio_endpoints(audio, overrides.audio_in, overrides.audio_out);
  v.input = endpoints.input;
  v.output = endpoints.output;
  v.lip_sync = audio.get_choice("playout", "lip-sync", {"lip-sync", "lowest-latency"}) == "lip-sync";
  v.start_muted = audio.get_bool("start_muted", false);
  v.echo_cancel = audio.get_bool("echo_cancel", true);
  v.jitter_latency = audio.get_ms("jitter_ms", std::chrono::milliseconds{10}, std::chrono::milliseconds{5},
                                  std::chrono::milliseconds{200});
  v.find_markers = overrides.audio_markers;
  for (auto& site : root.tables("site")) {
    SiteEntry e;
    e.name = site.require_string("name");
    e.host = site.require_string("host");
    e.control_port = static_cast<std::uint16_t>(site.get_int("control_port", 7400, 1, 65535));
    e.fingerprint = session::load_fingerprint(site, "fingerprint");
    s.sites.push_back(e);
  }
  root.finish();
  SiteEntry site;
  if (overrides.connect) {
    bool found = false;
    for (const auto& e : s.sites) {
      if (e.name == *overrides.connect) {
        site = e;
        found = true;
      }
    }
    if (!found) throw core::ConfigError(file.string() + ": no [[site]] named '" + *overrides.connect + "'");
  } else if (!s.sites.empty()) {
    site = s.sites.front();
  } else if (!overrides.host) {
    throw core::ConfigError(file.string() + ": no [[site]] configured and no --host given");
  }
  if (overrides.host) site = {*overrides.host, *overrides.host, 7400, {}};
  if (overrides.control_port) site.control_port = static_cast<std::uint16_t>(*overrides.control_port);
  if (overrides.certificate) s.session.tls.certificate = *overrides.certificate;
  if (overrides.private_key) s.session.tls.private_key = *overrides.private_key;
  session::require_usable_tls_files(
      tls, s.session.tls,
      {overrides.certificate ? "--certificate" : "", overrides.private_key ? "--private-key" : ""});
  if (overrides.language) {
    if (std::find(kLanguages.begin(), kLanguages.end(), *overrides.language) == kLanguages.end())
      throw core::ConfigError("--language: '" + *overrides.language + "' is not one of: ja, en, system");
    s.language = *overrides.language;
  }
  if (overrides.protocol_version)
    s.session.protocol_version = static_cast<std::uint32_t>(*overrides.protocol_version);
  select_site(s, site);
  return s;
}

void select_site(ConsoleSettings& settings, const SiteEntry& site) {
  settings.site = site;
  settings.session.sender_host = site.host;
  settings.session.site_name = site.name;
  settings.session.control_port = site.control_port;
  settings.session.tls.pinned_peer = site.fingerprint;
}

}  // namespace surgilink::console
