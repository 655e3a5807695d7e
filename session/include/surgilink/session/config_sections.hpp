#pragma once
// Reading the configuration sections that sender and console share.

#include <filesystem>

#include "surgilink/core/config.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::session {

// A path from a config file: relative paths are taken from the file's own folder, so a config works from
// any working directory.
std::filesystem::path config_path(const core::ConfigTable& table, const std::string& value);

// The [tls] table: ca, certificate, private_key (all required).
TlsFiles load_tls_files(core::ConfigTable& tls);

}  // namespace surgilink::session
