#include "tls_peer_checks.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include "surgilink/core/safe_text.hpp"
#include "tls_certificates.hpp"

namespace surgilink::session::tls {

namespace {

// Owned by the SSL_CTX (ex_data, freed with it). Used on the thread that runs the context's handshakes.
struct PeerChecks {
  std::optional<std::filesystem::path> crl_file;
  std::vector<Certificate> cas;  // to check a changed CRL before it is used
  CrlStack crls;
  std::filesystem::file_time_type crl_written{};
  std::uintmax_t crl_size = 0;
  bool stale_warned = false;
  std::string pinned;

  // Rereads the CRL when its file changed; a file that cannot be used keeps the last good list.
  void refresh() {
    std::error_code ec;
    const auto written = std::filesystem::last_write_time(*crl_file, ec);
    const auto size = std::filesystem::file_size(*crl_file, ec);
    if (ec || (written == crl_written && size == crl_size)) return;
    crl_written = written;
    crl_size = size;
    try {
      crls = load_crls(*crl_file, cas);
      stale_warned = false;
      spdlog::info("revocation list {} reread: {} revoked certificate(s)", crl_file->string(),
                   revoked_count());
      for (const auto& w : crl_warnings(*crl_file, crls.get(), Clock::now())) spdlog::warn("{}", w);
    } catch (const TlsFileError& e) {
      spdlog::warn("{}; still using the list read before", e.what());
    }
  }

  int revoked_count() const {
    int n = 0;
    for (int i = 0; i < sk_X509_CRL_num(crls.get()); ++i)
      n += sk_X509_REVOKED_num(X509_CRL_get_REVOKED(sk_X509_CRL_value(crls.get(), i)));
    return n;
  }
};

void free_peer_checks(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<PeerChecks*>(ptr);
}
void free_text(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<std::string*>(ptr); }

int peer_checks_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_peer_checks);
  return index;
}
// Why this side refused the peer's certificate, on the SSL.
int refusal_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, free_text);
  return index;
}

void note_refusal(SSL* ssl, std::string why) {
  delete static_cast<std::string*>(SSL_get_ex_data(ssl, refusal_index()));
  SSL_set_ex_data(ssl, refusal_index(), new std::string(std::move(why)));
}

SSL* ssl_of(X509_STORE_CTX* store) {
  return static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
}

// A CRL past its next update (or made "in the future") still counts: see crl_warnings(). Every other answer
// is the one the stream's own callback (the console's host name check) gives.
int accept_stale_crl(int ok, X509_STORE_CTX* store) {
  SSL* ssl = ssl_of(store);
  const int error = X509_STORE_CTX_get_error(store);
  if (ok == 0 && (error == X509_V_ERR_CRL_HAS_EXPIRED || error == X509_V_ERR_CRL_NOT_YET_VALID)) {
    auto* checks = static_cast<PeerChecks*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), peer_checks_index()));
    if (checks != nullptr && !checks->stale_warned) {
      checks->stale_warned = true;
      for (const auto& w : crl_warnings(*checks->crl_file, checks->crls.get(), Clock::now()))
        spdlog::warn("{}", w);
    }
    X509_STORE_CTX_set_error(store, X509_V_OK);
    ok = 1;
  }
  const SSL_verify_cb stream_callback = ssl != nullptr ? SSL_get_verify_callback(ssl) : nullptr;
  return stream_callback != nullptr ? stream_callback(ok, store) : ok;
}

std::string describe_refusal(X509_STORE_CTX* store, const PeerChecks& checks, SSL* ssl) {
  const int error = X509_STORE_CTX_get_error(store);
  const X509* leaf = X509_STORE_CTX_get0_cert(store);
  const X509* cert = X509_STORE_CTX_get_current_cert(store);
  if (cert == nullptr) cert = leaf;
  const std::string detail = X509_verify_cert_error_string(error);
  switch (error) {
    // The sender keeps 200 bytes of a reason: what matters comes first.
    case X509_V_ERR_CERT_REVOKED:
      return "certificate revoked: " + who(cert) + " " + revocation(cert, checks.crls.get()).value_or("") +
             ", on our revocation list (CRL)";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate expired: " + who(cert) + " was valid until " +
             date_text(to_time_point(X509_get0_notAfter(cert))) + "; its owner needs a renewed certificate";
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "certificate not yet valid: " + who(cert) + " is valid from " +
             date_text(to_time_point(X509_get0_notBefore(cert))) + "; check the clocks of both machines";
    case X509_V_ERR_UNABLE_TO_GET_CRL:
      return "certificate refused: our revocation list (CRL) has no list of " + who(leaf) + "'s CA \"" +
             name_text(X509_get_issuer_name(leaf)) + "\"";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "certificate not trusted: " + who(leaf) + ", issued by \"" +
             name_text(X509_get_issuer_name(leaf)) + "\", is not signed by our CA (" + detail + ")";
    default:
      break;
  }
  // The console asked for a host name (SNI); a certificate that does not name it fails the stream's check.
  const char* host = ssl != nullptr ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : nullptr;
  if (host != nullptr && leaf != nullptr &&
      X509_check_host(const_cast<X509*>(leaf), host, 0, 0, nullptr) != 1 &&
      X509_check_ip_asc(const_cast<X509*>(leaf), host, 0) != 1) {
    return "certificate refused: " + who(leaf) + " does not name the host " + core::safe_text(host) +
           " we connected to (its subjectAltName); connect by a name it holds, or reissue it with --host " +
           core::safe_text(host);
  }
  return "certificate refused (" + detail + "): " + who(cert);
}

// The whole verification of a peer's certificate (SSL_CTX_set_cert_verify_callback): OpenSSL's, with our
// CRL, then the pinned fingerprint. A refusal is noted on the SSL for explain_tls_error().
int verify_peer(X509_STORE_CTX* store, void* arg) {
  auto& checks = *static_cast<PeerChecks*>(arg);
  SSL* ssl = ssl_of(store);
  if (checks.crl_file) {
    checks.refresh();
    X509_STORE_CTX_set0_crls(store, checks.crls.get());
    X509_STORE_CTX_set_flags(store, X509_V_FLAG_CRL_CHECK);
    X509_STORE_CTX_set_verify_cb(store, accept_stale_crl);
  }
  int ok = X509_verify_cert(store);
  const X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (ok == 1 && !checks.pinned.empty() && leaf != nullptr && fingerprint_of(leaf) != checks.pinned) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    if (ssl != nullptr) {
      note_refusal(ssl, "certificate is not the pinned one: the peer presented " + who(leaf) + " with " +
                            fingerprint_of(leaf) + ", but " + checks.pinned +
                            " is pinned for it (the [[site]]'s fingerprint). If the site renewed its "
                            "certificate, update the fingerprint; otherwise this is not the site's sender");
    }
    return 0;
  }
  if (ok != 1 && ssl != nullptr) note_refusal(ssl, describe_refusal(store, checks, ssl));
  return ok;
}

}  // namespace

void install_peer_checks(SSL_CTX* ctx, const TlsFiles& files) {
  auto checks = std::make_unique<PeerChecks>();
  checks->pinned = files.pinned_peer;
  if (files.crl) {
    require_file(*files.crl, "CRL", TlsFileError::File::kCrl, kMakeCrl);
    checks->crl_file = files.crl;
    checks->cas = read_certificates(files.ca);
    checks->crls = load_crls(*files.crl, checks->cas);
    std::error_code stamp;
    checks->crl_written = std::filesystem::last_write_time(*files.crl, stamp);
    checks->crl_size = std::filesystem::file_size(*files.crl, stamp);
    for (const auto& w : crl_warnings(*files.crl, checks->crls.get(), Clock::now())) spdlog::warn("{}", w);
  }
  PeerChecks* raw = checks.get();
  SSL_CTX_set_ex_data(ctx, peer_checks_index(), checks.release());
  SSL_CTX_set_cert_verify_callback(ctx, verify_peer, raw);
}

const std::string* noted_refusal(SSL* ssl) {
  return static_cast<const std::string*>(SSL_get_ex_data(ssl, refusal_index()));
}

}  // namespace surgilink::session::tls
