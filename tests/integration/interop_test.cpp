// Interop with programs no one here wrote: the sender's SRTP stream, with keys exported as SDP, decoded by a
// stock gst-launch-1.0 srtpdec pipeline and by ffmpeg; frames with the pixel timestamp code come out.
#include <csignal>
#include <fstream>
#include <regex>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;

struct ExportedSdp {
  int port = 0;
  std::uint32_t ssrc = 0;
  std::string suite;
  std::vector<std::uint8_t> key;  // master key || salt
};

ExportedSdp parse_sdp(const std::string& text) {
  ExportedSdp sdp;
  std::smatch m;
  if (std::regex_search(text, m, std::regex("m=video (\\d+) RTP/SAVP"))) sdp.port = std::stoi(m[1]);
  if (std::regex_search(text, m, std::regex("a=ssrc:(\\d+)")))
    sdp.ssrc = static_cast<std::uint32_t>(std::stoul(m[1]));
  if (std::regex_search(text, m, std::regex("a=crypto:1 (\\S+) inline:([A-Za-z0-9+/=]+)"))) {
    sdp.suite = m[1];
    sdp.key = decode_base64(m[2].str());
  }
  return sdp;
}

// Frames of a raw I420 file whose pixel timestamp code reads back as a time near now.
int frames_with_pixel_code(const std::filesystem::path& raw, int width, int height) {
  const std::string bytes = read_text(raw);
  const std::size_t frame_size = static_cast<std::size_t>(width) * height * 3 / 2;
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  int good = 0;
  for (std::size_t at = 0; at + frame_size <= bytes.size(); at += frame_size) {
    const auto* y = reinterpret_cast<const std::uint8_t*>(bytes.data() + at);
    const auto t = media::read_pixel_timestamp(y, width, width, height);
    if (t && std::abs(*t - now_us) < 120'000'000) ++good;
  }
  return good;
}

class Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    sender_ = std::make_unique<RunningSender>(
        write_sender_config(dir_, {}, "srtp_profile = \"AES_CM_128_HMAC_SHA1_80\""), dir_ / "sender.log",
        std::vector<std::string>{"--export-srtp-keys", (dir_ / "stream.sdp").string()},
        std::vector<std::string>{"SURGILINK_ALLOW_KEY_EXPORT=1"});
  }

  // Joins as a console whose media port is where the stock tool listens; the sender then exports the SDP.
  ExportedSdp join(int media_port) {
    client_ = std::make_unique<TestControlClient>(identity("mentor"));
    const auto answer = client_->hello(sender_->control_port(), static_cast<std::uint32_t>(media_port));
    EXPECT_TRUE(answer.welcomed) << answer.refusal << answer.tls_error;
    return parse_sdp(read_text(dir_ / "stream.sdp"));
  }

  std::filesystem::path dir_;
  std::unique_ptr<RunningSender> sender_;
  std::unique_ptr<TestControlClient> client_;
};

TEST(KeyExport, RefusedWithoutTheEnvironmentSwitch) {
  const auto dir = scratch_dir("key-export-refused");
  const auto r = run_program({sender_program().string(), "--config", write_sender_config(dir).string(),
                              "--export-srtp-keys", (dir / "k.sdp").string()},
                             dir, "sender", milliseconds{20000}, {"SURGILINK_ALLOW_KEY_EXPORT="});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::HasSubstr("--export-srtp-keys is refused"));
  EXPECT_FALSE(std::filesystem::exists(dir / "k.sdp"));
}

TEST_F(Interop, GstLaunchSrtpdecDecodesTheStream) {
  const int port = tools::free_loopback_port();
  const auto sdp = join(port);
  ASSERT_EQ(sdp.port, port);
  ASSERT_EQ(sdp.suite, "AES_CM_128_HMAC_SHA1_80");
  ASSERT_EQ(sdp.key.size(), 30u);
  std::string hex;
  for (auto b : sdp.key) {
    static constexpr char kHex[] = "0123456789abcdef";
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  const std::string caps =
      "application/"
      "x-srtp,media=(string)video,clock-rate=(int)90000,encoding-name=(string)H264,payload=(int)96,"
      "ssrc=(uint)" +
      std::to_string(sdp.ssrc) + ",srtp-key=(buffer)" + hex +
      ",srtp-cipher=(string)aes-128-icm,srtp-auth=(string)hmac-sha1-80,srtcp-cipher=(string)aes-128-icm,"
      "srtcp-auth=(string)hmac-sha1-80,roc=(uint)0";
  const auto raw = dir_ / "gst.i420";
  tools::ChildProcess gst({"/usr/bin/gst-launch-1.0",
                           "-q",
                           "-e",
                           "udpsrc",
                           "address=127.0.0.1",
                           "port=" + std::to_string(port),
                           "caps=" + caps,
                           "!",
                           "srtpdec",
                           "!",
                           "rtph264depay",
                           "!",
                           "avdec_h264",
                           "!",
                           "videoconvert",
                           "!",
                           "video/x-raw,format=I420",
                           "!",
                           "filesink",
                           "location=" + raw.string()},
                          (dir_ / "gst.err").string());
  // Let it run past the next periodic IDR (2 s), then stop it cleanly (-e: EOS flushes the file).
  EXPECT_FALSE(gst.wait(milliseconds{5000})) << read_text(dir_ / "gst.err");
  gst.signal(SIGINT);
  gst.wait(milliseconds{10000});
  EXPECT_GE(frames_with_pixel_code(raw, 1280, 720), 10) << read_text(dir_ / "gst.err");
}

TEST_F(Interop, FfmpegDecodesTheStreamFromTheSdp) {
  const int port = tools::free_loopback_port();
  const auto sdp = join(port);
  ASSERT_EQ(sdp.port, port);
  const auto raw = dir_ / "ffmpeg.i420";
  // ffmpeg joins mid-stream and conceals what it cannot decode until the next periodic IDR (2 s): 100 frames
  // reach past it. Its default 64 KiB socket buffer overflows on an IDR burst, so it gets 4 MiB like ours.
  const auto r = run_program(
      {"/usr/bin/ffmpeg", "-nostdin", "-loglevel", "error", "-protocol_whitelist", "file,udp,rtp,srtp,crypto",
       "-buffer_size", "4194304", "-i", (dir_ / "stream.sdp").string(), "-frames:v", "100", "-f", "rawvideo",
       "-pix_fmt", "yuv420p", "-y", raw.string()},
      dir_, "ffmpeg", milliseconds{20000});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // ffmpeg 5.1 authenticates and decrypts every packet with the SDP's key and decodes the keyframes with an
  // intact pixel code. (It garbles the top slice of the P-frames of this stream even over plain RTP, where
  // GStreamer's decoder does not: an open question recorded in the issue, so only keyframes are asserted.)
  EXPECT_GE(frames_with_pixel_code(raw, 1280, 720), 1) << r.err;
  EXPECT_EQ(r.err.find("authentication"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("HMAC mismatch"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace surgilink::testing
