#include "test_installation.hpp"

#include "test_pki.hpp"

#include <unistd.h>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>

namespace surgilink::testing {

std::filesystem::path sender_program() {
  return std::filesystem::path(SURGILINK_BINARY_DIR) / "sender" / "surgilink-sender";
}
std::filesystem::path console_program() {
  return std::filesystem::path(SURGILINK_BINARY_DIR) / "mentor_console" / "surgilink-console";
}

std::filesystem::path review_program() {
  return std::filesystem::path(SURGILINK_BINARY_DIR) / "tools" / "surgilink-review";
}

std::filesystem::path certificate_dir() { return dev_certificate_dir(); }

session::TlsFiles identity(const std::string& name) {
  // Every identity trusts the development CA for its peer; "stranger" itself is signed by another CA.
  const auto dir = certificate_dir();
  return {dir / "ca.pem", dir / (name + ".pem"), dir / (name + ".key")};
}

session::AccessList test_access_list() {
  return session::AccessList::load(certificate_dir() / "access.toml");
}

std::filesystem::path scratch_dir(const std::string& test_name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("surgilink-test-" + std::to_string(getpid()) + "-" + test_name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path write_sender_config(const std::filesystem::path& dir, const std::string& extra_video,
                                          const std::string& extra_network, const std::string& session) {
  const auto certs = certificate_dir();
  const auto path = dir / "sender.toml";
  std::ofstream out(path);
  out << "site_name = \"Test OR\"\ncase_pseudonym = \"CASE-TEST\"\n"
      << "[video]\nsource = \"synthetic\"\nprofile = \"720p30\"\n"
      << extra_video << "\n"
      << "[network]\nbind_address = \"127.0.0.1\"\ncontrol_port = 0\nmedia_port = 0\n"
      << extra_network << "\n"
      << "[session]\n"
      << session << "\n"
      << "[tls]\nca = \"" << (certs / "ca.pem").string() << "\"\ncertificate = \""
      << (certs / "sender.pem").string() << "\"\nprivate_key = \"" << (certs / "sender.key").string()
      << "\"\naccess_list = \"" << (certs / "access.toml").string()
      << "\"\n"
      // Tests open no sound device unless they ask for one (--audio-in / --audio-out).
      << "[audio]\ninput = \"none\"\noutput = \"none\"\n"
      // The OR display in English whatever this machine's locale: tests read its words and pixels.
      << "[ui]\nlanguage = \"en\"\n";
  return path;
}

std::filesystem::path write_console_config(const std::filesystem::path& dir, int control_port,
                                           const std::string& identity_name) {
  const auto id = identity(identity_name);
  const auto path = dir / ("console-" + identity_name + ".toml");
  std::ofstream out(path);
  out << "[tls]\nca = \"" << (certificate_dir() / "ca.pem").string() << "\"\ncertificate = \""
      << id.certificate.string() << "\"\nprivate_key = \"" << id.private_key.string() << "\"\n"
      << "[audio]\ninput = \"none\"\noutput = \"none\"\n"
      << "[[site]]\nname = \"Test OR\"\nhost = \"127.0.0.1\"\ncontrol_port = " << control_port << "\n";
  return path;
}

std::vector<std::uint8_t> decode_base64(std::string_view text) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::uint8_t> out;
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const auto v = kAlphabet.find(c);
    if (v == std::string_view::npos) break;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<std::uint8_t>(bits >> count));
    }
  }
  return out;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace surgilink::testing
