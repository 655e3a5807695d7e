#include "core/recorded_playback.hpp"

#include <pthread.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "surgilink/media/recorded_segment.hpp"

namespace surgilink::console {

namespace {

using Clock = std::chrono::steady_clock;

// A decoder this far behind its pace hands pictures over only now and then: converting and showing late
// pictures would make it fall further behind.
constexpr auto kLateBy = std::chrono::milliseconds{100};
constexpr auto kShowLateEvery = std::chrono::milliseconds{250};

// The segment holding `t`: the last one that began at or before it (the first for a time before the start).
std::size_t segment_of(const media::RecordingManifest& manifest, core::CaptureTime t) {
  const auto& segments = manifest.segments;
  const auto after = std::upper_bound(segments.begin(), segments.end(), t,
                                      [](core::CaptureTime when, const auto& s) { return when < s.first; });
  return after == segments.begin() ? 0 : static_cast<std::size_t>(after - segments.begin() - 1);
}

}  // namespace

RecordedPlayback::RecordedPlayback(const review::RecordedCase& recorded, Listener& listener)
    : recorded_(recorded), listener_(listener), thread_([this] { run(); }) {}

RecordedPlayback::~RecordedPlayback() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t RecordedPlayback::show(core::CaptureTime t) { return ask({0, Kind::kShow, t, 1, 1}); }

std::uint64_t RecordedPlayback::play(core::CaptureTime from, double speed) {
  return ask({0, Kind::kPlay, from, std::clamp(speed, 0.25, 4.0), 1});
}

std::uint64_t RecordedPlayback::step(core::CaptureTime shown, int direction) {
  return ask({0, Kind::kStep, shown, 1, direction < 0 ? -1 : 1});
}

std::uint64_t RecordedPlayback::pause() { return ask({0, Kind::kPause, {}, 1, 1}); }

std::uint64_t RecordedPlayback::ask(Request request) {
  {
    std::lock_guard lock(mutex_);
    request.number = ++requests_;
    pending_ = request;  // replaces one not yet started
    listener_.on_playback_clock(request.number, std::nullopt);
  }
  wake_.notify_all();
  return request.number;
}

bool RecordedPlayback::interrupted() {
  std::lock_guard lock(mutex_);
  return pending_.has_value() || stopping_;
}

bool RecordedPlayback::wait_until(Clock::time_point due) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_until(lock, due, [this] { return pending_.has_value() || stopping_; });
}

void RecordedPlayback::run() {
  pthread_setname_np(pthread_self(), "review-decode");
  for (;;) {
    Request request;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return pending_.has_value() || stopping_; });
      if (stopping_) return;
      request = *std::exchange(pending_, std::nullopt);
    }
    switch (request.kind) {
      case Kind::kShow: {
        std::string why;
        if (auto picture = recorded_.picture_at(request.at, &why)) {
          deliver(request.number, *picture);
        } else {
          listener_.on_playback_problem(request.number, why);
        }
        break;
      }
      case Kind::kPlay:
        play_from(request);
        break;
      case Kind::kStep:
        step_from(request);
        break;
      case Kind::kPause:
        break;
    }
  }
}

void RecordedPlayback::deliver(std::uint64_t request, const media::RecordedPicture& picture) {
  // The console's picture item takes I420, as the live decoder gives it; 4:2:0 wants even sides.
  const cv::Mat bgr = picture.bgr(cv::Rect(0, 0, picture.bgr.cols & ~1, picture.bgr.rows & ~1));
  auto frame = media::VideoFrame::packed(bgr.cols, bgr.rows, picture.capture);
  const media::I420Picture planes = frame->writable();
  cv::Mat i420(bgr.rows * 3 / 2, bgr.cols, CV_8UC1, planes.planes[0]);
  cv::cvtColor(bgr, i420, cv::COLOR_BGR2YUV_I420);
  listener_.on_recorded_picture(request, std::move(frame), recorded_.at(picture.capture));
}

void RecordedPlayback::play_from(const Request& request) {
  const auto& segments = recorded_.manifest().segments;
  const Clock::time_point started = Clock::now();
  Clock::time_point last_shown = started;
  listener_.on_playback_clock(request.number, media::ReplayClock{started, request.at, request.speed});
  bool stopped = false;
  for (std::size_t s = segment_of(recorded_.manifest(), request.at); s < segments.size() && !stopped; ++s) {
    const auto& segment = segments[s];
    const auto from = std::max(request.at, segment.first);
    const auto to = segment.last > segment.first ? segment.last : core::CaptureTime::max();
    std::string why;
    const bool read = media::for_each_recorded_picture(
        recorded_.folder() / segment.file, segment.first, from, to,
        [&](media::RecordedPicture& picture) {
          const auto due = started + std::chrono::duration_cast<Clock::duration>(
                                         (picture.capture - request.at) / request.speed);
          const auto now = Clock::now();
          if (now > due + kLateBy && now - last_shown < kShowLateEvery) return !(stopped = interrupted());
          if (!wait_until(due)) return !(stopped = true);
          deliver(request.number, picture);
          last_shown = Clock::now();
          return true;
        },
        &why, segment.seek_preroll());
    if (!read && !stopped) listener_.on_playback_problem(request.number, segment.file + ": " + why);
  }
  if (!stopped && !interrupted()) {
    listener_.on_playback_clock(request.number, std::nullopt);
    listener_.on_playback_end(request.number);
  }
}

void RecordedPlayback::step_from(const Request& request) {
  std::string why;
  if (request.direction < 0) {
    // The last frame captured before the one shown; at the first frame there is none and it stays.
    if (auto picture = recorded_.picture_at(request.at - std::chrono::nanoseconds{1}, &why)) {
      if (picture->capture < request.at) deliver(request.number, *picture);
    } else {
      listener_.on_playback_problem(request.number, why);
    }
    return;
  }
  // The first frame captured after the one shown: in its segment, or the next segment's first.
  const auto& segments = recorded_.manifest().segments;
  for (std::size_t s = segment_of(recorded_.manifest(), request.at); s < segments.size(); ++s) {
    const auto& segment = segments[s];
    std::optional<media::RecordedPicture> next;
    const bool read = media::for_each_recorded_picture(
        recorded_.folder() / segment.file, segment.first,
        std::max(request.at + std::chrono::nanoseconds{1}, segment.first), core::CaptureTime::max(),
        [&](media::RecordedPicture& picture) {
          next = std::move(picture);
          return false;
        },
        &why, segment.seek_preroll());
    if (!read) {
      listener_.on_playback_problem(request.number, segment.file + ": " + why);
      return;
    }
    if (next) {
      deliver(request.number, *next);
      return;
    }
  }
}

}  // namespace surgilink::console
