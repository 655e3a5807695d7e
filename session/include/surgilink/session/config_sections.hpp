#pragma once
// Reading the configuration sections that sender and console share.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "surgilink/core/config.hpp"
#include "surgilink/media/audio_endpoint.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::session {

// A path from a config file: relative paths are taken from the file's own folder, so a config works from
// any working directory.
std::filesystem::path config_path(const core::ConfigTable& table, const std::string& value);

// The [tls] table: ca, certificate, private_key (all required), crl (optional).
TlsFiles load_tls_files(core::ConfigTable& tls);

// Where a file of TlsFiles came from when not from the [tls] table: the command-line option that chose it.
struct TlsFileOverrides {
  std::string certificate;  // e.g. "--certificate"; empty: the [tls] key
  std::string private_key;
};

// check_tls_files(files, now) at start-up, as a core::ConfigError that names the [tls] key (file and line)
// or the command-line option of the file at fault. Returns the warnings.
std::vector<std::string> require_usable_tls_files(const core::ConfigTable& tls, const TlsFiles& files,
                                                  const TlsFileOverrides& overrides = {});

// A "sha256:..." fingerprint read from `key` of `table`; throws core::ConfigError naming the key when it is
// not one (as tools/site-ca.sh and make-dev-certs.sh print them). Absent: empty.
std::string load_fingerprint(core::ConfigTable& table, std::string_view key);

// An [audio] endpoint: `text` from `key` of `table` (a relative file: path is taken from the config's
// folder), or from a command-line option (`option`, e.g. "--audio-in"; a relative path is taken from the
// working directory). Throws core::ConfigError naming the key or the option.
media::AudioEndpoint load_audio_endpoint(const core::ConfigTable& table, std::string_view key,
                                         const std::string& text, std::string_view option = {});

// The [audio] table's `input` and `output`, each replaced by its command-line option when given (the file's
// values are checked even then). Throws core::ConfigError naming the key or the option.
struct AudioEndpoints {
  media::AudioEndpoint input, output;
};
AudioEndpoints load_audio_endpoints(core::ConfigTable& audio, const std::optional<std::string>& input_option,
                                    const std::optional<std::string>& output_option);

}  // namespace surgilink::session
