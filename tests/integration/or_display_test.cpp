// The OR display branch never waits on the encoder or the network (DESIGN.md §8).
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>

#include <gtest/gtest.h>

#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {
namespace {

using std::chrono::milliseconds;

// A network path that stalls: the first encoded frame blocks its streaming thread until released.
class StalledNetwork : public SenderPipelineListener {
 public:
  void on_encoded_packets(EncodedPackets) override {
    std::unique_lock lock(mutex_);
    ++calls_;
    entered_.notify_all();
    released_.wait(lock, [&] { return open_; });
  }
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) ADD_FAILURE() << "pipeline error: " << text;
  }
  bool wait_until_stalled(milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return entered_.wait_for(lock, timeout, [&] { return calls_ > 0; });
  }
  void release() {
    std::lock_guard lock(mutex_);
    open_ = true;
    released_.notify_all();
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable entered_, released_;
  int calls_ = 0;
  bool open_ = false;
};

TEST(OrDisplay, KeepsEveryFrameWhileTheNetworkPathIsBlocked) {
  core::CaptureClock clock;
  StalledNetwork network;
  SenderPipelineSettings settings;
  settings.profile = video_profile("720p30");
  settings.source = parse_video_source("synthetic");
  SenderPipeline pipeline(settings, clock, network);
  pipeline.start();
  ASSERT_TRUE(network.wait_until_stalled(milliseconds{10000})) << "no encoded frame reached the network";

  // While the encoder branch is stuck, the OR display must see every captured frame.
  const auto& display = pipeline.or_display();
  const auto& counters = pipeline.counters();
  const std::uint64_t captured_at_stall = counters.frames_captured.load();
  std::uint64_t seen = display.generation();
  while (counters.frames_captured.load() < captured_at_stall + 45) {
    const auto next = display.wait_newer_than(seen, milliseconds{2000});
    ASSERT_GT(next, seen) << "the OR display stopped while the network was blocked";
    seen = next;
  }
  const std::uint64_t captured = counters.frames_captured.load();
  const std::uint64_t displayed = counters.frames_displayed.load();
  EXPECT_EQ(network.calls(), 1) << "the blocked network path should have received nothing more";
  // At most the frame in flight may be missing from the display.
  EXPECT_GE(displayed + 1, captured);

  // The display frame is the captured picture: its pixel code carries the same capture time.
  const auto frame = display.latest();
  ASSERT_NE(frame, nullptr);
  const auto pixel_us =
      read_pixel_timestamp(frame->plane(0), frame->stride(0), frame->width(), frame->height());
  ASSERT_TRUE(pixel_us.has_value());
  const auto metadata_us =
      std::chrono::duration_cast<std::chrono::microseconds>(frame->capture_time().time_since_epoch()).count();
  EXPECT_EQ(*pixel_us, metadata_us);

  network.release();
  pipeline.stop();
}

}  // namespace
}  // namespace surgilink::media

namespace surgilink::media {
namespace {

// Paints the top-left 64x64 block white (luma 235) while switched on, and counts its calls.
class WhiteBlockOverlay : public OrDisplayOverlay {
 public:
  std::atomic<bool> on{false};
  std::atomic<int> drawn{0};
  bool has_content() const override { return on.load(); }
  void draw(I420Picture picture, core::CaptureTime) override {
    ASSERT_NE(picture.planes[0], nullptr) << "the overlay must get a writable copy";
    for (int y = 0; y < 64; ++y) std::memset(picture.planes[0] + y * picture.strides[0], 235, 64);
    ++drawn;
  }
};

class QuietNetwork : public SenderPipelineListener {
 public:
  void on_encoded_packets(EncodedPackets) override {}
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) ADD_FAILURE() << "pipeline error: " << text;
  }
};

int mean_luma_of_corner(const VideoFrame& frame) {
  long sum = 0;
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) sum += frame.plane(0)[y * frame.stride(0) + x];
  }
  return static_cast<int>(sum / (64 * 64));
}

TEST(OrDisplay, OverlayIsDrawnOnlyWhileItHasContent) {
  core::CaptureClock clock;
  QuietNetwork network;
  SenderPipelineSettings settings;
  settings.profile = video_profile("720p30");
  settings.source = parse_video_source("synthetic");
  settings.pixel_code = false;
  SenderPipeline pipeline(settings, clock, network);
  auto overlay = std::make_shared<WhiteBlockOverlay>();
  pipeline.set_or_display_overlay(overlay);
  pipeline.start();
  const auto& display = pipeline.or_display();
  auto next_frame = [&display](std::uint64_t& seen) {
    seen = display.wait_newer_than(seen, milliseconds{5000});
    return display.latest();
  };
  std::uint64_t seen = 0;
  auto plain = next_frame(seen);
  ASSERT_NE(plain, nullptr);
  EXPECT_LT(mean_luma_of_corner(*plain), 230) << "the synthetic tissue is not white";
  overlay->on = true;
  next_frame(seen);  // the frame in flight may predate the switch
  auto drawn = next_frame(seen);
  ASSERT_NE(drawn, nullptr);
  EXPECT_EQ(mean_luma_of_corner(*drawn), 235);
  EXPECT_GT(overlay->drawn.load(), 0);
  overlay->on = false;
  next_frame(seen);
  auto after = next_frame(seen);
  EXPECT_LT(mean_luma_of_corner(*after), 230) << "drawn after the overlay had nothing more to show";
  pipeline.stop();
}

}  // namespace
}  // namespace surgilink::media
