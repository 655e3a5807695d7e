#include "tls_certificates.hpp"

#include <array>
#include <cstdio>
#include <ctime>
#include <fstream>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "surgilink/core/safe_text.hpp"

namespace surgilink::session::tls {

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

std::vector<Certificate> read_certificates(const std::filesystem::path& file) {
  std::vector<Certificate> out;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) return out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the read that found no further certificate
  return out;
}

namespace {

struct CrlFree {
  void operator()(X509_CRL* c) const { X509_CRL_free(c); }
};
using Crl = std::unique_ptr<X509_CRL, CrlFree>;

// Every PEM CRL in `file`, in order.
std::vector<Crl> read_crls(const std::filesystem::path& file) {
  std::vector<Crl> out;
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) return out;
  while (X509_CRL* c = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
  ERR_clear_error();
  return out;
}

}  // namespace

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

namespace {

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

}  // namespace

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

}  // namespace surgilink::session::tls
