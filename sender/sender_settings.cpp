#include "sender_settings.hpp"

#include <algorithm>
#include <set>

#include <cstdlib>
#include <random>

#include <boost/asio/ip/address.hpp>

#include "surgilink/core/config.hpp"
#include "surgilink/session/config_sections.hpp"

namespace surgilink::sender {

namespace {

void load_vitals(core::ConfigTable vitals_table, const SenderOverrides& overrides, VitalsFeedSettings& v) {
  const auto where_source = vitals_table.where("source");
  const std::string source = overrides.vitals.value_or(vitals_table.get_string("source", "simulator"));
  auto hl7 = vitals_table.table("hl7");
  // --bind applies to every listener of the program, the MLLP port included.
  v.mllp.bind_address = overrides.bind_address.value_or(hl7.get_string("bind_address", "0.0.0.0"));
  boost::system::error_code bad_address;
  boost::asio::ip::make_address(v.mllp.bind_address, bad_address);
  if (bad_address) {
    throw core::ConfigError(hl7.where("bind_address") + "'" + v.mllp.bind_address + "' is not an IP address");
  }
  v.mllp.port = static_cast<std::uint16_t>(hl7.get_int("port", 2575, 0, 65535));
  try {
    v.mllp.allow = vitals::GatewayAllowList(hl7.get_strings("allow"));
  } catch (const std::invalid_argument& e) {
    throw core::ConfigError(hl7.where("allow") + e.what());
  }
  v.mllp.sending_application = hl7.get_string("sending_application", "");
  v.mllp.sending_facility = hl7.get_string("sending_facility", "");
  v.mllp.max_clients = static_cast<std::size_t>(hl7.get_int("max_clients", 64, 1, 1024));
  v.mllp.max_clients_per_address =
      static_cast<std::size_t>(hl7.get_int("max_clients_per_address", 16, 1, 1024));
  v.mllp.idle_timeout = hl7.get_ms("idle_timeout_ms", std::chrono::milliseconds{30'000},
                                   std::chrono::milliseconds{100}, std::chrono::milliseconds{3'600'000});
  v.mllp.message_timeout = hl7.get_ms("message_timeout_ms", std::chrono::milliseconds{10'000},
                                      std::chrono::milliseconds{100}, std::chrono::milliseconds{600'000});
  v.mllp.max_frame_bytes =
      static_cast<std::size_t>(hl7.get_int("max_message_bytes", 1024 * 1024, 4096, 16 * 1024 * 1024));
  const std::string codes = hl7.get_string("codes", "");
  if (!codes.empty()) {
    auto table = core::ConfigTable::load(session::config_path(hl7, codes));
    v.codes = vitals::ObservationCodeMap::load(table);
    table.finish();
  }
  try {
    apply_vitals_source(source, v);
  } catch (const std::invalid_argument& e) {
    throw core::ConfigError((overrides.vitals ? std::string("--vitals: ") : where_source) + e.what());
  }
  if (v.source == VitalsFeedSettings::Source::kFile && v.file.is_relative() && !overrides.vitals) {
    v.file = session::config_path(vitals_table, v.file.string());
  }
  const auto where_scenario = vitals_table.where("scenario");
  const std::string scenario = vitals_table.get_string("scenario", "stable");
  const auto parsed = vitals::scenario_from_name(scenario);
  if (!parsed) {
    throw core::ConfigError(where_scenario + "'" + scenario +
                            "' is not a scenario: stable | hypotension | desaturation | tachycardia");
  }
  v.scenario = *parsed;
  v.seed = static_cast<std::uint64_t>(vitals_table.get_int("seed", 1, 0, INT64_MAX));
  v.chunk = vitals_table.get_ms("chunk_ms", std::chrono::milliseconds{20}, std::chrono::milliseconds{5},
                                std::chrono::milliseconds{40});
  auto alarms = vitals_table.table("alarms");
  v.alarms = vitals::load_alarm_limits(alarms);
}

}  // namespace

SenderSettings load_sender_settings(const std::filesystem::path& file, const SenderOverrides& overrides) {
  auto root = core::ConfigTable::load(file);
  SenderSettings s;
  auto& p = s.pipeline;
  auto& n = s.session;
  n.rules.site_name = root.get_string("site_name", "OR");
  n.case_pseudonym = root.get_string("case_pseudonym", "");
  s.log_level = root.get_choice("log_level", "info", {"trace", "debug", "info", "warn", "error"});

  auto video = root.table("video");
  const auto where_source = video.where("source");
  const std::string source = overrides.source.value_or(video.get_string("source", "synthetic"));
  try {
    p.source = media::parse_video_source(source);
  } catch (const std::invalid_argument& e) {
    throw core::ConfigError((overrides.source ? std::string("--source: ") : where_source) + e.what());
  }
  const auto where_profile = video.where("profile");
  const std::string profile = overrides.profile.value_or(video.get_string("profile", "1080p30"));
  try {
    p.profile = media::video_profile(profile);
  } catch (const std::invalid_argument& e) {
    throw core::ConfigError((overrides.profile ? std::string("--profile: ") : where_profile) + e.what());
  }
  n.video_profile = p.profile.name;
  p.seed = static_cast<std::uint64_t>(video.get_int("seed", 1, 0, INT64_MAX));
  // The code is a strip of blocks in the picture: on by default only for the synthetic scene, never silently
  // drawn over a real operative field.
  p.pixel_code = overrides.pixel_code.value_or(
      video.get_bool("pixel_code", p.source.kind == media::VideoSource::Kind::kSynthetic));
  p.keyframe_interval = std::chrono::seconds{video.get_int("keyframe_interval_s", 2, 1, 60)};
  p.intra_refresh = overrides.intra_refresh.value_or(video.get_bool("intra_refresh", false));
  // Below a frame interval x264 starves every frame; above a second a keyframe floods a narrow link.
  p.rate_buffer = video.get_ms("rate_buffer_ms", std::chrono::milliseconds{200},
                               std::chrono::milliseconds{34}, std::chrono::milliseconds{1000});

  auto network = root.table("network");
  const auto where_bind = network.where("bind_address");
  n.bind_address = overrides.bind_address.value_or(network.get_string("bind_address", "0.0.0.0"));
  boost::system::error_code bad_address;
  boost::asio::ip::make_address(n.bind_address, bad_address);
  if (bad_address) {
    throw core::ConfigError((overrides.bind_address ? std::string("--bind: ") : where_bind) + "'" +
                            n.bind_address + "' is not an IP address");
  }
  n.control_port = static_cast<std::uint16_t>(
      overrides.control_port.value_or(static_cast<int>(network.get_int("control_port", 7400, 0, 65535))));
  n.media_port = static_cast<std::uint16_t>(
      overrides.media_port.value_or(static_cast<int>(network.get_int("media_port", 7401, 0, 65535))));
  const std::string srtp = overrides.srtp_profile.value_or(network.get_choice(
      "srtp_profile", "AEAD_AES_128_GCM", {"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"}));
  try {
    n.srtp_profile = media::parse_srtp_profile(srtp);
  } catch (const std::invalid_argument& e) {
    throw core::ConfigError(std::string("--srtp-profile: ") + e.what());
  }
  const bool retransmit = overrides.retransmit.value_or(network.get_bool("retransmit", true));
  s.rate.adapt = overrides.adapt_rate.value_or(network.get_bool("adapt_rate", true));
  s.rate.fec = overrides.fec.value_or(network.get_bool("fec", true));
  s.rate.min_kbps = static_cast<std::uint64_t>(
      network.get_int("min_kbps", 300, 100, std::max(100, p.profile.bitrate_kbps)));

  load_vitals(root.table("vitals"), overrides, s.vitals);

  // What one console or stranger may cost the OR (issue 12), and how long a mentor's pen waits after a loss.
  auto sessions = root.table("session");
  n.rules.max_consoles = static_cast<std::size_t>(sessions.get_int("max_consoles", 16, 1, 256));
  n.rules.resume = std::chrono::seconds{sessions.get_int("resume_s", 20, 0, 600)};
  n.liveness = std::chrono::seconds{sessions.get_int("liveness_s", 10, 2, 300)};
  n.hello_timeout = sessions.get_ms("hello_timeout_ms", std::chrono::milliseconds{5000},
                                    std::chrono::milliseconds{500}, std::chrono::milliseconds{60000});
  n.max_pending = static_cast<std::size_t>(sessions.get_int("max_pending", 64, 1, 4096));
  n.max_pending_per_address =
      static_cast<std::size_t>(sessions.get_int("max_pending_per_address", 8, 1, 4096));
  n.max_queued_bytes = static_cast<std::size_t>(sessions.get_int("max_queued_kib", 1024, 128, 65536)) * 1024;
  n.messages_per_second = static_cast<double>(sessions.get_int("messages_per_s", 250, 10, 10000));
  n.keyframe_interval = sessions.get_ms("keyframe_interval_ms", std::chrono::milliseconds{1000},
                                        std::chrono::milliseconds{100}, std::chrono::milliseconds{10000});

  auto audit = root.table("audit");
  if (const std::string log = audit.get_string("log", ""); !log.empty())
    n.audit_log = session::config_path(audit, log);
  if (const std::string key = audit.get_string("key_file", ""); !key.empty())
    n.audit_key = session::config_path(audit, key);

  auto controls = root.table("or_controls");
  auto& sc = s.surgeon_controls;
  sc.keys = controls.get_bool("keys", true);
  const auto key = [&controls](const char* name, char fallback) {
    const auto where = controls.where(name);
    const std::string k = controls.get_string(name, std::string(1, fallback));
    if (k.size() != 1 || k[0] < '!' || k[0] > '~')
      throw core::ConfigError(where + "one printable ASCII character, got \"" + k + "\"");
    return k[0];
  };
  sc.hide_key = key("hide_key", 'h');
  sc.clear_key = key("clear_key", 'c');
  sc.revoke_key = key("revoke_key", 'r');
  sc.grant_key = key("grant_key", 'g');
  sc.consent_key = key("consent_key", 'k');
  sc.stop_recording_key = key("stop_recording_key", 's');
  sc.mute_key = key("mute_key", 'm');
  sc.pause_key = key("pause_key", 'p');
  sc.status_strip_key = key("status_strip_key", 'i');
  if (std::set<char>{sc.hide_key, sc.clear_key, sc.revoke_key, sc.grant_key, sc.consent_key,
                     sc.stop_recording_key, sc.mute_key, sc.pause_key, sc.status_strip_key}
          .size() != 9)
    throw core::ConfigError(controls.where("hide_key") + "the nine keys must differ");

  auto audio = root.table("audio");
  auto& v = s.voice;
  const auto endpoints = session::load_audio_endpoints(audio, overrides.audio_in, overrides.audio_out);
  v.input = endpoints.input;
  v.output = endpoints.output;
  v.start_muted = audio.get_bool("start_muted", false);
  v.echo_cancel = audio.get_bool("echo_cancel", true);
  v.jitter_latency = audio.get_ms("jitter_ms", std::chrono::milliseconds{10}, std::chrono::milliseconds{5},
                                  std::chrono::milliseconds{200});
  v.find_markers = overrides.audio_markers;
  if (const std::string socket = controls.get_string("socket", ""); !socket.empty())
    sc.socket = session::config_path(controls, socket);

  auto ui = root.table("ui");
  s.language = ui.get_choice("language", "system", {"ja", "en", "system"});
  if (overrides.language) {
    if (*overrides.language != "ja" && *overrides.language != "en" && *overrides.language != "system")
      throw core::ConfigError("--language: '" + *overrides.language + "' is not one of: ja, en, system");
    s.language = *overrides.language;
  }

  auto or_display = root.table("or_display");
  s.or_display.mentor_latency_red =
      or_display.get_ms("mentor_latency_red_ms", std::chrono::milliseconds{300}, std::chrono::milliseconds{0},
                        std::chrono::milliseconds{60000});
  if (or_display.has("window")) s.or_display.window = or_display.get_bool("window", true);
  if (overrides.or_window) s.or_display.window = overrides.or_window;
  s.or_display.video_sink = or_display.get_string("video_sink", s.or_display.video_sink);
  if (s.or_display.video_sink != "glimagesink" && s.or_display.video_sink != "xvimagesink" &&
      s.or_display.video_sink != "ximagesink")
    throw core::ConfigError(or_display.where("video_sink") +
                            "must be \"ximagesink\", \"glimagesink\" or \"xvimagesink\"");
  s.or_display.full_screen = or_display.get_bool("full_screen", true);
  s.or_display.screen = static_cast<int>(or_display.get_int("screen", 0, 0, 15));
  s.or_display.stale_annotations = std::chrono::milliseconds{
      static_cast<std::int64_t>(or_display.get_double("stale_annotation_s", 5, 0, 600) * 1000)};

  auto recording = root.table("recording");
  if (const std::string folder = recording.get_string("folder", ""); !folder.empty())
    s.recording.folder = session::config_path(recording, folder);
  s.recording.segment_length = std::chrono::seconds{recording.get_int("segment_s", 60, 2, 3600)};
  s.recording.min_free_mb = static_cast<std::uint64_t>(recording.get_int("min_free_mb", 1024, 0, 1 << 24));
  s.recording.warn_free_mb = static_cast<std::uint64_t>(recording.get_int(
      "warn_free_mb", std::max<std::int64_t>(5120, static_cast<std::int64_t>(s.recording.min_free_mb)),
      static_cast<std::int64_t>(s.recording.min_free_mb), 1 << 24));
  s.recording.require_encrypted_volume =
      overrides.require_encrypted_volume.value_or(recording.get_bool("require_encrypted_volume", true));
  s.recording.consent_at_start = overrides.consent;
  s.recording.voice = recording.get_bool("voice", true);

  auto tls = root.table("tls");
  n.tls = session::load_tls_files(tls);
  session::require_usable_tls_files(tls, n.tls);
  n.access_list_file = session::config_path(tls, tls.require_string("access_list"));
  // Whoever may change the access list decides who joins the OR.
  if (const auto problem = session::trust_file_exposed(*n.access_list_file))
    throw core::ConfigError(tls.where("access_list") + *problem);
  n.access = std::make_shared<const session::AccessList>(session::AccessList::load(*n.access_list_file));
  root.finish();

  // A random SSRC and first sequence number per run (RFC 3550 §5.1); the sequence starts in the lower half
  // so that late joiners (and tools that assume ROC 0) see no wrap for the first minutes.
  std::random_device random;
  p.ssrc = random();
  n.video_ssrc = p.ssrc;
  p.first_sequence = static_cast<std::uint16_t>(random() % 16384);
  p.rtp_payload_type = n.video_payload_type;
  if (s.vitals.source != VitalsFeedSettings::Source::kNone) {
    do {
      n.vitals_ssrc = random();
    } while (n.vitals_ssrc == 0 || n.vitals_ssrc == n.video_ssrc);
    n.vitals_first_sequence = static_cast<std::uint16_t>(random() % 16384);
  }
  while (retransmit && (n.rtx_ssrc == 0 || n.rtx_ssrc == n.video_ssrc || n.rtx_ssrc == n.vitals_ssrc))
    n.rtx_ssrc = random();
  if (s.voice.input.kind != media::AudioEndpoint::Kind::kNone) {
    do {
      n.voice_ssrc = random();
    } while (n.voice_ssrc == 0 || n.voice_ssrc == n.video_ssrc || n.voice_ssrc == n.vitals_ssrc ||
             n.voice_ssrc == n.rtx_ssrc);
  }
  while (s.rate.fec && (n.fec_ssrc == 0 || n.fec_ssrc == n.video_ssrc || n.fec_ssrc == n.vitals_ssrc ||
                        n.fec_ssrc == n.rtx_ssrc || n.fec_ssrc == n.voice_ssrc))
    n.fec_ssrc = random();

  if (overrides.export_srtp_keys) {
    const char* allow = std::getenv("SURGILINK_ALLOW_KEY_EXPORT");
    if (allow == nullptr || std::string(allow) != "1") {
      throw core::ConfigError(
          "--export-srtp-keys is refused: it writes the media keys to a file. Set "
          "SURGILINK_ALLOW_KEY_EXPORT=1 "
          "only on a test bench.");
    }
    n.export_srtp_keys = overrides.export_srtp_keys;
  }
  return s;
}

}  // namespace surgilink::sender
