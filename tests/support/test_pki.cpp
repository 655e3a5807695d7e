#include "test_pki.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <sys/wait.h>

#include <gtest/gtest.h>

namespace surgilink::testing {

namespace {

const std::filesystem::path kTools = std::filesystem::path(SURGILINK_SOURCE_DIR) / "tools";

// One word for sh -c, whatever it holds.
std::string shell_word(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(const std::filesystem::path& program, const std::vector<std::string>& args) {
  std::string line = shell_word(program.string());
  for (const auto& a : args) line += " " + shell_word(a);
  return line;
}

}  // namespace

std::filesystem::path dev_certificate_dir() {
  static std::once_flag once;
  const auto dir = std::filesystem::path(SURGILINK_BINARY_DIR) / "test-certs";
  std::call_once(once, [&] {
    const std::string command = command_line(kTools / "make-dev-certs.sh", {dir.string()}) + " > /dev/null";
    if (std::system(command.c_str()) != 0)
      throw std::runtime_error("cannot make test certificates: " + command);
  });
  return dir;
}

int run_site_ca(const std::vector<std::string>& args, const std::filesystem::path& log) {
  const std::string command = command_line(kTools / "site-ca.sh", args) + " >> " +
                              shell_word(log.empty() ? "/dev/null" : log.string()) + " 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

SiteCa::SiteCa(const std::filesystem::path& dir, const std::string& name) : dir_(dir) {
  std::filesystem::create_directories(dir_);
  EXPECT_EQ(run_site_ca({"init", (dir_ / "ca").string(), name}, dir_ / "site-ca.log"), 0)
      << "tools/site-ca.sh init failed; see " << (dir_ / "site-ca.log");
}

IssuedIdentity SiteCa::issue(const std::string& kind, const std::string& file_name,
                             const std::string& common_name, std::vector<std::string> extra) {
  std::vector<std::string> args = {"issue", (dir_ / "ca").string(), kind, file_name, common_name,
                                   "--out", dir_.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  if (run_site_ca(args, dir_ / "site-ca.log") != 0) {
    ADD_FAILURE() << "tools/site-ca.sh issue " << file_name << " failed; see " << (dir_ / "site-ca.log");
    return {};
  }
  return {dir_ / (file_name + ".pem"), dir_ / (file_name + ".key")};
}

IssuedIdentity SiteCa::issue_sender(const std::string& file_name, const std::string& common_name,
                                    const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"--host", "127.0.0.1", "--host", "localhost"};
  args.insert(args.end(), extra.begin(), extra.end());
  return issue("sender", file_name, common_name, args);
}

IssuedIdentity SiteCa::issue_person(const std::string& file_name, const std::string& common_name,
                                    const std::vector<std::string>& extra) {
  return issue("person", file_name, common_name, extra);
}

void SiteCa::revoke(const IssuedIdentity& who, const std::string& reason) {
  EXPECT_EQ(
      run_site_ca({"revoke", (dir_ / "ca").string(), who.certificate.string(), reason}, dir_ / "site-ca.log"),
      0)
      << "tools/site-ca.sh revoke failed; see " << (dir_ / "site-ca.log");
}

void SiteCa::publish_crl(int days) {
  EXPECT_EQ(
      run_site_ca({"crl", (dir_ / "ca").string(), "--days", std::to_string(days)}, dir_ / "site-ca.log"), 0);
}

void SiteCa::publish_crl_dated(const std::string& last_update, const std::string& next_update) {
  const std::string command = "cd " + shell_word((dir_ / "ca").string()) +
                              " && openssl ca -config openssl.cnf -batch -gencrl -crl_lastupdate " +
                              shell_word(last_update) + " -crl_nextupdate " + shell_word(next_update) +
                              " -out crl.pem >> " + shell_word((dir_ / "site-ca.log").string()) + " 2>&1";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

std::string fingerprint_of(const std::filesystem::path& certificate) {
  const std::string command = command_line(kTools / "site-ca.sh", {"fingerprint", certificate.string()});
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  std::array<char, 128> chunk{};
  while (pipe && std::fgets(chunk.data(), chunk.size(), pipe.get()) != nullptr) out += chunk.data();
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::filesystem::path write_access_list(const std::filesystem::path& file,
                                        const std::vector<std::pair<IssuedIdentity, std::string>>& mentors) {
  std::ofstream out(file);
  for (const auto& [who, name] : mentors) {
    out << "[[person]]\nfingerprint = \"" << fingerprint_of(who.certificate) << "\"\nname = \"" << name
        << "\"\nrole = \"mentor\"\n";
  }
  return file;
}

}  // namespace surgilink::testing
