#pragma once
// Where integration tests find the programs, development certificates and configs they run with.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "surgilink/session/access_list.hpp"
#include "surgilink/session/tls_identity.hpp"

namespace surgilink::testing {

// Paths of the built programs.
std::filesystem::path sender_program();
std::filesystem::path console_program();
std::filesystem::path review_program();

// The development certificates for tests, made once per build tree by tools/make-dev-certs.sh.
std::filesystem::path certificate_dir();
session::TlsFiles identity(
    const std::string& name);  // "sender", "mentor", "observer", "stranger", "unlisted"
session::AccessList test_access_list();

// A fresh folder for one test's files.
std::filesystem::path scratch_dir(const std::string& test_name);

// Writes sender/console configs that use the test certificates; returns their paths.
// `session` is the [session] table's lines: by default a liveness long enough for tests whose scripted
// consoles stay silent between steps (a real console pings once a second).
std::filesystem::path write_sender_config(const std::filesystem::path& dir,
                                          const std::string& extra_video = {},
                                          const std::string& extra_network = {},
                                          const std::string& session = "liveness_s = 120");
std::filesystem::path write_console_config(const std::filesystem::path& dir, int control_port,
                                           const std::string& identity_name = "mentor");

// Decodes standard base64 (the SDP's inline key); stops at the first character outside the alphabet.
std::vector<std::uint8_t> decode_base64(std::string_view text);

// The whole text of a file ("" if absent).
std::string read_text(const std::filesystem::path& p);

}  // namespace surgilink::testing
