#include "surgilink/review/clip_export.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "surgilink/annotation/annotation_layer.hpp"
#include "surgilink/media/audio_marker.hpp"
#include "surgilink/media/clip_writer.hpp"
#include "surgilink/media/recorded_voice.hpp"

namespace surgilink::review {

namespace {

// Makes a rectangle unreadable: pixelated to blocks of 1/16 of its size, then smoothed over about a block,
// so that the blocks' edges (a bright instrument across dark tissue leaves a staircase) show no detail
// either.
void blur_rectangle(cv::Mat& bgr, cv::Rect area) {
  cv::Mat part = bgr(area);
  cv::Mat coarse;
  const int across = std::max(1, area.width / 16), down = std::max(1, area.height / 16);
  cv::resize(part, coarse, cv::Size(across, down), 0, 0, cv::INTER_AREA);
  cv::resize(coarse, part, area.size(), 0, 0, cv::INTER_NEAREST);
  const double block =
      std::max(static_cast<double>(area.width) / across, static_cast<double>(area.height) / down);
  cv::GaussianBlur(part, part, cv::Size(0, 0), std::max(2.0, block / 2), 0,
                   cv::BORDER_REPLICATE | cv::BORDER_ISOLATED);
}

std::string rectangle_text(cv::Rect r) {
  return std::to_string(r.x) + "," + std::to_string(r.y) + "," + std::to_string(r.width) + "," +
         std::to_string(r.height);
}

// Sound pushed ahead of the pictures: the muxer interleaves them, and the encoder holds pictures. Never
// closer than kSoundHeldBack to the span's end, where the last picture may be.
constexpr auto kSoundAhead = std::chrono::milliseconds{500};
constexpr auto kSoundHeldBack = std::chrono::milliseconds{200};
// The AAC encoder puts 1024 samples of priming before the sound and mp4mux writes no edit list to hide them,
// so players start the sound that late: the track starts that much into the mix instead (measured by
// tests/review/voice_recording_test.cpp: 21.3 ms late without this).
constexpr std::size_t kAacPrimingSamples = 1024;

std::size_t samples_in(std::chrono::nanoseconds span) {
  return span.count() <= 0 ? 0
                           : static_cast<std::size_t>(std::llround(
                                 std::chrono::duration<double>(span).count() * media::kVoiceSampleRate));
}

// The voice of every talker between `origin` and `to`, mixed, each packet at its capture time.
std::vector<float> mixed_voice(const RecordedCase& recorded, core::CaptureTime origin, core::CaptureTime to,
                               ClipResult& result) {
  std::vector<float> mix(samples_in(to - origin + std::chrono::seconds{1}) + kAacPrimingSamples, 0.0f);
  for (const auto& v : recorded.manifest().voice) {
    if (v.last + std::chrono::milliseconds{120} < origin || v.first > to) continue;
    std::string why;
    const auto priming = std::chrono::nanoseconds{static_cast<std::int64_t>(kAacPrimingSamples) *
                                                  1'000'000'000 / media::kVoiceSampleRate};
    const long placed =
        media::mix_recorded_voice(recorded.folder() / v.file, v.first, origin + priming, mix, &why);
    if (placed < 0) {
      result.voice_problems.push_back(v.file + ": " + why);
      continue;
    }
    if (placed > 0 &&
        std::find(result.talkers.begin(), result.talkers.end(), v.talker) == result.talkers.end())
      result.talkers.push_back(v.talker);
  }
  for (auto& sample : mix) sample = std::clamp(sample, -1.0f, 1.0f);  // two talkers at once
  return mix;
}

}  // namespace

std::optional<ClipResult> export_clip(const RecordedCase& recorded, const ClipRequest& request,
                                      std::string* why) {
  auto fail = [why](std::string text) -> std::optional<ClipResult> {
    if (why) *why = std::move(text);
    return std::nullopt;
  };
  if (request.to <= request.from) return fail("the clip ends before it begins");
  const auto from = std::max(request.from, recorded.first_picture());
  const auto to = std::min(request.to, recorded.last_picture());
  if (to < from) return fail("no picture of the recording lies between those times");
  const auto& m = recorded.manifest();
  ClipResult result;
  result.comment = "SurgiLink clip of case " + (m.case_pseudonym.empty() ? "?" : m.case_pseudonym) + " (" +
                   (m.site.empty() ? "?" : m.site) + "), annotations as the OR display showed them; " +
                   (request.blur ? "de-identified: rectangle " + rectangle_text(*request.blur) + " blurred"
                                 : "no rectangle blurred");
  std::unique_ptr<media::ClipWriter> writer;
  std::unique_ptr<annotation::AnnotationLayer> layer;
  SceneCursor scene(recorded);
  std::optional<core::CaptureTime> first, last;
  std::string failure;
  const bool with_sound = request.voice && !m.voice.empty();
  std::vector<float> sound;
  std::size_t sound_pushed = 0;
  // The sound up to `until` after the clip's start.
  const auto push_sound_until = [&](std::chrono::nanoseconds until) {
    const std::size_t end = std::min(sound.size(), samples_in(until));
    if (end > sound_pushed && writer->push_sound(std::span(sound).subspan(sound_pushed, end - sound_pushed)))
      sound_pushed = end;
  };
  for (std::size_t i = 0; i < m.segments.size(); ++i) {
    const auto& s = m.segments[i];
    // A segment ends where the next begins when its own end is not known (a rebuilt manifest).
    const auto end = s.last > s.first ? s.last : (i + 1 < m.segments.size() ? m.segments[i + 1].first : to);
    if (end < from || s.first > to) continue;
    std::string segment_why;
    const bool read = media::for_each_recorded_picture(
        recorded.folder() / s.file, s.first, from, to,
        [&](media::RecordedPicture& picture) {
          if (last && picture.capture <= *last) return true;  // already written from the segment before
          if (!writer) {
            if (request.blur && (*request.blur & cv::Rect({0, 0}, picture.bgr.size())) != *request.blur) {
              failure = "the blur rectangle " + rectangle_text(*request.blur) + " is not inside the " +
                        std::to_string(picture.bgr.cols) + "x" + std::to_string(picture.bgr.rows) +
                        " picture";
              return false;
            }
            writer = media::ClipWriter::open(request.out, picture.bgr.size(),
                                             m.case_pseudonym.empty() ? "SurgiLink case" : m.case_pseudonym,
                                             result.comment, &failure, with_sound);
            if (!writer) return false;
            layer = std::make_unique<annotation::AnnotationLayer>(picture.bgr.size());
            first = picture.capture;
            if (with_sound) sound = mixed_voice(recorded, *first, to, result);
          }
          // Never past the span's end: the track ends with the last picture.
          if (with_sound)
            push_sound_until(std::min(picture.capture + kSoundAhead, to - kSoundHeldBack) - *first);
          if (request.blur) blur_rectangle(picture.bgr, *request.blur);
          const auto shown = scene.at(picture.capture);
          if (!scene.hidden() && !shown->annotations.empty()) {
            layer->update(shown, recorded.placements_at(picture.capture, *shown, picture.bgr.size()));
            layer->blend_onto_bgr(picture.bgr);
          }
          if (!writer->push(picture.bgr, picture.capture - *first)) {
            failure = "the encoder refused a picture";
            return false;
          }
          last = picture.capture;
          result.duration = picture.capture - *first;
          ++result.frames;
          return true;
        },
        &segment_why, s.seek_preroll());
    if (!failure.empty()) return fail(failure);
    if (!read) return fail(s.file + ": " + segment_why);
  }
  if (!writer) return fail("no picture could be decoded between those times");
  if (with_sound) {
    // As long as the pictures: to the last one's end (the mean spacing of the clip's pictures).
    const auto frame = result.frames > 1 ? result.duration / static_cast<long>(result.frames - 1)
                                         : std::chrono::nanoseconds{std::chrono::milliseconds{33}};
    const auto sound_end = result.duration + frame;
    const std::size_t heard =
        samples_in(sound_end) > kAacPrimingSamples ? samples_in(sound_end) - kAacPrimingSamples : 0;
    sound.resize(std::max(heard, sound_pushed), 0.0f);
    push_sound_until(sound_end);
    result.sound = sound_end;
  }
  if (!writer->finish(std::chrono::seconds{60}, &failure)) return fail(failure);
  return result;
}

}  // namespace surgilink::review
