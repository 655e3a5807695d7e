#pragma once
// An exported clip (issue 16): pictures of a recording, changed by the review (annotations burnt in, a
// rectangle blurred), encoded again as H.264 in MP4 that ordinary players and browsers play, with the case
// pseudonym (never a patient) in its metadata.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <opencv2/core.hpp>

namespace surgilink::media {

// One thread at a time.
class ClipWriter {
 public:
  // Opens `file` for `size` BGR pictures: H.264 (x264, High profile, 4:2:0) in MP4 with its index at the
  // start (plays while it downloads); `with_sound`: and a sound track, AAC-LC 48 kHz mono (push_sound).
  // `title` and `comment` go into the file's metadata. Nullptr with `why` when it cannot.
  static std::unique_ptr<ClipWriter> open(const std::filesystem::path& file, cv::Size size,
                                          const std::string& title, const std::string& comment,
                                          std::string* why, bool with_sound = false);
  ~ClipWriter();
  ClipWriter(const ClipWriter&) = delete;
  ClipWriter& operator=(const ClipWriter&) = delete;

  // One picture (CV_8UC3 of the clip's size, copied) shown from `at` after the clip's start; times must
  // increase. False when it was refused (another size, a time not after the last, the encoder failed).
  bool push(const cv::Mat& bgr, std::chrono::nanoseconds at);
  // The next 48 kHz mono samples of the sound track (sample 0 is heard with the clip's start), copied; pushed
  // alongside the pictures, no more than a second or so ahead of them (the muxer interleaves the two). False
  // without a sound track or when it was refused.
  bool push_sound(std::span<const float> samples);
  std::uint64_t sound_samples() const { return sound_samples_; }
  // Ends the stream and waits (at most `wait`) until the file is written whole. False with `why` otherwise.
  bool finish(std::chrono::nanoseconds wait, std::string* why);

  std::uint64_t frames() const { return frames_; }

 private:
  struct Pipeline;
  ClipWriter() = default;
  std::unique_ptr<Pipeline> pipeline_;
  cv::Size size_;
  std::optional<std::chrono::nanoseconds> last_;
  std::uint64_t frames_ = 0;
  std::uint64_t sound_samples_ = 0;
  bool ended_ = false;
};

}  // namespace surgilink::media
