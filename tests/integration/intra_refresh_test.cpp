// Periodic intra refresh (issue 15: "periodic intra refresh as an option instead of IDR bursts on narrow
// links"): x264 sweeps an intra column across the picture instead of sending an IDR every keyframe interval,
// yet a joining or lossy console still gets an IDR when it asks for one.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

#include "surgilink/media/rtp_packet.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {
namespace {

using std::chrono::milliseconds;

// Which encoded frames, in order, carry an IDR picture.
class IdrFrames : public SenderPipelineListener {
 public:
  // A frame may come in several calls (x264's slices): one entry per capture time.
  void on_encoded_packets(EncodedPackets encoded) override {
    bool idr = false;
    for (const auto& packet : encoded.packets) idr = idr || carries_h264_keyframe(packet);
    const std::lock_guard lock(mutex_);
    if (frames_.empty() || encoded.capture_time != last_capture_) frames_.push_back(false);
    last_capture_ = encoded.capture_time;
    if (idr) frames_.back() = true;
    changed_.notify_all();
  }
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) ADD_FAILURE() << text;
  }
  // The first `count` frames' IDR marks, once they came (fewer if they did not within the timeout).
  std::vector<bool> first(std::size_t count, milliseconds timeout) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return frames_.size() >= count; });
    return {frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(std::min(count, frames_.size()))};
  }
  std::size_t count() {
    const std::lock_guard lock(mutex_);
    return frames_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<bool> frames_;
  core::CaptureTime last_capture_{};
};

// 720p30 of the synthetic scene, a keyframe (or a refresh wave) a second.
SenderPipelineSettings one_second_refresh(bool intra_refresh) {
  SenderPipelineSettings settings;
  settings.profile = video_profile("720p30");
  settings.source = parse_video_source("synthetic");
  settings.keyframe_interval = std::chrono::seconds{1};
  settings.intra_refresh = intra_refresh;
  return settings;
}

// The frames (indices) of the first `count` that carry an IDR.
std::vector<std::size_t> idr_frames(bool intra_refresh, std::size_t count) {
  core::CaptureClock clock;
  IdrFrames frames;
  SenderPipeline pipeline(one_second_refresh(intra_refresh), clock, frames);
  pipeline.start();
  const auto marks = frames.first(count, milliseconds{20000});
  pipeline.stop();
  EXPECT_EQ(marks.size(), count) << "the encoder fell short";
  std::vector<std::size_t> idr;
  for (std::size_t i = 0; i < marks.size(); ++i)
    if (marks[i]) idr.push_back(i);
  return idr;
}

TEST(IntraRefresh, ThePictureIsRefreshedWithoutPeriodicIdrs) {
  // 2.5 s at 30 fps: with periodic keyframes the frames at 1 s and 2 s are IDRs as well.
  const auto periodic = idr_frames(false, 75);
  EXPECT_GE(periodic.size(), 3u) << "the comparison has no periodic keyframes to remove";
  EXPECT_EQ(idr_frames(true, 75), std::vector<std::size_t>{0}) << "only the stream's first picture is an IDR";
}

TEST(IntraRefresh, AConsoleThatAsksStillGetsAnIdr) {
  core::CaptureClock clock;
  IdrFrames frames;
  SenderPipeline pipeline(one_second_refresh(true), clock, frames);
  pipeline.start();
  ASSERT_EQ(frames.first(15, milliseconds{20000}).size(), 15u);
  const std::size_t asked_at = frames.count();
  pipeline.request_keyframe();  // as for a joining console, or one that lost a picture
  const auto marks = frames.first(asked_at + 15, milliseconds{20000});
  pipeline.stop();
  std::size_t idr_after = 0;
  for (std::size_t i = asked_at; i < marks.size(); ++i) idr_after += marks[i] ? 1 : 0;
  EXPECT_EQ(idr_after, 1u) << "one IDR within half a second of the request";
}

}  // namespace
}  // namespace surgilink::media
