// The sender's recording (DESIGN.md §6): the encoded stream itself in Matroska segments that start at
// keyframes, a manifest whose capture times match the pictures and whose hashes match the files, segments
// playable on their own with strictly increasing timestamps, a disk that never fills, and the recovery of a
// recording a crash left open.
#include <sys/mount.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include "segment_recorder_gst.hpp"
#include "support/encoded_test_stream.hpp"
#include "support/recorded_segment.hpp"
#include "support/test_installation.hpp"
#include "surgilink/media/pixel_timestamp_code.hpp"
#include "surgilink/media/recorded_segment.hpp"
#include "surgilink/media/recording_manifest.hpp"
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

std::string stderr_of(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "cannot run " + command;
  char line[512];
  while (std::fgets(line, sizeof line, pipe) != nullptr) out += line;
  ::pclose(pipe);
  return out;
}

// 720p30 of the synthetic scene into `recorder`, a keyframe (or a refresh wave) a second.
SenderPipelineSettings recorded_720p30(std::shared_ptr<SegmentRecorder> recorder, bool intra_refresh) {
  SenderPipelineSettings settings;
  settings.profile = video_profile("720p30");
  settings.source = parse_video_source("synthetic");
  settings.keyframe_interval = std::chrono::seconds{1};
  settings.intra_refresh = intra_refresh;
  settings.recorder = std::move(recorder);
  return settings;
}

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
  SenderPipeline pipeline(recorded_720p30(recorder, false), clock, network);
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
  ASSERT_EQ(index["format"], "surgilink-recording/3");
  EXPECT_EQ(index["state"], "complete");
  EXPECT_EQ(index["software"], "SurgiLink 0.1.0");
  const auto& segments = index["segments"];
  ASSERT_EQ(segments.size(), status.segments_closed);
  std::uint64_t frames = 0;
  std::int64_t previous_last = 0;
  for (const auto& s : segments) {
    SCOPED_TRACE(s.dump());
    EXPECT_TRUE(s["closed"].get<bool>());
    const auto first = s["first_capture_ns"].get<std::int64_t>(),
               last = s["last_capture_ns"].get<std::int64_t>();
    // The last segment may have begun at the last keyframe before stop(): one frame is enough.
    if (&s != &segments.back()) {
      EXPECT_LT(first, last);
    }
    EXPECT_LE(first, last);
    EXPECT_GT(first, previous_last) << "segments overlap";
    previous_last = last;
    frames += s["frames"].get<std::uint64_t>();
    // Each segment decodes alone from its first picture, and that picture is the one the index names.
    const auto decoded = testing::decode_segment(folder / s["file"].get<std::string>());
    EXPECT_TRUE(decoded.error.empty()) << decoded.error;
    EXPECT_EQ(decoded.frames, s["frames"].get<int>());
    ASSERT_TRUE(decoded.first_pixel_us.has_value()) << "first picture has no readable pixel code";
    EXPECT_EQ(*decoded.first_pixel_us, first / 1000);
    // The manifest's seal is the file's.
    const auto seal = seal_of(folder / s["file"].get<std::string>(), nullptr);
    ASSERT_TRUE(seal.has_value());
    EXPECT_EQ(s.value("sha256", ""), seal->sha256);
    EXPECT_EQ(s.value("bytes", std::uint64_t{0}), seal->bytes);
    // A picture's time in the file is on the 30 fps grid, within a frame interval of its capture time (from
    // the segment's first), and strictly increasing.
    ASSERT_FALSE(decoded.pts_ns.empty());
    EXPECT_LT(std::abs(decoded.pts_ns.back() - (last - first)), 1'000'000'000 / 30);
    for (std::size_t i = 1; i < decoded.pts_ns.size(); ++i)
      EXPECT_GE(decoded.pts_ns[i] - decoded.pts_ns[i - 1], 1'000'000'000 / 30 - 1000) << "frame " << i;
    EXPECT_EQ(stderr_of("ffmpeg -nostdin -v error -i " + (folder / s["file"].get<std::string>()).string() +
                        " -f null -"),
              "");
  }
  EXPECT_EQ(frames, status.frames_written);
  // Segments are about a second long (they roll over at the first keyframe after 1 s).
  const auto first_segment = segments[0];
  EXPECT_GE(first_segment["last_capture_ns"].get<std::int64_t>() -
                first_segment["first_capture_ns"].get<std::int64_t>(),
            900'000'000);
}

// With intra refresh (issue 15) the encoder makes no periodic IDRs, and x264 marks each refresh wave's
// first picture a sync point, though it is whole only a wave later. Segments still start at IDRs (the
// recorder asks for one when a segment is due) and decode alone; the manifest gives the wave, and a seek
// decodes from a wave earlier, so the picture at any moment is the one a decode from the segment's start
// gives.
TEST(SegmentRecorder, WithIntraRefreshSegmentsStartAtIdrsAndSeeksShowWholePictures) {
  const auto folder = testing::scratch_dir("recording-intra-refresh") / "case-1";
  core::CaptureClock clock;
  QuietNetwork network;
  SenderPipeline* pipeline_for_keyframes = nullptr;
  auto recorder = std::make_shared<SegmentRecorder>(std::chrono::seconds{3}, [&] {
    if (pipeline_for_keyframes) pipeline_for_keyframes->request_keyframe();
  });
  recorder->set_intra_refresh(30);  // one wave a second at 30 fps
  SenderPipeline pipeline(recorded_720p30(recorder, true), clock, network);
  pipeline_for_keyframes = &pipeline;
  pipeline.start();
  const auto& display = pipeline.or_display();
  std::uint64_t seen = display.wait_newer_than(0, milliseconds{5000});
  ASSERT_GT(seen, 0u) << "the pipeline shows no picture";
  ASSERT_EQ(recorder->start(folder), std::nullopt);
  const auto deadline = clock.now() + std::chrono::seconds{10};
  while (recorder->status().segments_closed < 1 && clock.now() < deadline)
    seen = display.wait_newer_than(seen, milliseconds{2000});
  recorder->stop();
  pipeline.stop();
  const auto status = recorder->status();
  EXPECT_TRUE(status.last_error.empty()) << status.last_error;
  ASSERT_GE(status.segments_closed, 2u) << "the first segment did not end without a periodic IDR";

  std::string why;
  const auto manifest = RecordingManifest::read(folder, &why);
  ASSERT_TRUE(manifest) << why;
  for (const auto& s : manifest->segments) {
    SCOPED_TRACE(s.file);
    EXPECT_EQ(s.intra_refresh, std::chrono::milliseconds{1000});
    const auto file = folder / s.file;
    const auto decoded = testing::decode_segment(file);
    EXPECT_TRUE(decoded.error.empty()) << decoded.error;
    ASSERT_TRUE(decoded.first_pixel_us.has_value()) << "first picture has no readable pixel code";
    EXPECT_EQ(*decoded.first_pixel_us,
              std::chrono::duration_cast<std::chrono::microseconds>(s.first.time_since_epoch()).count());
    // The segment's first picture is an IDR (an I picture that Matroska marks a keyframe).
    const auto first_of = [&](const std::string& entries) {
      std::istringstream text(
          stderr_of("ffprobe -v error -select_streams v -read_intervals %+#1 "
                    "-show_entries " +
                    entries + " -of csv=p=0 " + file.string()));
      std::string line;
      while (std::getline(text, line) && line.empty()) {
      }
      return line.substr(0, line.find(','));
    };
    EXPECT_EQ(first_of("packet=flags").substr(0, 1), "K");
    EXPECT_EQ(first_of("frame=pict_type"), "I");
  }
  // The first segment (3 s, refresh waves beginning about 1 s and 2 s in): every picture decoded from its
  // start, against the same moments found by seeking.
  const auto& first = manifest->segments.front();
  EXPECT_GE(first.last - first.first, std::chrono::milliseconds{2900}) << "ended before it was due";
  EXPECT_LT(first.last - first.first, std::chrono::milliseconds{3500}) << "ended long after it was due";
  std::map<std::size_t, RecordedPicture> whole;  // pictures 31, 35, ... 71: within the waves
  std::size_t count = 0;
  ASSERT_TRUE(for_each_recorded_picture(
      folder / first.file, first.first, first.first, first.last,
      [&](RecordedPicture& p) {
        if (count >= 31 && count < 75 && count % 4 == 3) whole.emplace(count, p);
        ++count;
        return true;
      },
      &why))
      << why;
  ASSERT_GE(count, 80u);
  int differ_without_wave = 0;
  for (std::size_t i = 31; i < 75; i += 4) {
    SCOPED_TRACE("picture " + std::to_string(i));
    const auto sought =
        recorded_picture_at(folder / first.file, first.first, whole[i].capture, &why, *first.intra_refresh);
    ASSERT_TRUE(sought) << why;
    EXPECT_EQ(sought->capture, whole[i].capture);
    EXPECT_EQ(cv::norm(sought->bgr, whole[i].bgr, cv::NORM_INF), 0) << "not the whole picture";
    const auto unwaved = recorded_picture_at(folder / first.file, first.first, whole[i].capture, &why);
    ASSERT_TRUE(unwaved) << why;
    differ_without_wave += cv::norm(unwaved->bgr, whole[i].bgr, cv::NORM_INF) > 0 ? 1 : 0;
  }
  // Seeking to the refresh point before a moment alone gives a picture still being refreshed.
  EXPECT_GT(differ_without_wave, 0) << "the check cannot tell a whole picture from a refreshing one";
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

// Feeds `frames` access units of `stream` to `recorder`, the i-th captured at capture(i).
template <typename CaptureOf>
void feed(SegmentRecorder& recorder, testing::EncodedTestStream& stream, int frames, CaptureOf capture) {
  for (int i = 0; i < frames; ++i) {
    GstSample* sample = stream.next();
    ASSERT_NE(sample, nullptr) << "the test encoder stopped";
    record_encoded_frame(recorder, sample, capture(i));
    gst_sample_unref(sample);
  }
}

const core::CaptureTime kStart{std::chrono::seconds{1'800'000'000}};

TEST(SegmentRecorder, TimestampsStrictlyIncreaseEvenForFramesCapturedInTheSameMillisecond) {
  const auto folder = testing::scratch_dir("recording-same-ms") / "case-1";
  SegmentRecorder recorder(std::chrono::seconds{60}, {});
  testing::EncodedTestStream stream(320, 240, 500, 30, "ball");
  ASSERT_EQ(recorder.start(folder), std::nullopt);
  // What a source that stalls and then catches up gives: frames 300 µs apart (the same millisecond), some at
  // the very same nanosecond, one a little before the frame ahead of it.
  std::int64_t previous = 0;
  feed(recorder, stream, 90, [&](int i) {
    std::int64_t us = (i / 2) * 66'000 + (i % 2) * 300;
    if (i % 10 == 5) us = previous;   // same capture time as the frame before
    if (i == 41) us = previous - 50;  // out of order
    previous = us;
    return kStart + std::chrono::microseconds{us};
  });
  recorder.stop();
  const auto decoded = testing::decode_segment(folder / "segment-00001.mkv");
  ASSERT_TRUE(decoded.error.empty()) << decoded.error;
  ASSERT_EQ(decoded.pts_ns.size(), 90u);
  for (std::size_t i = 1; i < decoded.pts_ns.size(); ++i)
    EXPECT_LT(decoded.pts_ns[i - 1], decoded.pts_ns[i]) << "frame " << i;
}

// x264's intra refresh marks each refresh wave's first picture a sync point, but it needs the pictures
// before it: a segment starting there would show its first second half grey. Only an IDR starts one.
TEST(SegmentRecorder, ARefreshWavesFirstPictureStartsNoSegment) {
  const auto folder = testing::scratch_dir("recording-refresh-point") / "case-1";
  int asked = 0;
  SegmentRecorder recorder(std::chrono::seconds{60}, [&] { ++asked; });  // no IDR comes of asking
  testing::EncodedTestStream stream(320, 240, 500, 30, "ball", true);
  GstSample* idr = stream.next();  // the stream's only IDR, before the recording starts
  ASSERT_NE(idr, nullptr);
  gst_sample_unref(idr);
  ASSERT_EQ(recorder.start(folder), std::nullopt);
  EXPECT_EQ(asked, 1);
  // Waves begin at frames 30 and 60 after the IDR (29 and 59 here).
  feed(recorder, stream, 75, [](int i) { return kStart + std::chrono::milliseconds{33 * i}; });
  const auto status = recorder.status();
  recorder.stop();
  EXPECT_EQ(status.frames_written, 0u);
  EXPECT_EQ(status.frames_skipped, 75u);
}

// The packets' times in a file's first stream (µs from its start), as ffprobe reads them.
std::vector<std::int64_t> packet_times_us(const std::filesystem::path& file) {
  std::vector<std::int64_t> out;
  std::istringstream lines(stderr_of(
      "ffprobe -v error -select_streams 0 -show_entries packet=pts_time -of csv=p=0 " + file.string()));
  double t = 0;
  while (lines >> t) out.push_back(std::llround(t * 1e6));
  return out;
}

TEST(SegmentRecorder, AJitteredLiveCaptureReadsCleanlyInFfmpegOnTheStreamsOwnFrameGrid) {
  const auto folder = testing::scratch_dir("recording-jitter") / "case-1";
  SegmentRecorder recorder(std::chrono::seconds{60}, {});
  testing::EncodedTestStream stream(320, 240, 500, 30, "ball");
  ASSERT_EQ(recorder.start(folder), std::nullopt);
  // 30 fps paced evenly, each frame stamped after it was painted, 2 to 30 ms late (a loaded machine), so that
  // some frames are 5 ms apart and others 61 ms; then a stall of 200 ms (six frames never came). Without
  // the grid ffmpeg put such frames on one tick of the 30 fps its H.264 headers declare and reported "non
  // monotonically increasing dts" (ffmpeg -f null, no options: what a player or converter does).
  constexpr std::int64_t kIntervalUs = 1'000'000 / 30;
  std::vector<std::int64_t> captured_us;
  feed(recorder, stream, 150, [&](int i) {
    const int tick = i < 100 ? i : i + 6;
    const std::int64_t late_us = 2'000 + (i * 7919 % 29) * 1'000;
    captured_us.push_back(tick * 1'000'000 / 30 + late_us);
    return kStart + std::chrono::microseconds{captured_us.back()};
  });
  recorder.stop();
  const auto file = folder / "segment-00001.mkv";
  const auto pairs_close = [&] {
    int n = 0;
    for (std::size_t i = 1; i < captured_us.size(); ++i) n += captured_us[i] - captured_us[i - 1] < 20'000;
    return n;
  }();
  ASSERT_GE(pairs_close, 5) << "the test should hold frames captured less than 20 ms apart";
  EXPECT_EQ(stderr_of("ffmpeg -nostdin -v error -i " + file.string() + " -f null -"), "");
  EXPECT_EQ(stderr_of("ffmpeg -nostdin -v error -i " + file.string() + " -fps_mode vfr -f null -"), "");
  // Each frame on a tick of its own, strictly later than the one before, within a frame interval of its
  // capture time (from the first frame's), and the stall kept as a gap.
  const auto times = packet_times_us(file);
  ASSERT_EQ(times.size(), captured_us.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(i));
    const std::int64_t tick = (times[i] * 30 + 500'000) / 1'000'000;
    EXPECT_LE(std::abs(times[i] - tick * 1'000'000 / 30), 1) << times[i] << " µs is not on the 30 fps grid";
    if (i > 0) {
      EXPECT_GT(times[i], times[i - 1]);
    }
    EXPECT_LT(std::abs(times[i] - (captured_us[i] - captured_us[0])), kIntervalUs) << times[i];
  }
  EXPECT_NEAR(times[100] - times[99], 7'000'000 / 30, 1) << "the stall's gap";
  EXPECT_EQ(testing::decode_segment(file).pts_ns.size(), 150u);
}

// A small file system of its own (tmpfs), so that the test can fill it; needs the right to mount (root).
class SmallDisk {
 public:
  SmallDisk(const std::filesystem::path& at, int megabytes) : at_(at) {
    std::filesystem::create_directories(at);
    const std::string options = "size=" + std::to_string(megabytes) + "m,mode=0700";
    mounted_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, options.c_str()) == 0;
    if (!mounted_) why_ = std::strerror(errno);
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(at_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }

 private:
  std::filesystem::path at_;
  bool mounted_ = false;
  std::string why_;
};

constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(SegmentRecorder, StopsAtTheFreeSpaceFloorWarnsBeforeAndNeverStartsBelowIt) {
  const auto disk = testing::scratch_dir("recording-disk") / "disk";
  SmallDisk small(disk, 40);
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << small.why();
  const DiskFloors floors{12 * kMiB, 20 * kMiB};
  SegmentRecorder recorder(std::chrono::seconds{4}, {}, floors);
  // About 2.5 MB a second of capture time.
  testing::EncodedTestStream stream(1280, 720, 20000, 30, "snow");
  ASSERT_EQ(recorder.start(disk / "case-1"), std::nullopt);
  EXPECT_FALSE(recorder.status().disk_low);
  std::optional<std::uint64_t> free_when_warned;
  std::uint64_t lowest_free = UINT64_MAX;
  int i = 0;
  for (; i < 30 * 60 && recorder.status().recording; ++i) {
    GstSample* sample = stream.next();
    ASSERT_NE(sample, nullptr);
    record_encoded_frame(recorder, sample, kStart + i * std::chrono::milliseconds{33});
    gst_sample_unref(sample);
    const auto s = recorder.status();
    if (s.disk_low && !free_when_warned) free_when_warned = s.free_bytes;
    lowest_free = std::min(lowest_free, free_bytes_at(disk).value_or(0));
  }
  recorder.stop();
  const auto s = recorder.status();
  EXPECT_FALSE(s.recording) << "a minute of capture did not reach the floor";
  EXPECT_NE(s.last_error.find("below its floor"), std::string::npos) << s.last_error;
  ASSERT_TRUE(free_when_warned.has_value()) << "no warning before the floor";
  EXPECT_LT(*free_when_warned, floors.warn_below_bytes);
  EXPECT_GE(*free_when_warned, floors.refuse_below_bytes);
  // Stopped within about a second of capture (one check's worth) of the floor: the disk never filled.
  EXPECT_GT(lowest_free, floors.refuse_below_bytes - 4 * kMiB);
  // What was recorded is whole: every segment closed, sealed and playable.
  std::string why;
  const auto manifest = RecordingManifest::read(disk / "case-1", &why);
  ASSERT_TRUE(manifest) << why;
  EXPECT_EQ(manifest->state, RecordingState::kComplete);
  ASSERT_FALSE(manifest->segments.empty());
  for (const auto& segment : manifest->segments) {
    EXPECT_TRUE(segment.closed) << segment.file;
    EXPECT_TRUE(segment.seal.has_value()) << segment.file;
    EXPECT_TRUE(testing::decode_segment(disk / "case-1" / segment.file).error.empty()) << segment.file;
  }
  // Below the floor, a new recording does not start.
  const auto refused = recorder.start(disk / "case-2");
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->find("below its floor"), std::string::npos) << *refused;
}

TEST(VerifyRecording, AnIntactRecordingPassesAndEachDamageIsNamed) {
  const auto folder = testing::scratch_dir("recording-verify") / "case-1";
  {
    SegmentRecorder recorder(std::chrono::seconds{60}, {});
    testing::EncodedTestStream stream(320, 240, 500, 30, "ball");
    ASSERT_EQ(recorder.start(folder, {"CASE-V", "site"}), std::nullopt);
    std::ofstream(folder / "notes.txt") << "another file of the recording\n";
    recorder.add_file("notes", "notes.txt");
    feed(recorder, stream, 60, [](int i) { return kStart + i * std::chrono::milliseconds{33}; });
    recorder.seal("notes");
    recorder.stop();
  }
  EXPECT_EQ(verify_recording(folder), std::vector<std::string>{});
  const auto problems = [&] { return nlohmann::json(verify_recording(folder)).dump(); };

  // One byte of the picture changed: same size, another hash.
  const auto segment = folder / "segment-00001.mkv";
  const std::string original = testing::read_text(segment);
  std::string changed = original;
  changed[changed.size() / 2] = static_cast<char>(changed[changed.size() / 2] ^ 0x01);
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << changed;
  EXPECT_NE(problems().find("segment-00001.mkv does not match its SHA-256"), std::string::npos) << problems();
  std::ofstream(segment, std::ios::binary | std::ios::trunc) << original;
  EXPECT_EQ(verify_recording(folder), std::vector<std::string>{});

  // Another file cut short, then gone.
  std::ofstream(folder / "notes.txt", std::ios::trunc) << "another";
  EXPECT_NE(problems().find("notes.txt has 7 bytes, the manifest sealed 30 (notes)"), std::string::npos)
      << problems();
  std::filesystem::remove(folder / "notes.txt");
  EXPECT_NE(problems().find("notes.txt is missing (notes)"), std::string::npos) << problems();

  // No manifest, nothing to trust.
  std::filesystem::remove(folder / "recording.json");
  EXPECT_NE(problems().find("recording.json is missing"), std::string::npos) << problems();
}

// The folder of a recording as a crash leaves it: `frames` frames written into its one segment, whose end
// was never written, and a second listed file; nothing sealed. Returns the folder.
std::filesystem::path crashed_recording(const std::filesystem::path& dir, int frames) {
  SegmentRecorder recorder(std::chrono::seconds{60}, {});
  testing::EncodedTestStream stream(640, 360, 1500, 30, "ball");
  EXPECT_EQ(recorder.start(dir / "live"), std::nullopt);
  std::ofstream(dir / "live" / "notes.txt") << "another file of the recording\n";
  recorder.add_file("notes", "notes.txt");
  feed(recorder, stream, frames, [](int i) { return kStart + i * std::chrono::milliseconds{33}; });
  std::filesystem::copy(dir / "live", dir / "crashed");
  recorder.seal("notes");
  recorder.stop();
  return dir / "crashed";
}

TEST(RecoverRecording, RewritesTheSegmentACrashLeftOpenSealsTheFilesAndSaysSo) {
  const auto folder = crashed_recording(testing::scratch_dir("recording-recover"), 150);
  std::string why;
  const auto before = RecordingManifest::read(folder, &why);
  ASSERT_TRUE(before) << why;
  ASSERT_EQ(before->state, RecordingState::kRecording);
  ASSERT_FALSE(before->segments.at(0).closed);

  std::vector<std::string> settled;
  const auto recovery =
      recover_recording(folder, [&](const std::string& role, const std::filesystem::path& f) {
        settled.push_back(role + ":" + f.filename().string());
        return std::optional<std::string>{};
      });
  EXPECT_TRUE(recovery.needed);
  EXPECT_EQ(recovery.error, "");
  EXPECT_EQ(settled, std::vector<std::string>{"notes:notes.txt"});
  const auto after = RecordingManifest::read(folder, &why);
  ASSERT_TRUE(after) << why;
  EXPECT_EQ(after->state, RecordingState::kRecovered);
  EXPECT_EQ(after->notes, recovery.notes);
  const std::string notes = nlohmann::json(recovery.notes).dump();
  EXPECT_NE(notes.find("segment-00001.mkv was left open; rewritten with the"), std::string::npos) << notes;
  const auto& segment = after->segments.at(0);
  EXPECT_TRUE(segment.closed);
  EXPECT_NE(segment.repaired, "");
  EXPECT_GT(segment.frames, 100u);
  EXPECT_LE(segment.frames, 150u);
  const auto decoded = testing::decode_segment(folder / segment.file);
  EXPECT_TRUE(decoded.error.empty()) << decoded.error;
  EXPECT_EQ(decoded.frames, static_cast<int>(segment.frames));
  // Read back from the file, the last frame's time is its tick on the 30 fps grid: frames fed 33 ms apart
  // (a little faster than the 30 fps the stream declares) take one tick each.
  const auto last_tick = kStart + std::chrono::nanoseconds{(segment.frames - 1) * 1'000'000'000 / 30};
  EXPECT_LE(std::chrono::abs(segment.last - last_tick), std::chrono::microseconds{1});
  ASSERT_TRUE(segment.seal);
  EXPECT_EQ(segment.seal, seal_of(folder / segment.file, nullptr));
  ASSERT_NE(after->file("notes"), nullptr);
  EXPECT_EQ(after->file("notes")->seal, seal_of(folder / "notes.txt", nullptr));
  // Once finished, a recording is left alone.
  EXPECT_FALSE(recover_recording(folder).needed);
  EXPECT_FALSE(recover_recording(folder.parent_path() / "live").needed);
}

TEST(RecoverRecording, MarksASegmentWithNothingReadableAndKeepsIt) {
  const auto folder = crashed_recording(testing::scratch_dir("recording-recover-unreadable"), 40);
  std::ofstream(folder / "segment-00001.mkv", std::ios::trunc) << "not Matroska at all";
  const auto recovery = recover_recording(folder);
  EXPECT_TRUE(recovery.needed);
  const std::string notes = nlohmann::json(recovery.notes).dump();
  EXPECT_NE(notes.find("segment-00001.mkv was left open and cannot be read"), std::string::npos) << notes;
  const auto after = RecordingManifest::read(folder, nullptr);
  ASSERT_TRUE(after);
  EXPECT_FALSE(after->segments.at(0).closed);
  EXPECT_NE(after->segments.at(0).repaired.find("unreadable"), std::string::npos);
  EXPECT_EQ(testing::read_text(folder / "segment-00001.mkv"), "not Matroska at all");
}

TEST(RecoverRecording, LeavesARecordingThatIsBeingWrittenAlone) {
  const auto dir = testing::scratch_dir("recording-recover-running");
  SegmentRecorder recorder(std::chrono::seconds{60}, {});
  testing::EncodedTestStream stream(320, 240, 500, 30, "ball");
  ASSERT_EQ(recorder.start(dir / "running"), std::nullopt);
  feed(recorder, stream, 10, [](int i) { return kStart + i * std::chrono::milliseconds{33}; });
  const auto recovery = recover_recording(dir / "running");
  EXPECT_FALSE(recovery.needed);
  EXPECT_NE(recovery.error.find("running sender"), std::string::npos) << recovery.error;
  EXPECT_EQ(RecordingManifest::read(dir / "running", nullptr)->state, RecordingState::kRecording);
  recorder.stop();
}

// An Opus packet as the voice sends it (RFC 6716 TOC 0xF0: CELT, fullband, 10 ms, one frame), `bytes` long;
// its content is only carried, never decoded here.
std::vector<std::uint8_t> opus_packet(std::size_t bytes, int n) {
  std::vector<std::uint8_t> p(bytes, static_cast<std::uint8_t>(n));
  p[0] = 0xF0;
  return p;
}

TEST(VoiceFiles, EachTalkersPacketsAtTheirCaptureTimesGapsKeptSealedAndRecoveredAfterACrash) {
  const auto dir = testing::scratch_dir("recording-voice");
  SegmentRecorder recorder(std::chrono::seconds{60}, {});
  testing::EncodedTestStream stream(320, 240, 500, 30, "ball");
  recorder.record_voice("or", opus_packet(300, 1), kStart);  // not recording: nothing
  ASSERT_EQ(recorder.start(dir / "live"), std::nullopt);
  feed(recorder, stream, 30, [](int i) { return kStart + i * std::chrono::milliseconds{33}; });
  // The OR: 1 s of packets every 10 ms, then 1.5 s of nothing (muted), then 1 s more; a mentor in between.
  std::vector<core::CaptureTime> or_times;
  for (int i = 0; i < 200; ++i) {
    const auto at =
        kStart + std::chrono::milliseconds{10 * i + (i >= 100 ? 1500 : 0)} + std::chrono::microseconds{137};
    or_times.push_back(at);
    recorder.record_voice("or", opus_packet(400, i), at);
    if (i % 2 == 0) recorder.record_voice("Dr. A/B", opus_packet(400, i), at + std::chrono::milliseconds{3});
  }
  recorder.stop();

  const auto live = RecordingManifest::read(dir / "live", nullptr);
  ASSERT_TRUE(live);
  ASSERT_EQ(live->voice.size(), 2u);
  const auto& or_file = live->voice.at(0);
  EXPECT_EQ(or_file.file, "voice-or-00001.mkv");
  EXPECT_EQ(or_file.talker, "or");
  EXPECT_EQ(or_file.frames, 200u);
  EXPECT_EQ(or_file.first, or_times.front());
  EXPECT_EQ(or_file.last, or_times.back());
  EXPECT_EQ(live->voice.at(1).file, "voice-Dr__A_B-00001.mkv")
      << "a display name never climbs out of the folder";
  EXPECT_EQ(live->voice.at(1).talker, "Dr. A/B");
  EXPECT_EQ(verify_recording(dir / "live"), std::vector<std::string>{});
  // Every packet at its capture time from the file's start, the gap kept (1 µs: Matroska's resolution here).
  const auto times = packet_times_us(dir / "live" / or_file.file);
  ASSERT_EQ(times.size(), or_times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    const auto expected = std::chrono::duration_cast<std::chrono::microseconds>(or_times[i] - or_times[0]);
    EXPECT_NEAR(static_cast<double>(times[i]), static_cast<double>(expected.count()), 1.0) << "packet " << i;
  }

  // As a crash leaves them: the OR's file cut off in its middle (no end, no index), the mentor's never
  // closed, nothing sealed, the recording still "recording". Recovered like a segment: rewritten, sealed,
  // said so.
  std::filesystem::copy(dir / "live", dir / "crashed");
  auto crashed = *live;
  crashed.state = RecordingState::kRecording;
  for (auto& v : crashed.voice) {
    v.closed = false;
    v.seal.reset();
  }
  ASSERT_EQ(crashed.write(dir / "crashed"), std::nullopt);
  const auto cut = dir / "crashed" / or_file.file;
  std::filesystem::resize_file(cut, std::filesystem::file_size(cut) * 2 / 3);
  const auto recovery = recover_recording(dir / "crashed");
  EXPECT_TRUE(recovery.needed);
  EXPECT_EQ(recovery.error, "");
  const std::string notes = nlohmann::json(recovery.notes).dump();
  const auto after = RecordingManifest::read(dir / "crashed", nullptr);
  ASSERT_TRUE(after);
  ASSERT_EQ(after->voice.size(), 2u) << notes;
  EXPECT_NE(notes.find("voice-or-00001.mkv was left open; rewritten with the"), std::string::npos) << notes;
  const auto& or_after = after->voice.at(0);
  ASSERT_TRUE(or_after.closed) << notes;
  EXPECT_GT(or_after.frames, 100u) << "two thirds of the file can be read";
  EXPECT_LT(or_after.frames, 200u);
  EXPECT_EQ(or_after.seal, seal_of(cut, nullptr));
  const auto kept = packet_times_us(cut);
  ASSERT_EQ(kept.size(), or_after.frames);
  for (std::size_t i = 0; i < kept.size(); ++i) EXPECT_EQ(kept[i], times[i]) << "packet " << i << " moved";
  EXPECT_TRUE(after->voice.at(1).closed && after->voice.at(1).seal) << notes;
  EXPECT_EQ(verify_recording(dir / "crashed"), std::vector<std::string>{});
}

}  // namespace
}  // namespace surgilink::media
