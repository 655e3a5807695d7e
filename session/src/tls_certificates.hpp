#pragma once
// Reading and judging the X.509 files of a TLS identity (private to the session library): PEM certificates
// and CRLs, their dates and names for messages, revocation, our own certificate's validity and the
// permissions of key and trust files. Plain functions; any thread.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "surgilink/session/tls_identity.hpp"

namespace surgilink::session::tls {

using Clock = std::chrono::system_clock;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CrlStackFree {
  void operator()(STACK_OF(X509_CRL) * s) const { sk_X509_CRL_pop_free(s, X509_CRL_free); }
};
using Certificate = std::unique_ptr<X509, X509Free>;
using CrlStack = std::unique_ptr<STACK_OF(X509_CRL), CrlStackFree>;

// What a message about a missing file tells a person to do.
inline constexpr const char* kMakeDevCertificates = "run ./surgilink setup to make development certificates";
inline constexpr const char* kMakeCrl = "make it with tools/site-ca.sh crl on the site CA and copy it here";

// Throws TlsFileError(`which`) when `p` does not exist or cannot be read.
void require_file(const std::filesystem::path& p, const char* what, TlsFileError::File which,
                  const char* how_to_make);

// Every PEM certificate in `file`, in order; none if it cannot be read.
std::vector<Certificate> read_certificates(const std::filesystem::path& file);

Clock::time_point to_time_point(const ASN1_TIME* t);
// "2026-12-03 11:33 UTC".
std::string date_text(Clock::time_point t);
// The common name (else the whole name), safe for a log line.
std::string name_text(const X509_NAME* name);
// A certificate's common name in quotes, for messages.
std::string who(const X509* cert);
// As peer_fingerprint() writes it.
std::string fingerprint_of(const X509* cert);

// "since <date> (<reason>)" when one of `crls` revokes `cert`; nullopt otherwise.
std::optional<std::string> revocation(const X509* cert, STACK_OF(X509_CRL) * crls);
// The CRLs of `file`, each signed by one of `cas`, one for each CA. Throws TlsFileError (kCrl).
CrlStack load_crls(const std::filesystem::path& file, const std::vector<Certificate>& cas);
// Warnings about the CRLs' dates (past their next update, made in the future).
std::vector<std::string> crl_warnings(const std::filesystem::path& file, STACK_OF(X509_CRL) * crls,
                                      Clock::time_point now);

// Our own certificate at `now`: an error when it is not valid, a warning when it expires soon.
struct OwnValidity {
  std::optional<std::string> error;
  std::optional<std::string> warning;
};
OwnValidity own_validity(const std::filesystem::path& file, const X509* cert, Clock::time_point now);

// When `file`'s mode has any of `forbidden`: "<file> <what> (mode 0644): run chmod <chmod> <file>".
std::optional<std::string> permission_problem(const std::filesystem::path& file,
                                              std::filesystem::perms forbidden, const char* what,
                                              const char* chmod);

}  // namespace surgilink::session::tls
