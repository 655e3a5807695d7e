#include "surgilink/session/tls_identity.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <boost/asio/ssl/error.hpp>

namespace surgilink::session {

namespace {
constexpr const char* kExporterLabel = "EXTRACTOR-surgilink-srtp";

void require_file(const std::filesystem::path& p, const char* what) {
  if (!std::filesystem::exists(p)) {
    throw std::runtime_error(std::string(what) + " file " + p.string() +
                             " does not exist (run ./surgilink setup to make development certificates)");
  }
}
}  // namespace

boost::asio::ssl::context make_tls_context(const TlsFiles& files, bool server) {
  using boost::asio::ssl::context;
  context ctx(server ? context::tls_server : context::tls_client);
  require_file(files.ca, "CA certificate");
  require_file(files.certificate, "certificate");
  require_file(files.private_key, "private key");
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_3_VERSION);
  boost::system::error_code ec;
  ctx.load_verify_file(files.ca.string(), ec);
  if (ec) throw std::runtime_error("cannot load CA certificate " + files.ca.string() + ": " + ec.message());
  ctx.use_certificate_chain_file(files.certificate.string(), ec);
  if (ec)
    throw std::runtime_error("cannot load certificate " + files.certificate.string() + ": " + ec.message());
  ctx.use_private_key_file(files.private_key.string(), context::pem, ec);
  if (ec)
    throw std::runtime_error("cannot load private key " + files.private_key.string() + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    throw std::runtime_error("private key " + files.private_key.string() + " does not match certificate " +
                             files.certificate.string());
  }
  ctx.set_verify_mode(boost::asio::ssl::verify_peer | boost::asio::ssl::verify_fail_if_no_peer_cert);
  return ctx;
}

std::string peer_fingerprint(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  X509_digest(cert, EVP_sha256(), digest.data(), &size);
  X509_free(cert);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

std::string peer_common_name(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  std::array<char, 256> name{};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name.data(), name.size());
  X509_free(cert);
  return name.data();
}

SrtpKeys derive_srtp_keys(SSL* ssl, media::SrtpProfile profile) {
  const std::size_t one = media::srtp_master_key_size(profile) + media::srtp_master_salt_size(profile);
  std::vector<std::uint8_t> material(2 * one);
  if (SSL_export_keying_material(ssl, material.data(), material.size(), kExporterLabel,
                                 std::strlen(kExporterLabel), nullptr, 0, 0) != 1) {
    return {};
  }
  SrtpKeys keys;
  keys.sender_to_console.assign(material.begin(), material.begin() + static_cast<std::ptrdiff_t>(one));
  keys.console_to_sender.assign(material.begin() + static_cast<std::ptrdiff_t>(one), material.end());
  OPENSSL_cleanse(material.data(), material.size());
  return keys;
}

std::string explain_tls_error(const boost::system::error_code& ec) {
  std::string text = ec.message();
  const auto contains = [&](const char* s) { return text.find(s) != std::string::npos; };
  if (contains("unknown ca") || contains("unable to get local issuer") ||
      contains("certificate verify failed")) {
    return "certificate not trusted (" + text + "): the peer's certificate is not signed by our CA";
  }
  if (contains("certificate required") || contains("peer did not return a certificate")) {
    return "no client certificate presented (" + text + ")";
  }
  if (contains("unsupported protocol") || contains("protocol version")) {
    return "TLS version refused (" + text + "): SurgiLink speaks TLS 1.3 only";
  }
  if (ec == boost::asio::ssl::error::stream_truncated) return "the peer closed the TLS connection";
  return text;
}

}  // namespace surgilink::session
