#include "surgilink/session/tls_identity.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ssl/error.hpp>

#include "tls_certificates.hpp"
#include "tls_peer_checks.hpp"

namespace surgilink::session {

namespace {
using tls::BioFree;
using tls::Clock;
using tls::KeyFree;
constexpr const char* kExporterLabel = "EXTRACTOR-surgilink-srtp";
using File = TlsFileError::File;
}  // namespace

std::optional<std::string> key_file_exposed(const std::filesystem::path& file) {
  using std::filesystem::perms;
  return tls::permission_problem(
      file, perms::group_all | perms::others_all,
      "can be read or changed by other users: a private key must be its owner's alone", "600");
}

std::optional<std::string> trust_file_exposed(const std::filesystem::path& file) {
  using std::filesystem::perms;
  return tls::permission_problem(
      file, perms::group_write | perms::others_write,
      "can be changed by other users, who could then decide whom this program trusts", "go-w");
}

std::vector<std::string> check_tls_files(const TlsFiles& files, Clock::time_point now) {
  tls::require_file(files.ca, "CA certificate", File::kCa, tls::kMakeDevCertificates);
  tls::require_file(files.certificate, "certificate", File::kCertificate, tls::kMakeDevCertificates);
  tls::require_file(files.private_key, "private key", File::kPrivateKey, tls::kMakeDevCertificates);
  if (files.crl) tls::require_file(*files.crl, "CRL", File::kCrl, tls::kMakeCrl);
  if (auto problem = key_file_exposed(files.private_key)) throw TlsFileError(File::kPrivateKey, *problem);
  if (auto problem = trust_file_exposed(files.ca)) throw TlsFileError(File::kCa, *problem);
  if (files.crl) {
    if (auto problem = trust_file_exposed(*files.crl)) throw TlsFileError(File::kCrl, *problem);
  }

  const auto cas = tls::read_certificates(files.ca);
  if (cas.empty())
    throw TlsFileError(File::kCa, "CA file " + files.ca.string() + " holds no PEM certificate");
  const auto chain = tls::read_certificates(files.certificate);
  if (chain.empty()) {
    throw TlsFileError(File::kCertificate,
                       "certificate file " + files.certificate.string() + " holds no PEM certificate");
  }
  {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(files.private_key.c_str(), "r"));
    std::unique_ptr<EVP_PKEY, KeyFree> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                                               : nullptr);
    ERR_clear_error();
    if (!key) {
      throw TlsFileError(File::kPrivateKey, "private key file " + files.private_key.string() +
                                                " holds no PEM private key (or one with a passphrase)");
    }
    if (X509_check_private_key(chain.front().get(), key.get()) != 1) {
      ERR_clear_error();
      throw TlsFileError(File::kPrivateKey, "private key " + files.private_key.string() +
                                                " does not match certificate " + files.certificate.string());
    }
  }

  std::vector<std::string> warnings;
  const auto validity = tls::own_validity(files.certificate, chain.front().get(), now);
  if (validity.error) throw TlsFileError(File::kCertificate, *validity.error);
  if (validity.warning) warnings.push_back(*validity.warning);

  if (files.crl) {
    const tls::CrlStack crls = tls::load_crls(*files.crl, cas);
    if (const auto revoked = tls::revocation(chain.front().get(), crls.get())) {
      throw TlsFileError(File::kCertificate, "our certificate " + files.certificate.string() + " (" +
                                                 tls::who(chain.front().get()) +
                                                 ") is on our own revocation list " + files.crl->string() +
                                                 " " + *revoked + ": peers refuse it; install a new one");
    }
    for (auto& w : tls::crl_warnings(*files.crl, crls.get(), now)) warnings.push_back(std::move(w));
  }
  return warnings;
}

boost::asio::ssl::context make_tls_context(const TlsFiles& files, bool server) {
  using boost::asio::ssl::context;
  context ctx(server ? context::tls_server : context::tls_client);
  tls::require_file(files.ca, "CA certificate", File::kCa, tls::kMakeDevCertificates);
  tls::require_file(files.certificate, "certificate", File::kCertificate, tls::kMakeDevCertificates);
  tls::require_file(files.private_key, "private key", File::kPrivateKey, tls::kMakeDevCertificates);
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
  // Every connection verifies its peer afresh: a resumed session would skip the CRL and the pin.
  SSL_CTX_set_session_cache_mode(ctx.native_handle(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.native_handle(), 0);

  const auto now = Clock::now();
  if (const X509* ours = SSL_CTX_get0_certificate(ctx.native_handle())) {
    const auto validity = tls::own_validity(files.certificate, ours, now);
    if (validity.error) spdlog::error("{}", *validity.error);
    if (validity.warning) spdlog::warn("{}", *validity.warning);
  }
  tls::install_peer_checks(ctx.native_handle(), files);
  return ctx;
}

bool is_fingerprint(std::string_view text) {
  if (text.size() != 7 + 64 || !text.starts_with("sha256:")) return false;
  for (const char c : text.substr(7)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string peer_fingerprint(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  std::string out = tls::fingerprint_of(cert);
  X509_free(cert);
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
  // Alerts: the peer refused our certificate (its own log says exactly why).
  if (contains("alert certificate revoked")) {
    return "certificate revoked (" + text +
           "): the peer's site CA has revoked our certificate; ask the site's IT for a new one";
  }
  if (contains("alert certificate expired")) {
    return "certificate expired or not yet valid (" + text +
           "): renew our certificate, or check the clocks of both machines";
  }
  if (contains("unknown ca")) {
    return "certificate not trusted (" + text + "): our certificate is not signed by a CA the peer trusts";
  }
  if (contains("alert bad certificate") || contains("alert certificate unknown") ||
      contains("alert unsupported certificate")) {
    return "certificate refused by the peer (" + text +
           "): not yet valid, or not the one it expects; the peer's log says why";
  }
  if (contains("certificate verify failed") || contains("unable to get local issuer")) {
    return "certificate not trusted (" + text + "): the peer's certificate did not pass our checks";
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

std::string explain_tls_error(const boost::system::error_code& ec, SSL* ssl) {
  if (ssl != nullptr) {
    if (const std::string* why = tls::noted_refusal(ssl)) return *why;
  }
  return explain_tls_error(ec);
}

}  // namespace surgilink::session
