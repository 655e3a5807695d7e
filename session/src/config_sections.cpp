#include "surgilink/session/config_sections.hpp"

namespace surgilink::session {

std::filesystem::path config_path(const core::ConfigTable& table, const std::string& value) {
  const std::filesystem::path p(value);
  if (p.is_absolute()) return p;
  return std::filesystem::path(table.file_name()).parent_path() / p;
}

TlsFiles load_tls_files(core::ConfigTable& tls) {
  TlsFiles files;
  files.ca = config_path(tls, tls.require_string("ca"));
  files.certificate = config_path(tls, tls.require_string("certificate"));
  files.private_key = config_path(tls, tls.require_string("private_key"));
  if (const std::string crl = tls.get_string("crl", ""); !crl.empty()) files.crl = config_path(tls, crl);
  return files;
}

std::vector<std::string> require_usable_tls_files(const core::ConfigTable& tls, const TlsFiles& files,
                                                  const TlsFileOverrides& overrides) {
  try {
    return check_tls_files(files, std::chrono::system_clock::now());
  } catch (const TlsFileError& e) {
    std::string where;
    switch (e.file()) {
      case TlsFileError::File::kCa:
        where = tls.where("ca");
        break;
      case TlsFileError::File::kCertificate:
        where = overrides.certificate.empty() ? tls.where("certificate") : overrides.certificate + ": ";
        break;
      case TlsFileError::File::kPrivateKey:
        where = overrides.private_key.empty() ? tls.where("private_key") : overrides.private_key + ": ";
        break;
      case TlsFileError::File::kCrl:
        where = tls.where("crl");
        break;
    }
    throw core::ConfigError(where + e.what());
  }
}

std::string load_fingerprint(core::ConfigTable& table, std::string_view key) {
  const std::string text = table.get_string(key, "");
  if (!text.empty() && !is_fingerprint(text)) {
    throw core::ConfigError(table.where(key) + "expected \"sha256:\" and 64 lowercase hex digits (as " +
                            "tools/site-ca.sh fingerprint prints them), got \"" + text + "\"");
  }
  return text;
}

media::AudioEndpoint load_audio_endpoint(const core::ConfigTable& table, std::string_view key,
                                         const std::string& text, std::string_view option) {
  const std::string where = option.empty() ? table.where(key) : std::string(option) + ": ";
  media::AudioEndpoint endpoint;
  try {
    endpoint = media::parse_audio_endpoint(text);
  } catch (const std::invalid_argument& e) {
    throw core::ConfigError(where + e.what());
  }
  if (endpoint.kind == media::AudioEndpoint::Kind::kFile && option.empty())
    endpoint.location = config_path(table, endpoint.location).string();
  return endpoint;
}

AudioEndpoints load_audio_endpoints(core::ConfigTable& audio, const std::optional<std::string>& input_option,
                                    const std::optional<std::string>& output_option) {
  AudioEndpoints e{load_audio_endpoint(audio, "input", audio.get_string("input", "default")),
                   load_audio_endpoint(audio, "output", audio.get_string("output", "default"))};
  if (input_option) e.input = load_audio_endpoint(audio, "input", *input_option, "--audio-in");
  if (output_option) e.output = load_audio_endpoint(audio, "output", *output_option, "--audio-out");
  return e;
}

}  // namespace surgilink::session
