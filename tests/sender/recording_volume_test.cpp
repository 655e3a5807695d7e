// Where recordings may rest: the check reads the machine's devices from sysfs, described here by hand.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fstream>

#include "recording_volume.hpp"

namespace surgilink::sender {
namespace {

// A fake /sys for the folder `folder` lives on: its device (MAJ:MIN from stat) is described by `build`.
class FakeSysfs : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("surgilink-sysfs-" + std::to_string(getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    folder_ = root_ / "recordings";
    std::filesystem::create_directories(folder_);
    struct stat st {};
    ::stat(folder_.c_str(), &st);
    id_ = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
    std::ofstream(root_ / "mountinfo") << "27 1 " << id_ << " / / rw - ext4 /dev/x rw\n";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // A block device named `name`, reachable as /sys/class/block/NAME; `dev` links /sys/dev/block/ID to it.
  std::filesystem::path device(const std::string& name, bool dev_link = false) {
    const auto d = root_ / "sys" / "devices" / "virtual" / "block" / name;
    std::filesystem::create_directories(d);
    std::filesystem::create_directories(root_ / "sys" / "class" / "block");
    std::filesystem::create_directory_symlink(d, root_ / "sys" / "class" / "block" / name);
    if (dev_link) {
      std::filesystem::create_directories(root_ / "sys" / "dev" / "block");
      std::filesystem::create_directory_symlink(d, root_ / "sys" / "dev" / "block" / id_);
    }
    return d;
  }
  static void write(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text << "\n";
  }
  VolumeProtection check() { return volume_protection(folder_, root_ / "sys", root_ / "mountinfo"); }

  std::filesystem::path root_, folder_;
  std::string id_;
};

TEST_F(FakeSysfs, APlainDiskIsNotEncrypted) {
  device("vda", true);
  const auto v = check();
  EXPECT_FALSE(v.encrypted);
  EXPECT_NE(v.how.find("vda (" + id_ + "), which is not encrypted"), std::string::npos) << v.how;
}

TEST_F(FakeSysfs, ALuksVolumeIsEncrypted) {
  const auto dm = device("dm-0", true);
  write(dm / "dm" / "uuid", "CRYPT-LUKS2-0123456789abcdef-luks-root");
  const auto v = check();
  EXPECT_TRUE(v.encrypted) << v.how;
  EXPECT_NE(v.how.find("dm-crypt"), std::string::npos);
}

TEST_F(FakeSysfs, LvmOnLuksIsEncryptedAndLvmAloneIsNot) {
  const auto lv = device("dm-1", true);
  write(lv / "dm" / "uuid", "LVM-abcdef");
  EXPECT_FALSE(check().encrypted) << "LVM alone encrypts nothing";
  const auto crypt = device("dm-0");
  write(crypt / "dm" / "uuid", "CRYPT-LUKS2-feedbeef-vg");
  std::filesystem::create_directories(lv / "slaves");
  std::filesystem::create_directory_symlink(crypt, lv / "slaves" / "dm-0");
  const auto v = check();
  EXPECT_TRUE(v.encrypted) << v.how;
  EXPECT_NE(v.how.find("under dm-1"), std::string::npos) << v.how;
}

TEST_F(FakeSysfs, AnECryptfsMountIsEncrypted) {
  device("vda", true);
  std::ofstream(root_ / "mountinfo", std::ios::app)
      << "40 27 0:50 / " << folder_.string() << " rw - ecryptfs /x rw\n";
  EXPECT_TRUE(check().encrypted);
}

TEST(RecordingVolume, ThisMachinesWorkFolderIsReportedPlainly) {
  const auto v = volume_protection(std::filesystem::temp_directory_path());
  EXPECT_FALSE(v.how.empty());
}

}  // namespace
}  // namespace surgilink::sender
