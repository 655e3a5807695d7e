#include "surgilink/session/tls_identity.hpp"

#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ssl/error.hpp>

#include "surgilink/core/safe_text.hpp"

namespace surgilink::session {

namespace {
constexpr const char* kExporterLabel = "EXTRACTOR-surgilink-srtp";

using Clock = std::chrono::system_clock;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CrlStackFree {
  void operator()(STACK_OF(X509_CRL) * s) const { sk_X509_CRL_pop_free(s, X509_CRL_free); }
};
using Certificate = std::unique_ptr<X509, X509Free>;
using Crl = std::unique_ptr<X509_CRL, CrlFree>;
using CrlStack = std::unique_ptr<STACK_OF(X509_CRL), CrlStackFree>;

using File = TlsFileError::File;

void require_file(const std::filesystem::path& p, const char* what, File which, const char* how_to_make) {
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) {
    throw TlsFileError(which,
                       std::string(what) + " file " + p.string() + " does not exist (" + how_to_make + ")");
  }
  if (!std::ifstream(p).good()) {
    throw TlsFileError(which, std::string("cannot read the ") + what + " file " + p.string() +
                                  " (check its owner and permissions)");
  }
}

constexpr const char* kMakeDevCertificates = "run ./surgilink setup to make development certificates";
constexpr const char* kMakeCrl = "make it with tools/site-ca.sh crl on the site CA and copy it here";

// Every PEM certificate in `file`, in order.
std::vector<Certificate> read_certificates(const std::filesystem::path& file) {
  std::vector<Certificate> out;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) return out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the read that found no further certificate
  return out;
}

// Every PEM CRL in `file`, in order.
std::vector<Crl> read_crls(const std::filesystem::path& file) {
  std::vector<Crl> out;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) return out;
  while (X509_CRL* c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
  ERR_clear_error();
  return out;
}

Clock::time_point to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return Clock::from_time_t(timegm(&tm));
}

std::string date_text(Clock::time_point t) {
  const std::time_t seconds = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%d %H:%M UTC", &tm);
  return text.data();
}

std::string name_text(const X509_NAME* name) {
  std::array<char, 256> cn{};
  if (X509_NAME_get_text_by_NID(name, NID_commonName, cn.data(), cn.size()) > 0)
    return core::safe_text(cn.data());
  std::array<char, 256> line{};
  X509_NAME_oneline(name, line.data(), line.size());
  return core::safe_text(line.data());
}

// "CN" of a certificate, quoted, for messages.
std::string who(const X509* cert) {
  return cert == nullptr ? "(no certificate)" : "\"" + name_text(X509_get_subject_name(cert)) + "\"";
}

std::string fingerprint_of(const X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  X509_digest(cert, EVP_sha256(), digest.data(), &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

const char* revocation_reason(const X509_REVOKED* entry) {
  int critical = 0;
  auto* code =
      static_cast<ASN1_ENUMERATED*>(X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, &critical, nullptr));
  if (code == nullptr) return nullptr;
  const long reason = ASN1_ENUMERATED_get(code);
  ASN1_ENUMERATED_free(code);
  switch (reason) {
    case 1:
      return "key compromise";
    case 2:
      return "CA compromise";
    case 3:
      return "affiliation changed";
    case 4:
      return "superseded";
    case 5:
      return "cessation of operation";
    case 6:
      return "on hold";
    case 9:
      return "privilege withdrawn";
    default:
      return nullptr;
  }
}

// "since <date> (<reason>)" when one of `crls` revokes `cert`; nullopt otherwise.
std::optional<std::string> revocation(const X509* cert, STACK_OF(X509_CRL) * crls) {
  for (int i = 0; cert != nullptr && i < sk_X509_CRL_num(crls); ++i) {
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(sk_X509_CRL_value(crls, i), &entry, const_cast<X509*>(cert)) == 1) {
      std::string text = "since " + date_text(to_time_point(X509_REVOKED_get0_revocationDate(entry)));
      if (const char* reason = revocation_reason(entry)) text += std::string(" (") + reason + ")";
      return text;
    }
  }
  return std::nullopt;
}

// The CRLs of `file`, each signed by one of `cas`, one for each CA. Throws TlsFileError (kCrl).
CrlStack load_crls(const std::filesystem::path& file, const std::vector<Certificate>& cas) {
  std::vector<Crl> crls = read_crls(file);
  if (crls.empty()) {
    throw TlsFileError(File::kCrl,
                       "CRL file " + file.string() +
                           " holds no certificate revocation list (PEM \"X509 CRL\"): " + kMakeCrl);
  }
  std::vector<bool> covered(cas.size(), false);
  for (const auto& crl : crls) {
    bool signed_by_ours = false;
    for (std::size_t i = 0; i < cas.size() && !signed_by_ours; ++i) {
      if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(cas[i].get())) == 0 &&
          X509_CRL_verify(crl.get(), X509_get0_pubkey(cas[i].get())) == 1) {
        signed_by_ours = true;
        covered[i] = true;
      }
    }
    ERR_clear_error();
    if (!signed_by_ours) {
      throw TlsFileError(File::kCrl, "CRL file " + file.string() + " holds a list issued by \"" +
                                         name_text(X509_CRL_get_issuer(crl.get())) +
                                         "\" that our CA file did not sign: copy the site CA's crl.pem");
    }
  }
  for (std::size_t i = 0; i < cas.size(); ++i) {
    if (!covered[i]) {
      throw TlsFileError(File::kCrl, "CRL file " + file.string() + " has no list from the CA " +
                                         who(cas[i].get()) +
                                         ": every certificate it signed would be refused");
    }
  }
  CrlStack stack(sk_X509_CRL_new_null());
  for (auto& crl : crls) sk_X509_CRL_push(stack.get(), crl.release());
  return stack;
}

// Warnings about the CRLs' dates. A stale list is still used: it names every certificate revoked before it
// was made, and refusing everyone because nobody published a new one in time would lock the mentor out of
// a running operation.
std::vector<std::string> crl_warnings(const std::filesystem::path& file, STACK_OF(X509_CRL) * crls,
                                      Clock::time_point now) {
  std::vector<std::string> out;
  for (int i = 0; i < sk_X509_CRL_num(crls); ++i) {
    const X509_CRL* crl = sk_X509_CRL_value(crls, i);
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
    if (next != nullptr && to_time_point(next) < now) {
      out.push_back("the CRL in " + file.string() + " is stale: its next update was due " +
                    date_text(to_time_point(next)) +
                    "; its revocations still apply, but publish a new one (tools/site-ca.sh crl)");
    }
    if (to_time_point(X509_CRL_get0_lastUpdate(crl)) > now + std::chrono::minutes{5}) {
      out.push_back("the CRL in " + file.string() + " was made in the future (" +
                    date_text(to_time_point(X509_CRL_get0_lastUpdate(crl))) +
                    "): check this machine's clock; its revocations apply all the same");
    }
  }
  return out;
}

// Our own certificate at `now`: an error when it is not valid, a warning when it expires soon.
struct OwnValidity {
  std::optional<std::string> error;
  std::optional<std::string> warning;
};
OwnValidity own_validity(const std::filesystem::path& file, const X509* cert, Clock::time_point now) {
  const auto from = to_time_point(X509_get0_notBefore(cert));
  const auto until = to_time_point(X509_get0_notAfter(cert));
  const std::string ours = "our certificate " + file.string() + " (" + who(cert) + ")";
  OwnValidity v;
  if (now < from) {
    v.error = ours + " is not valid before " + date_text(from) + ": check this machine's clock";
  } else if (now > until) {
    v.error = ours + " expired on " + date_text(until) +
              ": peers refuse it; renew it (tools/site-ca.sh renew, README \"Certificates\")";
  } else if (until - now < kCertificateExpiryWarning) {
    const auto days = std::chrono::duration_cast<std::chrono::days>(until - now).count();
    v.warning = ours + " expires on " + date_text(until) + ", in " + std::to_string(days) +
                (days == 1 ? " day" : " days") + ": renew it before then (tools/site-ca.sh renew)";
  }
  return v;
}

std::optional<std::string> permission_problem(const std::filesystem::path& file,
                                              std::filesystem::perms forbidden, const char* what,
                                              const char* chmod) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec) return std::nullopt;  // a missing file is reported as missing
  const auto perms = status.permissions();
  if ((perms & forbidden) == std::filesystem::perms::none) return std::nullopt;
  std::array<char, 8> mode{};
  std::snprintf(mode.data(), mode.size(), "%04o", static_cast<unsigned>(perms) & 07777U);
  return file.string() + " " + what + " (mode " + mode.data() + "): run chmod " + chmod + " " + file.string();
}

// --- what a context checks in each handshake ---------------------------------------------------------------

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

std::optional<std::string> key_file_exposed(const std::filesystem::path& file) {
  using std::filesystem::perms;
  return permission_problem(file, perms::group_all | perms::others_all,
                            "can be read or changed by other users: a private key must be its owner's alone",
                            "600");
}

std::optional<std::string> trust_file_exposed(const std::filesystem::path& file) {
  using std::filesystem::perms;
  return permission_problem(file, perms::group_write | perms::others_write,
                            "can be changed by other users, who could then decide whom this program trusts",
                            "go-w");
}

std::vector<std::string> check_tls_files(const TlsFiles& files, Clock::time_point now) {
  require_file(files.ca, "CA certificate", File::kCa, kMakeDevCertificates);
  require_file(files.certificate, "certificate", File::kCertificate, kMakeDevCertificates);
  require_file(files.private_key, "private key", File::kPrivateKey, kMakeDevCertificates);
  if (files.crl) require_file(*files.crl, "CRL", File::kCrl, kMakeCrl);
  if (auto problem = key_file_exposed(files.private_key)) throw TlsFileError(File::kPrivateKey, *problem);
  if (auto problem = trust_file_exposed(files.ca)) throw TlsFileError(File::kCa, *problem);
  if (files.crl) {
    if (auto problem = trust_file_exposed(*files.crl)) throw TlsFileError(File::kCrl, *problem);
  }

  const auto cas = read_certificates(files.ca);
  if (cas.empty())
    throw TlsFileError(File::kCa, "CA file " + files.ca.string() + " holds no PEM certificate");
  const auto chain = read_certificates(files.certificate);
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
  const auto validity = own_validity(files.certificate, chain.front().get(), now);
  if (validity.error) throw TlsFileError(File::kCertificate, *validity.error);
  if (validity.warning) warnings.push_back(*validity.warning);

  if (files.crl) {
    const CrlStack crls = load_crls(*files.crl, cas);
    if (const auto revoked = revocation(chain.front().get(), crls.get())) {
      throw TlsFileError(File::kCertificate, "our certificate " + files.certificate.string() + " (" +
                                                 who(chain.front().get()) +
                                                 ") is on our own revocation list " + files.crl->string() +
                                                 " " + *revoked + ": peers refuse it; install a new one");
    }
    for (auto& w : crl_warnings(*files.crl, crls.get(), now)) warnings.push_back(std::move(w));
  }
  return warnings;
}

boost::asio::ssl::context make_tls_context(const TlsFiles& files, bool server) {
  using boost::asio::ssl::context;
  context ctx(server ? context::tls_server : context::tls_client);
  require_file(files.ca, "CA certificate", File::kCa, kMakeDevCertificates);
  require_file(files.certificate, "certificate", File::kCertificate, kMakeDevCertificates);
  require_file(files.private_key, "private key", File::kPrivateKey, kMakeDevCertificates);
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
    const auto validity = own_validity(files.certificate, ours, now);
    if (validity.error) spdlog::error("{}", *validity.error);
    if (validity.warning) spdlog::warn("{}", *validity.warning);
  }
  auto checks = std::make_unique<PeerChecks>();
  checks->pinned = files.pinned_peer;
  if (files.crl) {
    require_file(*files.crl, "CRL", File::kCrl, kMakeCrl);
    checks->crl_file = files.crl;
    checks->cas = read_certificates(files.ca);
    checks->crls = load_crls(*files.crl, checks->cas);
    std::error_code stamp;
    checks->crl_written = std::filesystem::last_write_time(*files.crl, stamp);
    checks->crl_size = std::filesystem::file_size(*files.crl, stamp);
    for (const auto& w : crl_warnings(*files.crl, checks->crls.get(), now)) spdlog::warn("{}", w);
  }
  PeerChecks* raw = checks.get();
  SSL_CTX_set_ex_data(ctx.native_handle(), peer_checks_index(), checks.release());
  SSL_CTX_set_cert_verify_callback(ctx.native_handle(), verify_peer, raw);
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
  std::string out = fingerprint_of(cert);
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
    if (const auto* why = static_cast<const std::string*>(SSL_get_ex_data(ssl, refusal_index()))) return *why;
  }
  return explain_tls_error(ec);
}

}  // namespace surgilink::session
