// The sender's recording (DESIGN.md §6): the encoded stream itself in Matroska segments that start at
// keyframes, an index whose capture times match the pictures, segments playable on their own.
#include <fstream>
#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "support/recorded_segment.hpp"
#include "support/test_installation.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/segment_recorder.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::media {
namespace {

using std::chrono::milliseconds;

class QuietNetwork : public SenderPipelineListener {
 public:
  void on_encoded_packets(EncodedPackets) override {}
  void on_pipeline_problem(std::string text, bool fatal) override {
    if (fatal) ADD_FAILURE() << "pipeline error: " << text;
  }
};

TEST(SegmentRecorder, WritesPlayableKeyframeSegmentsWithAnIndexOnTheCaptureClock) {
  const auto folder = testing::scratch_dir("recording") / "case-1";
  core::CaptureClock clock;
  QuietNetwork network;
  SenderPipeline* pipeline_for_keyframes = nullptr;
  int keyframe_requests = 0;
  auto recorder = std::make_shared<SegmentRecorder>(std::chrono::seconds{1}, [&] {
    ++keyframe_requests;
    if (pipeline_for_keyframes) pipeline_for_keyframes->request_keyframe();
  });
  SenderPipelineSettings settings;
  settings.profile = video_profile("720p30");
  settings.source = parse_video_source("synthetic");
  settings.keyframe_interval = std::chrono::seconds{1};
  settings.recorder = recorder;
  SenderPipeline pipeline(settings, clock, network);
  pipeline_for_keyframes = &pipeline;
  pipeline.start();

  // Nothing is written before start().
  const auto& display = pipeline.or_display();
  std::uint64_t seen = display.wait_newer_than(0, milliseconds{5000});
  ASSERT_GT(seen, 0u) << "the pipeline shows no picture";
  EXPECT_FALSE(std::filesystem::exists(folder));

  ASSERT_EQ(recorder->start(folder), std::nullopt);
  EXPECT_EQ(keyframe_requests, 1) << "a recording should ask for a keyframe at once";
  EXPECT_NE(recorder->start(folder), std::nullopt) << "a second start must be refused";
  // Record until two segments were closed (each displayed frame is a tick of the capture clock).
  const auto deadline = clock.now() + std::chrono::seconds{15};
  while (recorder->status().segments_closed < 2 && clock.now() < deadline)
    seen = display.wait_newer_than(seen, milliseconds{2000});
  recorder->stop();
  pipeline.stop();
  const auto status = recorder->status();
  EXPECT_FALSE(status.recording);
  EXPECT_TRUE(status.last_error.empty()) << status.last_error;
  ASSERT_GE(status.segments_closed, 3u) << "two rolled over, and the last closed by stop()";

  nlohmann::json index;
  std::ifstream(folder / "recording.json") >> index;
  ASSERT_EQ(index["format"], "surgilink-recording/1");
  const auto& segments = index["segments"];
  ASSERT_EQ(segments.size(), status.segments_closed);
  std::uint64_t frames = 0;
  std::int64_t previous_last = 0;
  for (const auto& s : segments) {
    SCOPED_TRACE(s.dump());
    EXPECT_TRUE(s["closed"].get<bool>());
    const auto first = s["first_capture_ns"].get<std::int64_t>(),
               last = s["last_capture_ns"].get<std::int64_t>();
    EXPECT_LT(first, last);
    EXPECT_GT(first, previous_last) << "segments overlap";
    previous_last = last;
    frames += s["frames"].get<std::uint64_t>();
    // Each segment decodes alone from its first picture, and that picture is the one the index names.
    const auto decoded = testing::decode_segment(folder / s["file"].get<std::string>());
    EXPECT_TRUE(decoded.error.empty()) << decoded.error;
    EXPECT_EQ(decoded.frames, s["frames"].get<int>());
    ASSERT_TRUE(decoded.first_pixel_us.has_value()) << "first picture has no readable pixel code";
    EXPECT_EQ(*decoded.first_pixel_us, first / 1000);
  }
  EXPECT_EQ(frames, status.frames_written);
  // Segments are about a second long (they roll over at the first keyframe after 1 s).
  const auto first_segment = segments[0];
  EXPECT_GE(first_segment["last_capture_ns"].get<std::int64_t>() -
                first_segment["first_capture_ns"].get<std::int64_t>(),
            900'000'000);
}

TEST(SegmentRecorder, RefusesAFolderThatHoldsARecording) {
  const auto folder = testing::scratch_dir("recording-twice") / "case-1";
  SegmentRecorder first(std::chrono::seconds{60}, {});
  ASSERT_EQ(first.start(folder), std::nullopt);
  first.stop();
  SegmentRecorder second(std::chrono::seconds{60}, {});
  const auto why = second.start(folder);
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find("already holds a recording"), std::string::npos) << *why;
}

}  // namespace
}  // namespace surgilink::media
