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
  return files;
}

}  // namespace surgilink::session
