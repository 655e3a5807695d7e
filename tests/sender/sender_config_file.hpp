#pragma once
// A sender configuration file for the settings tests: the development certificates (made by ./surgilink
// setup) and, after them, `tables` (TOML) of the test's choosing. Written to the temporary folder under a
// name of the test's and this process's.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace surgilink::sender::testing {

inline const std::filesystem::path kDevCerts = std::filesystem::path(SURGILINK_SOURCE_DIR) / "var" / "certs";

inline std::filesystem::path sender_config_file(const std::string& name, const std::string& tables) {
  const auto file = std::filesystem::temp_directory_path() /
                    ("surgilink_" + name + "_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << "[tls]\nca = \"" << (kDevCerts / "ca.pem").string() << "\"\ncertificate = \""
                      << (kDevCerts / "sender.pem").string() << "\"\nprivate_key = \""
                      << (kDevCerts / "sender.key").string() << "\"\naccess_list = \""
                      << (kDevCerts / "access.toml").string() << "\"\n"
                      << tables;
  return file;
}

}  // namespace surgilink::sender::testing
