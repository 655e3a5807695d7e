#include "sender_settings.hpp"

#include <cstdlib>
#include <random>

#include <boost/asio/ip/address.hpp>

#include "surgilink/core/config.hpp"
#include "surgilink/session/config_sections.hpp"

namespace surgilink::sender {

SenderSettings load_sender_settings(const std::filesystem::path& file, const SenderOverrides& overrides) {
  auto root = core::ConfigTable::load(file);
  SenderSettings s;
  auto& p = s.pipeline;
  auto& n = s.session;
  n.site_name = root.get_string("site_name", "OR");
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

  auto tls = root.table("tls");
  n.tls = session::load_tls_files(tls);
  n.access = session::AccessList::load(session::config_path(tls, tls.require_string("access_list")));
  root.finish();

  // A random SSRC and first sequence number per run (RFC 3550 §5.1); the sequence starts in the lower half
  // so that late joiners (and tools that assume ROC 0) see no wrap for the first minutes.
  std::random_device random;
  p.ssrc = random();
  n.video_ssrc = p.ssrc;
  p.first_sequence = static_cast<std::uint16_t>(random() % 16384);
  p.rtp_payload_type = n.video_payload_type;

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
