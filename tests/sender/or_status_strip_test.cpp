// The OR window's status strip (issue 13): who is here and who holds the pen, each mentor's latency in the
// console's colours, the link, recording/consent, hidden annotations and the pause; readable at 2 m.
#include <gtest/gtest.h>

#include <vector>

#include "or_status_strip.hpp"

namespace surgilink::sender {
namespace {

struct Picture {
  Picture(int w, int h)
      : y(static_cast<std::size_t>(w * h), 16),
        u(static_cast<std::size_t>(w * h / 4), 128),
        v(static_cast<std::size_t>(w * h / 4), 128),
        picture{{y.data(), u.data(), v.data()}, {w, w / 2, w / 2}, w, h} {}
  std::vector<std::uint8_t> y, u, v;
  media::I420Picture picture;
};

TEST(OrStatusStrip, SaysWhoIsHereTheirLatencyTheLinkAndTheRecording) {
  OrStatusStrip strip(150, 300);
  OrStripState s;
  s.people = {
      {"Dr. Sato", true, true, 42.4}, {"Dr. Ito", true, false, std::nullopt}, {"Student", false, false, {}}};
  s.recording = true;
  s.annotations_hidden = true;
  strip.set_state(s);
  EXPECT_EQ(strip.text(),
            "Dr. Sato (pen) 42 ms | Dr. Ito -- | Student watching | LINK OK | REC | ANNOTATIONS HIDDEN");
  s.people.clear();
  s.mentor_link_lost = true;
  s.recording = false;
  s.annotations_hidden = false;
  s.privacy_paused = true;
  strip.set_state(s);
  EXPECT_EQ(strip.text(), "PAUSED | NO MENTOR CONNECTED | NO CONSENT: NOT RECORDING");
}

TEST(OrStatusStrip, AMentorWhoseLinkLosesPacketsIsShownDegraded) {
  OrStatusStrip strip(150, 300);
  OrStripState s;
  s.people = {{"Dr. Sato", true, false, 42.0, 0.031}};
  strip.set_state(s);
  EXPECT_EQ(strip.text(), "Dr. Sato 42 ms 3% LOSS | LINK OK | NO CONSENT: NOT RECORDING");
}

TEST(OrStatusStrip, AMentorsLatencyIsColouredAsOnTheConsole) {
  OrStatusStrip strip(150, 300);
  const auto chroma_v_of = [&](double ms) {
    Picture p(1920, 1080);
    OrStripState s;
    s.people = {{"Dr. Sato", true, false, ms, 0}};
    strip.set_state(s);
    strip.draw(p.picture, {});
    // Just inside the first segment's box, left of its text.
    const int x = 16, y = 1080 - OrStatusStrip::height_for(1080) / 2;
    return std::pair{p.u[static_cast<std::size_t>(y / 2 * 960 + x / 2)],
                     p.v[static_cast<std::size_t>(y / 2 * 960 + x / 2)]};
  };
  const auto green = chroma_v_of(40), amber = chroma_v_of(200), red = chroma_v_of(450);
  EXPECT_LT(green.second, 100) << "green has V well under 128";
  EXPECT_GT(amber.second, 160);
  EXPECT_LT(amber.first, 80) << "amber has low U";
  EXPECT_GT(red.second, 190);
  EXPECT_GT(red.first, 90) << "red's U is higher than amber's";
}

TEST(OrStatusStrip, IsThinButItsLettersReadAtTwoMetresAndAKeyHidesIt) {
  // A 27" 16:9 monitor is 336 mm high; letters of ~7 mm and more read at 2 m (1:300).
  const int h = OrStatusStrip::height_for(1080);
  EXPECT_LE(h, 1080 / 16) << "the strip must stay thin over the operative field";
  EXPECT_GE(h * 0.6 * 336 / 1080, 7.0);
  OrStatusStrip strip(150, 300);
  Picture p(1280, 720);
  strip.draw(p.picture, {});
  EXPECT_LT(p.y[static_cast<std::size_t>(719 * 1280 + 640)], 40) << "the strip is dark";
  EXPECT_GT(*std::max_element(p.y.begin() + 680 * 1280, p.y.end()), 200) << "with light letters";
  EXPECT_FALSE(strip.toggle());
  EXPECT_FALSE(strip.has_content()) << "hidden: not drawn";
  EXPECT_TRUE(strip.toggle());
}

}  // namespace
}  // namespace surgilink::sender
