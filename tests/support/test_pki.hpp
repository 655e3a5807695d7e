#pragma once
// Certificates for tests: the development PKI (tools/make-dev-certs.sh) and site CAs made with the admin's
// own script (tools/site-ca.sh), so the tests issue, renew and revoke as a hospital's IT would.

#include <filesystem>
#include <string>
#include <vector>

namespace surgilink::testing {

// The development certificates, made once per build tree (shared by every test program; safe to call from
// test processes running at once).
std::filesystem::path dev_certificate_dir();

// The files of one identity a site CA issued.
struct IssuedIdentity {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
};

// A site CA in a folder of its own, driven through tools/site-ca.sh. Each call fails the current test (and
// returns empty paths) when the script fails.
class SiteCa {
 public:
  // Makes a new CA "<name>" in `dir`/ca (dir is created).
  SiteCa(const std::filesystem::path& dir, const std::string& name);
  // A sender's certificate for 127.0.0.1 and localhost; `extra` are more options (--days, --not-before ...).
  IssuedIdentity issue_sender(const std::string& file_name, const std::string& common_name,
                              const std::vector<std::string>& extra = {});
  // A person's (console's) certificate.
  IssuedIdentity issue_person(const std::string& file_name, const std::string& common_name,
                              const std::vector<std::string>& extra = {});
  // Revokes and writes a new CRL (crl()).
  void revoke(const IssuedIdentity& who, const std::string& reason = "keyCompromise");
  // A fresh CRL valid `days`.
  void publish_crl(int days = 30);
  // A CRL made at `last_update`, due again at `next_update` (YYYYMMDDHHMMSSZ): a stale one, for tests.
  void publish_crl_dated(const std::string& last_update, const std::string& next_update);
  std::filesystem::path ca() const { return dir_ / "ca" / "ca.pem"; }
  std::filesystem::path crl() const { return dir_ / "ca" / "crl.pem"; }
  std::filesystem::path dir() const { return dir_; }

 private:
  IssuedIdentity issue(const std::string& kind, const std::string& file_name, const std::string& common_name,
                       std::vector<std::string> extra);
  std::filesystem::path dir_;
};

// tools/site-ca.sh with `args`; its exit code (its output goes to `log` when given).
int run_site_ca(const std::vector<std::string>& args, const std::filesystem::path& log = {});

// "sha256:..." of a PEM certificate, as SurgiLink writes fingerprints (tools/site-ca.sh fingerprint).
std::string fingerprint_of(const std::filesystem::path& certificate);

// An access list (access.toml) naming `mentors` by their certificates, as mentors.
std::filesystem::path write_access_list(const std::filesystem::path& file,
                                        const std::vector<std::pair<IssuedIdentity, std::string>>& mentors);

}  // namespace surgilink::testing
