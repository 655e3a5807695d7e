#pragma once
// Playing a recorded case back for the review window (issue 16): the pictures decoded from the recording's
// segments as recorded (no re-encode) on a thread of its own, "review-decode", so the window's thread never
// waits on a decoder. Each picture comes with the case as it was at its capture time (annotation scene,
// vitals, latency, link). Requests do not queue: a newer one replaces one not yet started and interrupts
// the one running (dragging the timeline asks for many pictures; only the last one matters).

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/media/video_frame.hpp"
#include "surgilink/media/voice_replay.hpp"
#include "surgilink/review/recorded_case.hpp"

namespace surgilink::console {

class RecordedPlayback {
 public:
  // Told on the decoder thread; must not block.
  class Listener {
   public:
    virtual ~Listener() = default;
    // The picture to show now and the case at its capture time; `request` numbers the request it answers
    // (as returned by show(), play() and step()).
    virtual void on_recorded_picture(std::uint64_t request, std::shared_ptr<const media::VideoFrame> picture,
                                     review::CaseMoment moment) = 0;
    // Playing reached the recording's last picture (it stays on the screen).
    virtual void on_playback_end(std::uint64_t request) = 0;
    // A picture could not be decoded (a segment missing or damaged): one sentence.
    virtual void on_playback_problem(std::uint64_t request, std::string why) = 0;
    // The playback clock (what the recorded voice follows): none for every request as it is made (told on
    // the caller's thread, before the decoder thread can start it, so a newer request silences an older one
    // at once); then, on the decoder thread, a play's clock when it starts and none when it reaches the end.
    virtual void on_playback_clock(std::uint64_t /*request*/, std::optional<media::ReplayClock> /*clock*/) {}
  };

  // `recorded` and `listener` must outlive the playback. Starts the decoder thread.
  RecordedPlayback(const review::RecordedCase& recorded, Listener& listener);
  // Interrupts what runs and joins the thread.
  ~RecordedPlayback();
  RecordedPlayback(const RecordedPlayback&) = delete;
  RecordedPlayback& operator=(const RecordedPlayback&) = delete;

  // Any thread; each returns its request's number. The picture on the screen at `t` (the last frame captured
  // at or before it).
  std::uint64_t show(core::CaptureTime t);
  // Plays from `from` at `speed` times real time (0.25 … 4): each picture is handed over when it is due; a
  // decoder that falls behind skips handing over pictures, never the pace.
  std::uint64_t play(core::CaptureTime from, double speed);
  // The frame after (`direction` > 0) or before (< 0) the one captured at `shown`.
  std::uint64_t step(core::CaptureTime shown, int direction);
  // Stops playing; the picture on the screen stays.
  std::uint64_t pause();

 private:
  enum class Kind { kShow, kPlay, kStep, kPause };
  struct Request {
    std::uint64_t number = 0;
    Kind kind = Kind::kShow;
    core::CaptureTime at{};
    double speed = 1;
    int direction = 1;
  };
  std::uint64_t ask(Request request);
  void run();
  // True when a newer request or the end of the playback waits (what runs should stop).
  bool interrupted();
  // Waits until `due` or until interrupted; false when interrupted.
  bool wait_until(std::chrono::steady_clock::time_point due);
  void deliver(std::uint64_t request, const media::RecordedPicture& picture);
  void play_from(const Request& request);
  void step_from(const Request& request);

  const review::RecordedCase& recorded_;
  Listener& listener_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<Request> pending_;  // guarded by mutex_
  std::uint64_t requests_ = 0;      // guarded by mutex_
  bool stopping_ = false;           // guarded by mutex_
  std::thread thread_;              // last: started once the rest is ready
};

}  // namespace surgilink::console
