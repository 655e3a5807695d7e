#include "or_status_strip.hpp"

#include <cmath>

#include "or_picture_box.hpp"

namespace surgilink::sender {

namespace {
// BT.601 limited range.
const cv::Scalar kStrip(30, 128, 128), kGrey(70, 128, 128), kGreen(100, 90, 80), kAmber(150, 44, 180),
    kRed(70, 100, 210);
}  // namespace

namespace {
constexpr double kDegradedLoss = 0.02;  // the consoles' own "degraded" share, before repair here
}  // namespace

OrStatusStrip::OrStatusStrip(double green_below_ms, double red_from_ms, const OrWords& w)
    : green_below_ms_(green_below_ms),
      red_from_ms_(red_from_ms),
      words_{w(or_word::kPaused),
             w(or_word::kHoldsPen),
             w(or_word::kWatching),
             w(or_word::kLinkLostPenWaits),
             w(or_word::kNoMentorConnected),
             w(or_word::kWaitingForMentor),
             w(or_word::kLinkOk),
             w(or_word::kRec),
             w(or_word::kConsentNotRecording),
             w(or_word::kNoConsentNotRecording),
             w(or_word::kAnnotationsHidden),
             w(or_word::kLoss)},
      translated_(!w.english()),
      segments_(std::make_shared<const std::vector<Segment>>(segments_of({}))) {}

void OrStatusStrip::set_state(OrStripState state) {
  auto segments = std::make_shared<const std::vector<Segment>>(segments_of(state));
  std::lock_guard lock(mutex_);
  segments_ = std::move(segments);
}

bool OrStatusStrip::toggle() {
  std::lock_guard lock(mutex_);
  visible_ = !visible_;
  return visible_;
}

bool OrStatusStrip::visible() const {
  std::lock_guard lock(mutex_);
  return visible_;
}

std::vector<OrStatusStrip::Segment> OrStatusStrip::segments_of(const OrStripState& state) const {
  const Words& w = words_;
  std::vector<Segment> out;
  if (state.privacy_paused) out.push_back({w.paused, kAmber});
  bool any_mentor = false;
  for (const auto& p : state.people) {
    std::string text = p.holds_pen ? OrWords::fill(w.holds_pen, p.name) : p.name;
    cv::Scalar colour = kGrey;
    if (!p.mentor) {
      text = OrWords::fill(w.watching, text);
    } else {
      any_mentor = true;
      if (p.g2g_p95_ms) {
        text += " " + std::to_string(std::lround(*p.g2g_p95_ms)) + " ms";
        colour = *p.g2g_p95_ms < green_below_ms_ ? kGreen : *p.g2g_p95_ms < red_from_ms_ ? kAmber : kRed;
        // A link that loses packets is degraded even while repair keeps the latency down (DESIGN.md §13).
        if (p.loss >= kDegradedLoss) {
          text += " " + OrWords::fill(w.loss, std::to_string(std::lround(p.loss * 100)));
          if (colour == kGreen) colour = kAmber;
        }
      } else {
        text += " --";
      }
    }
    out.push_back({std::move(text), colour});
  }
  if (!state.pen_waits_for.empty()) {
    out.push_back({OrWords::fill(w.link_lost_pen_waits, state.pen_waits_for), kRed});
  } else if (state.mentor_link_lost) {
    out.push_back({w.no_mentor, kRed});
  } else if (!any_mentor) {
    out.push_back({w.waiting_for_mentor, kGrey});
  } else {
    out.push_back({w.link_ok, kGreen});
  }
  if (state.recording) {
    out.push_back({w.rec, kRed});
  } else {
    out.push_back({state.consent_recorded ? w.consent_not_recording : w.no_consent, kGrey});
  }
  if (state.annotations_hidden) out.push_back({w.annotations_hidden, kAmber});
  return out;
}

std::string OrStatusStrip::text() const {
  std::shared_ptr<const std::vector<Segment>> parts;
  {
    std::lock_guard lock(mutex_);
    parts = segments_;
  }
  std::string t;
  for (const auto& s : *parts) t += (t.empty() ? "" : " | ") + s.text;
  return t;
}

void OrStatusStrip::draw(media::I420Picture picture, core::CaptureTime) {
  if (picture.planes[0] == nullptr) return;
  std::shared_ptr<const std::vector<Segment>> parts;
  {
    std::lock_guard lock(mutex_);
    if (!visible_) return;
    parts = segments_;
  }
  const int h = height_for(picture.height);
  if (h <= 0) return;
  const int y = picture.height - h;
  draw_text_box(picture, cv::Rect(0, y, picture.width, h), "", kStrip, 1, 1, 0);
  // Capital letters ~60 % of the strip: at 1080 rows on a 27" monitor (336 mm) about 10 mm, legible at 2 m.
  const double scale = picture.height / 1080.0;
  const double font_scale = 1.35 * scale;
  const int thickness = std::max(1, static_cast<int>(std::lround(2.5 * scale)));
  const int pad = static_cast<int>(12 * scale), gap = static_cast<int>(10 * scale);
  const Lettering lettering = translated_ ? Lettering::kTypeface : Lettering::kHersheyForAscii;
  int x = gap;
  for (const auto& part : *parts) {
    int baseline = 0;
    const int w = measure_box_text(part.text, font_scale, thickness, &baseline, lettering).width + 2 * pad;
    if (x + w > picture.width) break;  // never cut a word: what does not fit is left out whole
    draw_text_box(picture, cv::Rect(x, y + h / 10, w, h - h / 5), part.text, part.yuv, font_scale, thickness,
                  pad, lettering);
    x += w + gap;
  }
}

}  // namespace surgilink::sender
