// The video ladder's steps while the picture flows (issue 15): each step changes the encoder's picture size
// or frame rate in a running pipeline. A step up to 1080p once stopped the sender with "not negotiated".
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {
namespace {

using std::chrono::milliseconds;

// Counts encoded frames and keeps the pipeline's fatal problems.
class EncodedFrames : public SenderPipelineListener {
 public:
  void on_encoded_packets(EncodedPackets) override {
    const std::lock_guard lock(mutex_);
    ++frames_;
    passed_.notify_all();
  }
  void on_pipeline_problem(std::string text, bool fatal) override {
    const std::lock_guard lock(mutex_);
    if (fatal) problems_.push_back(text);
    passed_.notify_all();
  }
  // Waits (at most `timeout`) for `more` frames after those seen so far; false if they did not come or the
  // pipeline failed.
  bool wait_for_more(std::size_t more, milliseconds timeout) {
    std::unique_lock lock(mutex_);
    const std::size_t target = frames_ + more;
    return passed_.wait_for(lock, timeout, [&] { return frames_ >= target || !problems_.empty(); }) &&
           problems_.empty();
  }
  std::vector<std::string> problems() {
    const std::lock_guard lock(mutex_);
    return problems_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable passed_;
  std::size_t frames_ = 0;
  std::vector<std::string> problems_;
};

SenderPipelineSettings synthetic_1080p30() {
  SenderPipelineSettings settings;
  settings.profile = video_profile("1080p30");
  settings.source = parse_video_source("synthetic");
  return settings;
}

// Steps at random moments against the frames (a seeded generator), as link reports come. Before the caps
// went in only while the encode branch was idle, this stopped the pipeline within about 60 steps; before
// the source was kept out of the steps' renegotiation, in about one run of 15.
TEST(VideoLadderSteps, StepsAtAnyMomentKeepThePictureFlowing) {
  core::CaptureClock clock;
  EncodedFrames frames;
  SenderPipeline pipeline(synthetic_1080p30(), clock, frames);
  pipeline.start();
  ASSERT_TRUE(frames.wait_for_more(10, milliseconds{20000})) << "no picture at the start";
  struct Step {
    int width, height, fps;
    std::uint32_t kbps;
  };
  // The ladder's rungs (media/video_ladder.hpp), with the full picture between the others.
  const std::vector<Step> rungs{{1280, 720, 30, 3500},  {1920, 1080, 30, 6000}, {1280, 720, 15, 1500},
                                {1920, 1080, 30, 5000}, {960, 540, 15, 800},    {1280, 720, 30, 4000},
                                {1920, 1080, 30, 5500}};
  std::mt19937 random(7);
  for (int i = 0; i < 150; ++i) {
    const Step& step = rungs[static_cast<std::size_t>(i) % rungs.size()];
    pipeline.set_encoding(step.width, step.height, step.fps, step.kbps);
    if (random() % 2 == 0) pipeline.request_keyframe();  // as a console's picture-loss report does
    // The next step comes anywhere within about a frame: this places steps at every point of a frame's way.
    std::this_thread::sleep_for(std::chrono::microseconds{random() % 40'000});
    ASSERT_TRUE(frames.problems().empty()) << "step " << i << " to " << step.width << "x" << step.height
                                           << "@" << step.fps << ": " << frames.problems().front();
  }
  // And the picture still comes at the last step.
  EXPECT_TRUE(frames.wait_for_more(10, milliseconds{10000}))
      << (frames.problems().empty() ? "no frames" : frames.problems().front());
  pipeline.stop();
}

}  // namespace
}  // namespace surgilink::media
