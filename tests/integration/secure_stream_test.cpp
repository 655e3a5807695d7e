// Sender and console in one process, joined by real TLS 1.3 and SRTP on loopback: the stream decodes with
// honest capture times, and bad datagrams on the real media socket are dropped and counted.
#include <cstdio>
#include <fstream>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include "support/test_installation.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/sender_pipeline.hpp"
#include "surgilink/media/srtp_session.hpp"
#include "surgilink/session/console_session.hpp"
#include "surgilink/session/sender_session.hpp"

namespace surgilink {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

struct KeyframeOnRequest : session::SenderSessionListener {
  media::SenderPipeline* pipeline = nullptr;
  std::vector<session::ConsoleLinks> links;  // every on_link_rate, on the network thread
  void on_keyframe_needed() override {
    if (pipeline) pipeline->request_keyframe();
  }
  void on_link_rate(const session::ConsoleLinks& l) override { links.push_back(l); }
};

// The pipeline's packets to the session on the network thread, as surgilink-sender's OrSender hands them
// over.
struct PipelineToSession : media::SenderPipelineListener {
  asio::io_context* io = nullptr;
  session::SenderSession* sender = nullptr;
  void on_encoded_packets(media::EncodedPackets packets) override {
    asio::post(*io, [this, p = std::move(packets)] { sender->send_video(p); });
  }
  void on_pipeline_problem(std::string, bool) override {}
  void on_source_segment_done() override {}
};

struct IgnoreStates : session::ConsoleSessionListener {
  void on_state_changed(session::ConnectionState, const std::string&) override {}
};

// Decodes the inline key of the SDP the sender exported: base64 of key || salt.
std::vector<std::uint8_t> exported_key(const std::filesystem::path& sdp) {
  const std::string text = testing::read_text(sdp);
  const auto at = text.find("inline:");
  if (at == std::string::npos) return {};
  return testing::decode_base64(text.substr(at + 7, text.find_first_of("\r\n", at) - at - 7));
}

// A sender on loopback with ephemeral ports and the test identity, exporting its keys to `keys`.
session::SenderSessionSettings loopback_sender(const std::filesystem::path& keys) {
  session::SenderSessionSettings s;
  s.bind_address = "127.0.0.1";
  s.control_port = 0;
  s.media_port = 0;
  s.tls = testing::identity("sender");
  s.access = std::make_shared<const session::AccessList>(testing::test_access_list());
  s.export_srtp_keys = keys;
  return s;
}

class SecureStream : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::scratch_dir("secure-stream");
    session::SenderSessionSettings s = loopback_sender(dir_ / "keys.sdp");
    s.srtp_profile = media::SrtpProfile::kAeadAes128Gcm;
    s.video_ssrc = 0x5151'0001;
    s.video_profile = "720p30";
    sender_ = std::make_unique<session::SenderSession>(io_, s, clock_, keyframes_);
    media::SenderPipelineSettings p;
    p.profile = media::video_profile("720p30");
    p.source = media::parse_video_source("synthetic");
    p.ssrc = s.video_ssrc;
    to_session_.io = &io_;
    to_session_.sender = sender_.get();
    pipeline_ = std::make_unique<media::SenderPipeline>(p, clock_, to_session_);
    keyframes_.pipeline = pipeline_.get();

    session::ConsoleSessionSettings c;
    c.sender_host = "127.0.0.1";
    c.control_port = sender_->control_port();
    c.tls = testing::identity("mentor");
    console_ = std::make_unique<session::ConsoleSession>(io_, c, clock_, mailbox_, states_);
    sender_->start();
    pipeline_->start();
    console_->start();
    network_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    pipeline_->stop();
    asio::post(io_, [this] {
      console_->stop();
      sender_->stop();
      work_.reset();
    });
    network_.join();
  }

  // Waits for `frames` more decoded frames (each wait ends on a frame, not on a timer).
  bool wait_frames(int frames) {
    std::uint64_t seen = mailbox_.generation();
    for (int i = 0; i < frames; ++i) {
      const auto next = mailbox_.wait_newer_than(seen, milliseconds{5000});
      if (next == seen) return false;
      seen = next;
    }
    return true;
  }

  // Runs `f` on the network thread (where the sessions live) and returns its result.
  template <typename F>
  auto on_network(F f) {
    std::promise<decltype(f())> done;
    asio::post(io_, [&] { done.set_value(f()); });
    return done.get_future().get();
  }

  std::filesystem::path dir_;
  core::CaptureClock clock_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  KeyframeOnRequest keyframes_;
  PipelineToSession to_session_;
  IgnoreStates states_;
  media::LatestFrameMailbox mailbox_;
  std::unique_ptr<session::SenderSession> sender_;
  std::unique_ptr<media::SenderPipeline> pipeline_;
  std::unique_ptr<session::ConsoleSession> console_;
  std::thread network_;
};

// Issue 15: the sender hears at once that a joining console's link is unknown (it protects the joining
// keyframe meanwhile), and that it is known once the console's first receiver report came.
TEST_F(SecureStream, TheSenderKnowsAJoiningConsolesLinkIsUnknownUntilItsFirstReport) {
  ASSERT_TRUE(wait_frames(3));
  const auto first = on_network([this] {
    return keyframes_.links.empty() ? std::optional<session::ConsoleLinks>() : keyframes_.links.front();
  });
  ASSERT_TRUE(first) << "nothing when the console was admitted";
  EXPECT_TRUE(first->unreported);
  EXPECT_FALSE(first->parity_loss) << "no console had reported: no loss to go by";
  EXPECT_FALSE(first->narrowest_bps);
  // The first report comes after about a second of packets: up to four seconds of frames.
  bool known = false;
  for (int i = 0; i < 120 && !known; ++i) {
    ASSERT_TRUE(wait_frames(1));
    known = on_network([this] { return !keyframes_.links.empty() && !keyframes_.links.back().unreported; });
  }
  ASSERT_TRUE(known) << "the console's report did not reach the sender";
  const auto last = on_network([this] { return keyframes_.links.back(); });
  ASSERT_TRUE(last.parity_loss);
  EXPECT_EQ(*last.parity_loss, 0.0) << "loopback loses nothing";
  EXPECT_TRUE(last.narrowest_bps);
}

TEST_F(SecureStream, DecodedFramesCarryTheirTrueCaptureTime) {
  ASSERT_TRUE(wait_frames(30)) << "no picture through SRTP";
  const auto frame = mailbox_.latest();
  ASSERT_NE(frame, nullptr);
  EXPECT_EQ(frame->width(), 1280);
  EXPECT_EQ(frame->height(), 720);
  const auto pixel_us =
      media::read_pixel_timestamp(frame->plane(0), frame->stride(0), frame->width(), frame->height());
  ASSERT_TRUE(pixel_us.has_value()) << "pixel timestamp code unreadable after SRTP + H.264";
  const auto metadata_us =
      std::chrono::duration_cast<std::chrono::microseconds>(frame->capture_time().time_since_epoch()).count();
  // Metadata (RTP header extension) and pixels name the same capture instant: they agree to the microsecond.
  EXPECT_NEAR(static_cast<double>(*pixel_us), static_cast<double>(metadata_us), 1.0);
  EXPECT_EQ(console_->faults().total(), 0u);
}

TEST_F(SecureStream, BadDatagramsAreDroppedAndCountedAndTheStreamGoesOn) {
  ASSERT_TRUE(wait_frames(5));
  const auto key = exported_key(dir_ / "keys.sdp");
  ASSERT_EQ(key.size(), 28u) << "exported SDP key (AEAD_AES_128_GCM: 16-byte key + 12-byte salt)";
  // Exported keys are readable by this user only (issue 12).
  EXPECT_EQ(std::filesystem::status(dir_ / "keys.sdp").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  asio::io_context local;
  asio::ip::udp::socket attacker(local, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const asio::ip::udp::endpoint console_media(asio::ip::make_address("127.0.0.1"), console_->media_port());
  const auto send = [&](const std::vector<std::uint8_t>& bytes) {
    attacker.send_to(asio::buffer(bytes), console_media);
  };
  const auto& faults = console_->faults();
  using core::Fault;
  const auto before = [&](Fault f) { return faults.get(f); };
  const std::uint64_t not_rtp = before(Fault::kNotRtp), truncated = before(Fault::kTruncated),
                      auth = before(Fault::kAuthenticationFailed), replayed = before(Fault::kReplayed),
                      unknown = before(Fault::kUnknownStream);

  // 1. Not RTP at all.
  send(std::vector<std::uint8_t>(100, 0x00));
  // 2. Truncated: an RTP-looking header cut short.
  send({0x80, 0x60, 0x00, 0x01, 0x00});
  // 3. A well-formed SRTP packet under the wrong key.
  // Its own SSRC, so that libsrtp keeps its replay window apart from the real stream's.
  std::vector<std::uint8_t> packet = {0x80, 0x60, 0x12, 0x34, 0, 0, 0, 1, 0x0b, 0xad, 0xca, 0xfe};
  packet.resize(12 + 40, 0xab);
  std::vector<std::uint8_t> wrong_key(28, 0x42);
  media::SrtpSession forger(media::SrtpProfile::kAeadAes128Gcm, media::SrtpSession::Direction::kOutbound,
                            wrong_key);
  std::vector<std::uint8_t> forged(packet);
  forged.resize(packet.size() + media::kSrtpMaxTrailer);
  const auto forged_length = forger.protect_rtp(forged, packet.size());
  ASSERT_TRUE(forged_length);
  forged.resize(forged_length.value());
  send(forged);
  // 4. A genuine packet (right key) of a stream nobody negotiated, sent twice: the first is authentic but of
  //    an unknown SSRC, the copy is a replay.
  media::SrtpSession genuine(media::SrtpProfile::kAeadAes128Gcm, media::SrtpSession::Direction::kOutbound,
                             key);
  std::vector<std::uint8_t> real(packet);
  real.resize(packet.size() + media::kSrtpMaxTrailer);
  const auto real_length = genuine.protect_rtp(real, packet.size());
  ASSERT_TRUE(real_length);
  real.resize(real_length.value());
  send(real);
  send(real);

  // Each arrives on the real socket and is judged on the network thread; frames keep coming meanwhile.
  for (int i = 0; i < 60 && faults.get(Fault::kReplayed) == replayed; ++i) ASSERT_TRUE(wait_frames(1));
  EXPECT_EQ(faults.get(Fault::kNotRtp) - not_rtp, 1u);
  EXPECT_EQ(faults.get(Fault::kTruncated) - truncated, 1u);
  EXPECT_EQ(faults.get(Fault::kAuthenticationFailed) - auth, 1u);
  EXPECT_EQ(faults.get(Fault::kReplayed) - replayed, 1u);
  EXPECT_EQ(faults.get(Fault::kUnknownStream) - unknown, 1u);

  // The stream goes on, still decodable with honest capture times.
  ASSERT_TRUE(wait_frames(15));
  const auto frame = mailbox_.latest();
  const auto pixel_us =
      media::read_pixel_timestamp(frame->plane(0), frame->stride(0), frame->width(), frame->height());
  ASSERT_TRUE(pixel_us.has_value());
}

// The OR's privacy pause (DESIGN.md §8): the console's picture stops at once and it says why (not "link
// lost"); resuming brings the picture back from a keyframe with no packet taken for lost and no freeze
// counted.
TEST_F(SecureStream, APrivacyPauseStopsThePictureAtOnceAndResumingLosesNothing) {
  ASSERT_TRUE(wait_frames(45)) << "no picture through SRTP";
  const std::uint64_t lost_before = on_network([&] { return console_->report().packets_lost; });
  const std::uint64_t undecodable_before = on_network([&] { return console_->status().frames_undecodable; });
  const std::uint64_t at_pause = on_network([&] {
    sender_->set_privacy_paused(true, "test");
    return mailbox_.generation();
  });
  const auto paused_at = std::chrono::steady_clock::now();
  // At most what was already on its way; then nothing for a whole second.
  std::uint64_t seen = at_pause;
  auto last_picture = paused_at;
  for (int i = 0; i < 3; ++i) {
    const std::uint64_t next = mailbox_.wait_newer_than(seen, milliseconds{300});
    if (next != seen) last_picture = std::chrono::steady_clock::now();
    seen = next;
  }
  std::printf("pause -> the console's last picture: %.1f ms\n",
              std::chrono::duration<double, std::milli>(last_picture - paused_at).count());
  EXPECT_LE(seen - at_pause, 2u) << "pictures kept coming after the pause";
  EXPECT_EQ(mailbox_.wait_newer_than(seen, milliseconds{1000}), seen) << "a picture arrived during the pause";
  const auto paused = on_network([&] { return console_->status(); });
  EXPECT_TRUE(paused.or_privacy_paused) << "the console was not told why the picture stopped";
  EXPECT_FALSE(paused.link_lost) << "a pause is not a lost link";
  EXPECT_GT(on_network([&] { return sender_->counters().frames_withheld; }), 20u);

  on_network([&] {
    sender_->set_privacy_paused(false, "test");
    return 0;
  });
  ASSERT_TRUE(wait_frames(30)) << "the picture did not come back after the pause";
  const auto resumed = on_network([&] { return console_->status(); });
  EXPECT_FALSE(resumed.or_privacy_paused);
  EXPECT_EQ(resumed.frames_undecodable, undecodable_before) << "pictures from before the keyframe were sent";
  const auto report = on_network([&] { return console_->report(); });
  EXPECT_EQ(report.packets_lost, lost_before)
      << "the withheld packets' sequence numbers looked like loss to the console";
  EXPECT_EQ(report.freezes, 0u) << "the pause was counted as a freeze";
}

// DESIGN.md §13: connected → degraded. When the sender steps down to 15 frames a second (as the video
// ladder does on a narrow link), the console says its link is degraded and why; back at 30 it is not.
TEST_F(SecureStream, AConsoleSaysItsLinkIsDegradedWhenThePictureLosesFrames) {
  ASSERT_TRUE(wait_frames(90));
  EXPECT_EQ(on_network([&] { return console_->status().link_degraded; }), "");
  pipeline_->set_encoding(1280, 720, 15, 2500);
  std::string degraded;
  for (int i = 0; i < 120 && degraded.empty(); ++i) {
    ASSERT_TRUE(wait_frames(1));
    degraded = on_network([&] { return console_->status().link_degraded; });
  }
  EXPECT_EQ(degraded.rfind("picture at ", 0), 0u) << degraded;
  EXPECT_NE(degraded.find("fps of 30"), std::string::npos) << degraded;
  pipeline_->set_encoding(1280, 720, 30, 4000);
  for (int i = 0; i < 150 && !degraded.empty(); ++i) {
    ASSERT_TRUE(wait_frames(1));
    degraded = on_network([&] { return console_->status().link_degraded; });
  }
  EXPECT_EQ(degraded, "") << "still degraded at the full frame rate";
}

// A key file that is already there (a leftover, or a link planted by someone else) is never overwritten or
// followed; and while keys are exported, the console is told, so every screen can say so.
TEST(SecureStreamKeyExport, AnExistingKeyFileIsNeitherOverwrittenNorFollowed) {
  const auto dir = testing::scratch_dir("key-export-exists");
  const auto planted = dir / "elsewhere.txt";
  std::ofstream(planted) << "someone else's file\n";
  std::filesystem::create_symlink(planted, dir / "keys.sdp");
  const session::SenderSessionSettings s = loopback_sender(dir / "keys.sdp");
  core::CaptureClock clock;
  asio::io_context io;
  KeyframeOnRequest keyframes;
  IgnoreStates states;
  media::LatestFrameMailbox mailbox;
  session::SenderSession sender(io, s, clock, keyframes);
  session::ConsoleSessionSettings c;
  c.sender_host = "127.0.0.1";
  c.control_port = sender.control_port();
  c.tls = testing::identity("mentor");
  session::ConsoleSession console(io, c, clock, mailbox, states);
  sender.start();
  console.start();
  // Until the console has heard the controls (or 10 s): the network thread is this one.
  for (int i = 0; i < 100 && !console.status().keys_exported; ++i) io.run_for(milliseconds{100});
  EXPECT_TRUE(console.status().keys_exported) << "the console is told that keys are exported";
  console.stop();
  sender.stop();
  io.run_for(milliseconds{500});
  EXPECT_EQ(testing::read_text(planted), "someone else's file\n") << "the planted link was followed";
}

}  // namespace
}  // namespace surgilink
