#include "surgilink/session/access_list.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "surgilink/core/config.hpp"

namespace surgilink::session {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string kMentorFingerprint =
    "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const std::string kObserverFingerprint =
    "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
const std::string kDefaultRoleFingerprint =
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

class AccessListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("surgilink_access_list_test_" + std::to_string(::getpid()) + "_" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::filesystem::path write(const std::string& text) {
    const std::filesystem::path file = dir_ / "access.toml";
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    return file;
  }

  // Loads `text` and returns the ConfigError message, or a marker if none was thrown.
  std::string load_error(const std::string& text) {
    const std::filesystem::path file = write(text);
    try {
      AccessList::load(file);
    } catch (const core::ConfigError& e) {
      return e.what();
    }
    return "<no ConfigError thrown>";
  }

  std::string file_name() const { return (dir_ / "access.toml").string(); }

  std::filesystem::path dir_;
};

TEST_F(AccessListTest, LoadsValidListAndFindsByFingerprint) {
  const auto file = write(
      "# Who may join this operating room.\n"
      "[[person]]\n"
      "name = \"Dr. Ada Mentor\"\n"
      "fingerprint = \"" +
      kMentorFingerprint +
      "\"\n"
      "role = \"mentor\"\n"
      "\n"
      "[[person]]\n"
      "name = \"Student Observer\"\n"
      "fingerprint = \"" +
      kObserverFingerprint +
      "\"\n"
      "role = \"observer\"\n"
      "\n"
      "[[person]]\n"
      "name = \"Default Role\"\n"
      "fingerprint = \"" +
      kDefaultRoleFingerprint + "\"\n");
  const AccessList list = AccessList::load(file);
  EXPECT_EQ(list.size(), 3u);

  const auto mentor = list.find(kMentorFingerprint);
  ASSERT_TRUE(mentor.has_value());
  EXPECT_EQ(mentor->name, "Dr. Ada Mentor");
  EXPECT_EQ(mentor->role, Role::kMentor);

  const auto observer = list.find(kObserverFingerprint);
  ASSERT_TRUE(observer.has_value());
  EXPECT_EQ(observer->name, "Student Observer");
  EXPECT_EQ(observer->role, Role::kObserver);

  const auto defaulted = list.find(kDefaultRoleFingerprint);
  ASSERT_TRUE(defaulted.has_value());
  EXPECT_EQ(defaulted->role, Role::kObserver);  // the least privilege when no role is given
}

TEST_F(AccessListTest, UnknownFingerprintIsNotFound) {
  const auto file = write("[[person]]\nname = \"A\"\nfingerprint = \"" + kMentorFingerprint + "\"\n");
  const AccessList list = AccessList::load(file);
  EXPECT_FALSE(list.find(kObserverFingerprint).has_value());
  EXPECT_FALSE(list.find("").has_value());
  // Lookup is exact: no case folding, no prefix matching.
  std::string upper = kMentorFingerprint;
  upper[7] = 'A';
  upper.replace(0, 7, "SHA256:");
  EXPECT_FALSE(list.find(upper).has_value());
  EXPECT_FALSE(list.find(kMentorFingerprint.substr(0, 20)).has_value());
}

TEST_F(AccessListTest, EmptyFileIsAnEmptyList) {
  const AccessList list = AccessList::load(write("# nobody yet\n"));
  EXPECT_EQ(list.size(), 0u);
  EXPECT_FALSE(list.find(kMentorFingerprint).has_value());
}

TEST_F(AccessListTest, AddAndRoleNames) {
  AccessList list;
  list.add(kMentorFingerprint, AccessEntry{"Ada", Role::kMentor});
  ASSERT_TRUE(list.find(kMentorFingerprint).has_value());
  EXPECT_EQ(list.find(kMentorFingerprint)->name, "Ada");
  list.add(kMentorFingerprint, AccessEntry{"Ada", Role::kObserver});  // replaces
  EXPECT_EQ(list.size(), 1u);
  EXPECT_EQ(list.find(kMentorFingerprint)->role, Role::kObserver);
  EXPECT_STREQ(role_name(Role::kMentor), "mentor");
  EXPECT_STREQ(role_name(Role::kObserver), "observer");
}

TEST_F(AccessListTest, MalformedFingerprintMessageNamesLineAndDottedKey) {
  const std::string message = load_error(
      "[[person]]\n"
      "name = \"A\"\n"
      "fingerprint = \"" +
      kMentorFingerprint +
      "\"\n"
      "\n"
      "[[person]]\n"
      "name = \"B\"\n"
      "fingerprint = \"sha256:0123\"\n");
  EXPECT_THAT(message, StartsWith(file_name() + ":7: key 'person[1].fingerprint': "));
  EXPECT_THAT(message, HasSubstr("64 lowercase hex digits"));
}

TEST_F(AccessListTest, EachMalformedFingerprintIsRejected) {
  const std::string bad_fingerprints[] = {
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",          // no prefix
      "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",   // upper case
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",    // 63 digits
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",  // 65 digits
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",   // not hex
      "sha256:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab",  // colons
      "sha1:0123456789abcdef0123456789abcdef01234567",
      "",
  };
  for (const std::string& fingerprint : bad_fingerprints) {
    const std::string message = load_error(
        "[[person]]\n"
        "name = \"A\"\n"
        "fingerprint = \"" +
        fingerprint + "\"\n");
    EXPECT_THAT(message, StartsWith(file_name() + ":3: key 'person[0].fingerprint': ")) << fingerprint;
    EXPECT_THAT(message, HasSubstr("sha256:")) << fingerprint;
  }
}

TEST_F(AccessListTest, MissingFingerprintOrNameIsRequired) {
  EXPECT_THAT(
      load_error("[[person]]\nname = \"A\"\n"),
      ::testing::AllOf(StartsWith(file_name() + ":1: key 'person[0].fingerprint': "), HasSubstr("required")));
  EXPECT_THAT(
      load_error("\n[[person]]\nfingerprint = \"" + kMentorFingerprint + "\"\n"),
      ::testing::AllOf(StartsWith(file_name() + ":2: key 'person[0].name': "), HasSubstr("required")));
}

TEST_F(AccessListTest, UnknownKeyInPersonIsRejected) {
  const std::string message = load_error(
      "[[person]]\n"
      "name = \"A\"\n"
      "fingerprint = \"" +
      kMentorFingerprint +
      "\"\n"
      "rol = \"mentor\"\n");
  EXPECT_THAT(message, StartsWith(file_name() + ":4: key 'person[0].rol': "));
  EXPECT_THAT(message, HasSubstr("unknown"));
}

TEST_F(AccessListTest, UnknownTopLevelKeyIsRejected) {
  const std::string message = load_error(
      "version = 1\n"
      "[[person]]\n"
      "name = \"A\"\n"
      "fingerprint = \"" +
      kMentorFingerprint + "\"\n");
  EXPECT_THAT(message, StartsWith(file_name() + ":1: key 'version': "));
}

TEST_F(AccessListTest, BadRoleIsRejected) {
  const std::string message = load_error(
      "[[person]]\n"
      "name = \"A\"\n"
      "fingerprint = \"" +
      kMentorFingerprint +
      "\"\n"
      "role = \"surgeon\"\n");
  EXPECT_THAT(message, StartsWith(file_name() + ":4: key 'person[0].role': "));
  EXPECT_THAT(message, HasSubstr("'surgeon'"));
  EXPECT_THAT(message, HasSubstr("mentor"));
  EXPECT_THAT(message, HasSubstr("observer"));
}

TEST_F(AccessListTest, RoleOfWrongTypeIsRejected) {
  const std::string message = load_error(
      "[[person]]\n"
      "name = \"A\"\n"
      "fingerprint = \"" +
      kMentorFingerprint +
      "\"\n"
      "role = 1\n");
  EXPECT_THAT(message, StartsWith(file_name() + ":4: key 'person[0].role': "));
}

TEST_F(AccessListTest, MissingFileIsAConfigError) {
  const std::filesystem::path missing = dir_ / "absent.toml";
  try {
    AccessList::load(missing);
    FAIL() << "no ConfigError thrown";
  } catch (const core::ConfigError& e) {
    EXPECT_THAT(e.what(), StartsWith(missing.string()));
  }
}

}  // namespace
}  // namespace surgilink::session
