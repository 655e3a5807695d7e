#pragma once
// The OR window's status strip (issue 13): one thin line along the bottom of the surgeon's picture that says
// who is connected and who holds the pen, how late each mentor sees the picture (coloured as on the
// console), the link's state, recording/consent, and whether the annotations are hidden or the video paused.
// Sized to be read from 2 m on a 27" monitor; hidden and shown again with a key.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "or_words.hpp"
#include "surgilink/media/sender_pipeline.hpp"

namespace surgilink::sender {

// One mentor or observer in the strip. Plain value type.
struct OrStripPerson {
  std::string name;
  bool mentor = false;
  bool holds_pen = false;
  std::optional<double> g2g_p95_ms;  // as the console last reported; none: no recent report
  double loss = 0;                   // share of video packets its link loses (before repair)
};

// What the strip shows. Plain value type.
struct OrStripState {
  std::vector<OrStripPerson> people;  // in join order
  bool mentor_link_lost = false;      // a mentor was here and none is now
  std::string pen_waits_for;          // a lost mentor's pen waits for them
  bool consent_recorded = false, recording = false;
  bool annotations_hidden = false;
  bool privacy_paused = false;
};

// set_state/toggle: the network thread (or the window's event thread); draw: the OR display's streaming
// thread.
class OrStatusStrip : public media::OrDisplayOverlay {
 public:
  // A mentor's p95 under `green_below` is green, under `red_from` amber, else red (the console's colours).
  // `words`: the strip's language, looked up here once.
  OrStatusStrip(double green_below_ms, double red_from_ms, const OrWords& words = {});
  // The strip's height in a picture `picture_height` rows high: ~5 %, letters ~10 mm on a 27" monitor.
  static int height_for(int picture_height) { return (picture_height / 20) & ~1; }

  void set_state(OrStripState state);
  // Hides or shows the strip again; returns whether it is shown now.
  bool toggle();
  bool visible() const;
  // The strip as text, segment by segment ("Dr. A (pen) 24 ms | LINK OK | REC", in the strip's language):
  // the log and tests read it.
  std::string text() const;

  bool has_content() const override { return visible(); }
  void draw(media::I420Picture picture, core::CaptureTime capture_time) override;

 private:
  struct Segment {
    std::string text;
    cv::Scalar yuv;
  };
  // What `state` shows, segment by segment; made once per state, not per frame.
  std::vector<Segment> segments_of(const OrStripState& state) const;

  // The strip's words in the chosen language (patterns with %1).
  struct Words {
    std::string paused, holds_pen, watching, link_lost_pen_waits, no_mentor, waiting_for_mentor, link_ok, rec,
        consent_not_recording, no_consent, annotations_hidden, loss;
  };
  const double green_below_ms_, red_from_ms_;
  const Words words_;
  const bool translated_;  // then names and numbers are lettered like the translated words beside them
  mutable std::mutex mutex_;
  // Shared with the frame being drawn: the streaming thread takes a reference, never a copy of the strings.
  std::shared_ptr<const std::vector<Segment>> segments_;
  bool visible_ = true;
};

}  // namespace surgilink::sender
