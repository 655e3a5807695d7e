// Identity and revocation (issue 12) with the real programs and real TLS: a site CA made, used, renewed and
// revoked with tools/site-ca.sh as a hospital's IT would; the sender and the console refuse revoked,
// expired, not-yet-valid and unpinned certificates with messages that say which and why, and refuse to
// start with key files others may read.
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "process/child_process.hpp"
#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "test_pki.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

// A sender config for a site CA's identities; `tls_extra` are more [tls] lines (crl = ...).
std::filesystem::path site_sender_config(const std::filesystem::path& dir, const SiteCa& ca,
                                         const IssuedIdentity& sender, const std::filesystem::path& access,
                                         const std::string& tls_extra = {}) {
  const auto path = dir / "sender.toml";
  std::ofstream(path) << "site_name = \"Test OR\"\ncase_pseudonym = \"CASE-ID\"\n"
                      << "[video]\nsource = \"synthetic\"\nprofile = \"720p30\"\n"
                      << "[network]\nbind_address = \"127.0.0.1\"\ncontrol_port = 0\nmedia_port = 0\n"
                      << "[session]\nliveness_s = 120\n"
                      << "[tls]\nca = \"" << ca.ca().string() << "\"\ncertificate = \""
                      << sender.certificate.string() << "\"\nprivate_key = \"" << sender.private_key.string()
                      << "\"\naccess_list = \"" << access.string() << "\"\n"
                      << tls_extra << "\n";
  return path;
}

// A console config for one [[site]] on 127.0.0.1:port; `tls_extra` and `site_extra` are more lines.
std::filesystem::path site_console_config(const std::filesystem::path& dir, const SiteCa& ca,
                                          const IssuedIdentity& person, int port,
                                          const std::string& tls_extra = {},
                                          const std::string& site_extra = {}) {
  const auto path = dir / "console.toml";
  std::ofstream(path) << "[tls]\nca = \"" << ca.ca().string() << "\"\ncertificate = \""
                      << person.certificate.string() << "\"\nprivate_key = \"" << person.private_key.string()
                      << "\"\n"
                      << tls_extra
                      << "\n[[site]]\nname = \"Test OR\"\nhost = \"127.0.0.1\"\ncontrol_port = " << port
                      << "\n"
                      << site_extra << "\n";
  return path;
}

ProgramResult run_console(const std::filesystem::path& config, const std::filesystem::path& dir,
                          double seconds = 10) {
  return run_program({console_program().string(), "--config", config.string(), "--headless", "--seconds",
                      std::to_string(seconds), "--report-json", (dir / "console.json").string()},
                     dir, "console", milliseconds{30000});
}

ProgramResult run_sender_briefly(const std::filesystem::path& config, const std::filesystem::path& dir) {
  return run_program({sender_program().string(), "--config", config.string(), "--seconds", "1"}, dir,
                     "sender", milliseconds{20000});
}

session::TlsFiles client_identity(const SiteCa& ca, const IssuedIdentity& who) {
  return {ca.ca(), who.certificate, who.private_key};
}

std::string crl_line(const std::filesystem::path& crl) { return "crl = \"" + crl.string() + "\""; }

// A site with its CA, its OR sender and one mentor who is served throughout.
class SiteIdentity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir(std::string("identity-") +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ca_.emplace(dir_, "Test Site CA");
    sender_ = ca_->issue_sender("or", "Test OR sender");
    mentor_ = ca_->issue_person("mentor", "Dr. Kept");
  }

  // The mentor is still welcomed: a refusal never stops the sender serving others.
  void expect_mentor_welcomed(const RunningSender& sender) {
    TestControlClient kept(client_identity(*ca_, mentor_));
    const HelloAnswer answer = kept.hello(sender.control_port(), 40120);
    EXPECT_TRUE(answer.welcomed) << answer.refusal << answer.tls_error;
  }

  // `who` (listed in the access list as `name`) says hello to a sender of its own, which tells the first
  // refusal per address and 10 s in full; the mentor is still served. What the console heard, the log.
  struct Refusal {
    std::string heard;
    std::string log;
  };
  Refusal refusal_of(const IssuedIdentity& who, const std::string& name) {
    const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}, {who, name}});
    RunningSender sender(site_sender_config(dir_, *ca_, sender_, access), dir_ / "sender.log");
    TestControlClient client(client_identity(*ca_, who));
    const HelloAnswer answer = client.hello(sender.control_port(), 40127);
    EXPECT_FALSE(answer.welcomed);
    expect_mentor_welcomed(sender);
    EXPECT_EQ(sender.stop(), 0);
    return {answer.tls_error, sender.log()};
  }

  std::filesystem::path dir_;
  std::optional<SiteCa> ca_;
  IssuedIdentity sender_, mentor_;
};

// --- revocation --------------------------------------------------------------------------------------------

TEST_F(SiteIdentity, ARevokedConsoleIsRefusedByTheSenderWhichSaysWhenAndWhy) {
  const auto gone = ca_->issue_person("gone", "Dr. Gone");
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}, {gone, "Dr. Gone"}});
  ca_->revoke(gone, "keyCompromise");
  RunningSender sender(site_sender_config(dir_, *ca_, sender_, access, crl_line(ca_->crl())),
                       dir_ / "sender.log");
  TestControlClient revoked(client_identity(*ca_, gone));
  const HelloAnswer answer = revoked.hello(sender.control_port(), 40121);
  EXPECT_FALSE(answer.welcomed);
  EXPECT_THAT(answer.tls_error, HasSubstr("certificate revoked")) << answer.refusal;
  expect_mentor_welcomed(sender);
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(sender.log(), HasSubstr("TLS handshake failed: certificate revoked: \"Dr. Gone\" since "));
  EXPECT_THAT(sender.log(), HasSubstr(" UTC (key compromise), on our revocation list (CRL)"));
}

TEST_F(SiteIdentity, ARevokedSenderIsRefusedByTheConsole) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  ca_->revoke(sender_, "cessationOfOperation");
  // The sender itself is not told (no crl in its config); the console is.
  RunningSender sender(site_sender_config(dir_, *ca_, sender_, access), dir_ / "sender.log");
  const auto r = run_console(
      site_console_config(dir_, *ca_, mentor_, sender.control_port(), crl_line(ca_->crl())), dir_);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("TLS handshake with Test OR (127.0.0.1:" + std::to_string(sender.control_port()) +
                        "): certificate revoked: \"Test OR sender\" since "));
  EXPECT_THAT(r.err, HasSubstr("(cessation of operation)"));
}

TEST_F(SiteIdentity, ANewRevocationListTakesEffectAtTheNextConnectionWithoutARestart) {
  const auto later = ca_->issue_person("later", "Dr. Later");
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}, {later, "Dr. Later"}});
  RunningSender sender(site_sender_config(dir_, *ca_, sender_, access, crl_line(ca_->crl())),
                       dir_ / "sender.log");
  {
    TestControlClient before(client_identity(*ca_, later));
    EXPECT_TRUE(before.hello(sender.control_port(), 40122).welcomed);
  }
  ca_->revoke(later, "affiliationChanged");  // rewrites the crl.pem the sender reads
  TestControlClient after(client_identity(*ca_, later));
  const HelloAnswer answer = after.hello(sender.control_port(), 40123);
  EXPECT_FALSE(answer.welcomed);
  EXPECT_THAT(answer.tls_error, HasSubstr("certificate revoked"));
  expect_mentor_welcomed(sender);
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(sender.log(), HasSubstr("revocation list " + ca_->crl().string() + " reread: 1 revoked"));
  EXPECT_THAT(sender.log(), HasSubstr("(affiliation changed)"));
}

TEST_F(SiteIdentity, AStaleRevocationListIsAWarningAndItsRevocationsStillApply) {
  const auto gone = ca_->issue_person("gone", "Dr. Gone");
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}, {gone, "Dr. Gone"}});
  ca_->revoke(gone);
  ca_->publish_crl_dated("20240101000000Z", "20240201000000Z");
  RunningSender sender(site_sender_config(dir_, *ca_, sender_, access, crl_line(ca_->crl())),
                       dir_ / "sender.log");
  TestControlClient revoked(client_identity(*ca_, gone));
  EXPECT_THAT(revoked.hello(sender.control_port(), 40124).tls_error, HasSubstr("certificate revoked"));
  expect_mentor_welcomed(sender);
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(sender.log(), HasSubstr("is stale: its next update was due 2024-02-01 00:00 UTC"));
}

TEST_F(SiteIdentity, AMissingOrForeignRevocationListStopsTheStartNamingTheFile) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  const auto missing = dir_ / "no-such-crl.pem";
  auto r = run_sender_briefly(site_sender_config(dir_, *ca_, sender_, access, crl_line(missing)), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("key 'tls.crl': CRL file " + missing.string() + " does not exist"));

  const SiteCa other(dir_ / "other", "Another Site CA");
  r = run_sender_briefly(site_sender_config(dir_, *ca_, sender_, access, crl_line(other.crl())), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("issued by \"Another Site CA\" that our CA file did not sign"));

  r = run_console(site_console_config(dir_, *ca_, mentor_, 7400, crl_line(missing)), dir_, 1);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("key 'tls.crl': CRL file " + missing.string() + " does not exist"));
}

TEST_F(SiteIdentity, RenewingIssuesANewCertificateAndTheSupersededOneIsRefused) {
  const auto renewed_pem = dir_ / "mentor-2027.pem";
  ASSERT_EQ(run_site_ca({"renew", (dir_ / "ca").string(), mentor_.certificate.string(), "mentor-2027",
                         "--out", dir_.string()},
                        dir_ / "renew.log"),
            0)
      << read_text(dir_ / "renew.log");
  const IssuedIdentity renewed{renewed_pem, dir_ / "mentor-2027.key"};
  EXPECT_NE(fingerprint_of(renewed.certificate), fingerprint_of(mentor_.certificate));
  ca_->revoke(mentor_, "superseded");
  const auto access = write_access_list(dir_ / "access.toml", {{renewed, "Dr. Kept"}, {mentor_, "Dr. Kept"}});
  RunningSender sender(site_sender_config(dir_, *ca_, sender_, access, crl_line(ca_->crl())),
                       dir_ / "sender.log");
  TestControlClient old_one(client_identity(*ca_, mentor_));
  EXPECT_THAT(old_one.hello(sender.control_port(), 40125).tls_error, HasSubstr("certificate revoked"));
  TestControlClient new_one(client_identity(*ca_, renewed));
  EXPECT_TRUE(new_one.hello(sender.control_port(), 40126).welcomed);
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(sender.log(), HasSubstr("(superseded)"));
}

// --- validity ----------------------------------------------------------------------------------------------

TEST_F(SiteIdentity, ExpiredAndNotYetValidConsolesAreRefusedWithTheirDates) {
  struct Case {
    const char *file, *name, *not_before, *not_after, *heard, *logged;
  };
  // TLS has no alert for "not yet valid": that console hears "bad certificate"; the sender's log says which.
  for (const Case& c :
       {Case{"lapsed", "Dr. Lapsed", "20200101000000Z", "20200201000000Z", "certificate expired",
             "certificate expired: \"Dr. Lapsed\" was valid until 2020-02-01 00:00 UTC; its owner "
             "needs a renewed certificate"},
        Case{"early", "Dr. Early", "20990101000000Z", "20991231000000Z", "alert bad certificate",
             "certificate not yet valid: \"Dr. Early\" is valid from 2099-01-01 00:00 UTC; check "
             "the clocks of both machines"}}) {
    const auto r = refusal_of(
        ca_->issue_person(c.file, c.name, {"--not-before", c.not_before, "--not-after", c.not_after}),
        c.name);
    EXPECT_THAT(r.heard, HasSubstr(c.heard));
    EXPECT_THAT(r.log, HasSubstr(std::string("TLS handshake failed: ") + c.logged));
  }
}

TEST_F(SiteIdentity, TheConsoleRefusesAnExpiredSenderWithTheDate) {
  const auto lapsed = ca_->issue_sender(
      "or-lapsed", "Lapsed OR sender", {"--not-before", "20200101000000Z", "--not-after", "20200201000000Z"});
  // No sender of ours starts with an expired certificate: a TLS 1.3 server no one here wrote presents it.
  // -www: it answers by itself instead of reading its standard input.
  tools::ChildProcess server({"/usr/bin/openssl", "s_server", "-accept", "127.0.0.1:0", "-tls1_3", "-www",
                              "-cert", lapsed.certificate.string(), "-key", lapsed.private_key.string()},
                             (dir_ / "s_server.err").string());
  int port = 0;
  for (int i = 0; i < 20 && port == 0; ++i) {
    const auto line = server.read_line(milliseconds{1000});
    if (line && line->starts_with("ACCEPT ")) port = std::stoi(line->substr(line->rfind(':') + 1));
  }
  ASSERT_NE(port, 0) << "openssl s_server did not start: " << read_text(dir_ / "s_server.err");
  const auto r = run_console(site_console_config(dir_, *ca_, mentor_, port), dir_);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("certificate expired: \"Lapsed OR sender\" was valid until 2020-02-01 00:00 UTC"));
}

TEST_F(SiteIdentity, ProgramsWhoseOwnCertificateIsNotValidDoNotStart) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  const auto lapsed = ca_->issue_sender(
      "or-lapsed", "Lapsed OR sender", {"--not-before", "20200101000000Z", "--not-after", "20200201000000Z"});
  auto r = run_sender_briefly(site_sender_config(dir_, *ca_, lapsed, access), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("key 'tls.certificate': our certificate " + lapsed.certificate.string() +
                               " (\"Lapsed OR sender\") expired on 2020-02-01 00:00 UTC"));

  const auto early = ca_->issue_person("early", "Dr. Early",
                                       {"--not-before", "20990101000000Z", "--not-after", "20991231000000Z"});
  r = run_console(site_console_config(dir_, *ca_, early, 7400), dir_, 1);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("(\"Dr. Early\") is not valid before 2099-01-01 00:00 UTC"));
}

TEST_F(SiteIdentity, ACertificateAboutToExpireIsAWarningAtStart) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  const auto short_lived = ca_->issue_sender("or-short", "Short OR sender", {"--days", "10"});
  RunningSender sender(site_sender_config(dir_, *ca_, short_lived, access), dir_ / "sender.log");
  expect_mentor_welcomed(sender);
  EXPECT_EQ(sender.stop(), 0);
  EXPECT_THAT(sender.log(), HasSubstr("our certificate " + short_lived.certificate.string() +
                                      " (\"Short OR sender\") expires on "));
  EXPECT_THAT(sender.log(), HasSubstr(", in 9 days: renew it before then"));
}

// --- the console pins its site's sender --------------------------------------------------------------------

TEST_F(SiteIdentity, TheConsoleRefusesASenderThatIsNotThePinnedOneNamingBothFingerprints) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  // Signed by the same CA, valid, naming the same host: only the pin tells them apart.
  const auto real = ca_->issue_sender("or-real", "Real OR sender");
  RunningSender sender(site_sender_config(dir_, *ca_, sender_, access), dir_ / "sender.log");
  const std::string pinned = fingerprint_of(real.certificate);
  const auto r = run_console(
      site_console_config(dir_, *ca_, mentor_, sender.control_port(), {}, "fingerprint = \"" + pinned + "\""),
      dir_);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err,
              HasSubstr("certificate is not the pinned one: the peer presented \"Test OR sender\" with " +
                        fingerprint_of(sender_.certificate) + ", but " + pinned + " is pinned for it"));
  EXPECT_EQ(sender.stop(), 0);
}

TEST_F(SiteIdentity, ThePinnedSenderIsServed) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  RunningSender sender(site_sender_config(dir_, *ca_, sender_, access, crl_line(ca_->crl())),
                       dir_ / "sender.log");
  const auto r =
      run_console(site_console_config(dir_, *ca_, mentor_, sender.control_port(), crl_line(ca_->crl()),
                                      "fingerprint = \"" + fingerprint_of(sender_.certificate) + "\""),
                  dir_, 3);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto report = nlohmann::json::parse(read_text(dir_ / "console.json"));
  EXPECT_GT(report["frames_received"].get<int>(), 10);
}

// --- files others may read or change -----------------------------------------------------------------------

TEST_F(SiteIdentity, AKeyOthersMayReadStopsTheStartWithTheChmodThatFixesIt) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  std::filesystem::permissions(sender_.private_key,
                               std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  auto r = run_sender_briefly(site_sender_config(dir_, *ca_, sender_, access), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("key 'tls.private_key': " + sender_.private_key.string() +
                               " can be read or changed by other users"));
  EXPECT_THAT(r.err, HasSubstr("(mode 0644): run chmod 600 " + sender_.private_key.string()));

  std::filesystem::permissions(mentor_.private_key, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  r = run_console(site_console_config(dir_, *ca_, mentor_, 7400), dir_, 1);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("run chmod 600 " + mentor_.private_key.string()));
}

TEST_F(SiteIdentity, AnAccessListOthersMayChangeStopsTheStart) {
  const auto access = write_access_list(dir_ / "access.toml", {{mentor_, "Dr. Kept"}});
  std::filesystem::permissions(access, std::filesystem::perms::others_write,
                               std::filesystem::perm_options::add);
  const auto r = run_sender_briefly(site_sender_config(dir_, *ca_, sender_, access), dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("key 'tls.access_list': " + access.string() + " can be changed by other users"));
  EXPECT_THAT(r.err, HasSubstr("run chmod go-w " + access.string()));
}

TEST(DevelopmentCertificates, EveryPrivateKeyIsItsOwnersAlone) {
  int keys = 0;
  for (const auto& entry : std::filesystem::directory_iterator(certificate_dir())) {
    if (entry.path().extension() != ".key") continue;
    ++keys;
    EXPECT_EQ(entry.status().permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << entry.path();
  }
  EXPECT_GE(keys, 8);
}

}  // namespace
}  // namespace surgilink::testing
