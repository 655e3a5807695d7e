// The start-up checks of a TLS identity (check_tls_files), at any moment of its life (the clock is a
// parameter), and the words explain_tls_error finds for what a peer's alert means.
#include "surgilink/session/tls_identity.hpp"

#include <unistd.h>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <boost/asio/ssl/error.hpp>

#include "test_pki.hpp"

namespace surgilink::session {
namespace {

using std::chrono::system_clock;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A copy of the development mentor's identity in a folder of its own (its modes are the test's to change).
TlsFiles copied_identity(const std::string& name) {
  const auto dir =
      fs::temp_directory_path() / ("surgilink-tls-identity-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto dev = testing::dev_certificate_dir();
  for (const char* f : {"ca.pem", "mentor.pem", "mentor.key"}) fs::copy_file(dev / f, dir / f);
  return {dir / "ca.pem", dir / "mentor.pem", dir / "mentor.key"};
}

system_clock::time_point not_after(const fs::path& certificate) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(certificate.c_str(), "r"), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr),
                                                X509_free);
  std::tm tm{};
  ASN1_TIME_to_tm(X509_get0_notAfter(x.get()), &tm);
  return system_clock::from_time_t(timegm(&tm));
}

TlsFileError::File failing_file(const TlsFiles& files, system_clock::time_point now, std::string& message) {
  try {
    check_tls_files(files, now);
  } catch (const TlsFileError& e) {
    message = e.what();
    return e.file();
  }
  ADD_FAILURE() << "check_tls_files accepted the files";
  return TlsFileError::File::kCa;
}

TEST(TlsIdentityCheck, TheDevelopmentIdentityPassesWithoutWarnings) {
  const auto files = copied_identity("dev");
  EXPECT_TRUE(check_tls_files(files, system_clock::now()).empty());
}

TEST(TlsIdentityCheck, OurCertificateWarnsInItsLastMonthAndFailsOnceExpired) {
  const auto files = copied_identity("expiry");
  const auto until = not_after(files.certificate);
  const auto warnings = check_tls_files(files, until - std::chrono::days{10} - std::chrono::hours{1});
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_THAT(warnings[0], HasSubstr("(\"Dr. Dev Mentor\") expires on "));
  EXPECT_THAT(warnings[0], HasSubstr("in 10 days: renew it before then"));
  EXPECT_TRUE(check_tls_files(files, until - kCertificateExpiryWarning - std::chrono::hours{1}).empty());

  std::string message;
  EXPECT_EQ(failing_file(files, until + std::chrono::hours{1}, message), TlsFileError::File::kCertificate);
  EXPECT_THAT(message, HasSubstr("our certificate " + files.certificate.string() +
                                 " (\"Dr. Dev Mentor\") expired on "));
  EXPECT_EQ(failing_file(files, system_clock::from_time_t(0), message), TlsFileError::File::kCertificate);
  EXPECT_THAT(message, HasSubstr("is not valid before "));
}

TEST(TlsIdentityCheck, AKeyOthersMayReadOrChangeIsRefusedWithTheChmod) {
  auto files = copied_identity("key-mode");
  std::string message;
  for (const auto extra : {fs::perms::group_read, fs::perms::others_read, fs::perms::others_write}) {
    fs::permissions(files.private_key, fs::perms::owner_read | fs::perms::owner_write | extra);
    EXPECT_EQ(failing_file(files, system_clock::now(), message), TlsFileError::File::kPrivateKey);
    EXPECT_THAT(message, HasSubstr("run chmod 600 " + files.private_key.string()));
  }
  fs::permissions(files.private_key, fs::perms::owner_read);
  EXPECT_NO_THROW(check_tls_files(files, system_clock::now()));
}

TEST(TlsIdentityCheck, ACaOthersMayChangeIsRefused) {
  const auto files = copied_identity("ca-mode");
  fs::permissions(files.ca, fs::perms::group_write, fs::perm_options::add);
  std::string message;
  EXPECT_EQ(failing_file(files, system_clock::now(), message), TlsFileError::File::kCa);
  EXPECT_THAT(message, HasSubstr("run chmod go-w " + files.ca.string()));
  EXPECT_FALSE(trust_file_exposed(files.certificate).has_value()) << "0644 is fine for what is public";
}

TEST(TlsIdentityCheck, AKeyOfAnotherCertificateIsRefused) {
  auto files = copied_identity("other-key");
  fs::copy_file(testing::dev_certificate_dir() / "observer.key", files.private_key,
                fs::copy_options::overwrite_existing);
  std::string message;
  EXPECT_EQ(failing_file(files, system_clock::now(), message), TlsFileError::File::kPrivateKey);
  EXPECT_THAT(message, HasSubstr("does not match certificate"));
}

TEST(TlsIdentityCheck, TheCrlMustExistBeACrlAndComeFromOurCa) {
  auto files = copied_identity("crl");
  std::string message;
  files.crl = files.ca.parent_path() / "crl.pem";
  EXPECT_EQ(failing_file(files, system_clock::now(), message), TlsFileError::File::kCrl);
  EXPECT_THAT(message, HasSubstr("does not exist"));
  std::ofstream(*files.crl) << "not a list\n";
  EXPECT_EQ(failing_file(files, system_clock::now(), message), TlsFileError::File::kCrl);
  EXPECT_THAT(message, HasSubstr("holds no certificate revocation list"));
  const testing::SiteCa other(files.ca.parent_path() / "other", "Other Site CA");
  files.crl = other.crl();
  EXPECT_EQ(failing_file(files, system_clock::now(), message), TlsFileError::File::kCrl);
  EXPECT_THAT(message, HasSubstr("issued by \"Other Site CA\" that our CA file did not sign"));
}

TEST(TlsIdentityCheck, OurOwnRevokedCertificateIsRefusedAndAStaleListIsAWarning) {
  const auto dir =
      fs::temp_directory_path() / ("surgilink-tls-identity-" + std::to_string(getpid()) + "-site");
  fs::remove_all(dir);
  testing::SiteCa ca(dir, "Unit Site CA");
  const auto kept = ca.issue_person("kept", "Dr. Kept");
  const auto gone = ca.issue_person("gone", "Dr. Gone");
  ca.revoke(gone, "superseded");
  TlsFiles files{ca.ca(), kept.certificate, kept.private_key, ca.crl()};
  EXPECT_TRUE(check_tls_files(files, system_clock::now()).empty());
  const auto stale = check_tls_files(files, system_clock::now() + std::chrono::days{31});
  ASSERT_FALSE(stale.empty());
  EXPECT_THAT(stale.back(), HasSubstr("is stale: its next update was due"));

  files.certificate = gone.certificate;
  files.private_key = gone.private_key;
  std::string message;
  EXPECT_EQ(failing_file(files, system_clock::now(), message), TlsFileError::File::kCertificate);
  EXPECT_THAT(message, HasSubstr("(\"Dr. Gone\") is on our own revocation list"));
  EXPECT_THAT(message, HasSubstr("(superseded)"));
}

TEST(TlsIdentityCheck, FingerprintsAreWrittenOneWay) {
  EXPECT_TRUE(is_fingerprint("sha256:" + std::string(64, 'a')));
  EXPECT_TRUE(is_fingerprint("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(is_fingerprint("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(is_fingerprint("sha256:" + std::string(63, 'a')));
  EXPECT_FALSE(is_fingerprint("sha1:" + std::string(64, 'a')));
  EXPECT_FALSE(is_fingerprint(""));
}

boost::system::error_code alert(int reason) {
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS, nullptr);  // as making any TLS context does
  return {static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, reason)), boost::asio::error::get_ssl_category()};
}

TEST(ExplainTlsError, APeersAlertSaysWhatIsWrongWithOurCertificate) {
  EXPECT_THAT(explain_tls_error(alert(SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED)),
              HasSubstr("has revoked our certificate"));
  EXPECT_THAT(explain_tls_error(alert(SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED)),
              HasSubstr("renew our certificate, or check the clocks"));
  EXPECT_THAT(explain_tls_error(alert(SSL_R_TLSV1_ALERT_UNKNOWN_CA)),
              HasSubstr("our certificate is not signed by a CA the peer trusts"));
  EXPECT_THAT(explain_tls_error(alert(SSL_R_SSLV3_ALERT_BAD_CERTIFICATE)),
              HasSubstr("certificate refused by the peer"));
  // Without a reason noted on the connection, a verification failure here does not guess one.
  EXPECT_THAT(explain_tls_error(alert(SSL_R_CERTIFICATE_VERIFY_FAILED), nullptr),
              HasSubstr("did not pass our checks"));
}

}  // namespace
}  // namespace surgilink::session
