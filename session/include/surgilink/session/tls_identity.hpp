#pragma once
// Mutual TLS 1.3 for the control channel: contexts, peer fingerprints, and the SRTP keys both ends derive
// from the TLS session (RFC 5705 exporter), so media keys never travel.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "surgilink/media/srtp_session.hpp"

typedef struct ssl_st SSL;

namespace surgilink::session {

// The files of one TLS identity: the CA that signs peers, our certificate chain and our private key.
struct TlsFiles {
  std::filesystem::path ca;
  std::filesystem::path certificate;
  std::filesystem::path private_key;
};

// A TLS 1.3-only context that demands and verifies the peer's certificate. Throws std::runtime_error naming
// the file that could not be used.
boost::asio::ssl::context make_tls_context(const TlsFiles& files, bool server);

// "sha256:" + lowercase hex SHA-256 of the peer certificate's DER; empty if the peer sent none.
std::string peer_fingerprint(SSL* ssl);
// The peer certificate's subject common name, for messages; empty if none.
std::string peer_common_name(SSL* ssl);

// Master key||salt for each direction of one connection.
struct SrtpKeys {
  std::vector<std::uint8_t> sender_to_console;
  std::vector<std::uint8_t> console_to_sender;
};
// Derives both directions' SRTP keys from an established TLS session; empty vectors if the exporter fails.
SrtpKeys derive_srtp_keys(SSL* ssl, media::SrtpProfile profile);

// Explains an OpenSSL/Asio TLS error in words a hospital IT admin can act on.
std::string explain_tls_error(const boost::system::error_code& ec);

}  // namespace surgilink::session
