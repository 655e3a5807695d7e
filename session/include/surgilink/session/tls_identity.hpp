#pragma once
// Mutual TLS 1.3 for the control channel: contexts, peer fingerprints, and the SRTP keys both ends derive
// from the TLS session (RFC 5705 exporter), so media keys never travel. Whom a context trusts: peers the
// site CA signed, that are valid now, not on the CA's revocation list (CRL) and, for a console, the one
// certificate pinned for the site it connects to.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "surgilink/media/srtp_session.hpp"

typedef struct ssl_st SSL;

namespace surgilink::session {

// The files of one TLS identity (the CA that signs peers, our certificate chain and our private key) and
// what else a peer's certificate must pass. Plain value type.
struct TlsFiles {
  std::filesystem::path ca;
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  // The CA's certificate revocation list(s), PEM, one per CA in `ca`; a revoked peer is refused. Reread when
  // the file changes (at the next handshake). None: no revocation check.
  std::optional<std::filesystem::path> crl = std::nullopt;
  // "sha256:<hex>": the only certificate the peer may present (a console pins its [[site]]'s sender), even
  // if the CA signed others. Empty: any certificate the CA signed.
  std::string pinned_peer = {};
};

// One of an identity's files cannot be used as it is; file() says which (for a message naming its key).
class TlsFileError : public std::runtime_error {
 public:
  enum class File { kCa, kCertificate, kPrivateKey, kCrl };
  TlsFileError(File file, const std::string& what) : std::runtime_error(what), file_(file) {}
  File file() const { return file_; }

 private:
  File file_;
};

// How long before our own certificate expires the programs start warning.
inline constexpr std::chrono::days kCertificateExpiryWarning{30};

// The start-up check of an identity, before any connection: every file exists and can be read; the private
// key is readable by its owner only; the CA and the CRL are not writable by others; our certificate is
// valid at `now` and not on our own CRL; the CRL parses and each CA in `ca` signed one. Throws TlsFileError
// for the first problem; returns warnings for a person to read (our certificate expires within
// kCertificateExpiryWarning, the CRL is past its next update). Any thread.
std::vector<std::string> check_tls_files(const TlsFiles& files, std::chrono::system_clock::time_point now);

// A TLS 1.3-only context that demands and verifies the peer's certificate (CA, validity, `files.crl`,
// `files.pinned_peer`). Logs a warning when our certificate is about to expire or has, or the CRL is stale.
// Throws std::runtime_error naming the file that could not be used. The context's handshakes must run on
// one thread at a time (it rereads a changed CRL during verification).
boost::asio::ssl::context make_tls_context(const TlsFiles& files, bool server);

// Whether `text` is a fingerprint as peer_fingerprint() writes it: "sha256:" and 64 lowercase hex digits.
bool is_fingerprint(std::string_view text);

// What is wrong with a private key file's permissions for a key (group or others may read or write it),
// with the chmod that fixes it; nullopt when only its owner may.
std::optional<std::string> key_file_exposed(const std::filesystem::path& file);
// The same for a file that decides whom we trust (CA, CRL, access list): others or the group may write it.
std::optional<std::string> trust_file_exposed(const std::filesystem::path& file);

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
// The same for an error on `ssl`: when this side refused the peer's certificate, it says why (revoked on
// the CRL since when, expired when, not the pinned fingerprint: both named, not signed by our CA).
std::string explain_tls_error(const boost::system::error_code& ec, SSL* ssl);

}  // namespace surgilink::session
