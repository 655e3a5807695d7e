// The OR display's badges: drawn only while there is something to say, in the top-right corner, each in its
// colour (red alarm, amber mentor flag, grey for the surgeon's own controls, dark red REC).
#include <gtest/gtest.h>
#include <cstdlib>
#include <vector>

#include "i420_test_picture.hpp"
#include "or_display_badges.hpp"

namespace surgilink::sender {
namespace {

constexpr int kWidth = 1280;
constexpr int kHeight = 720;

// A mid-grey 720p picture.
struct Picture : testing::I420TestPicture {
  Picture() : I420TestPicture(kWidth, kHeight) {}
  // Chroma samples in the top-right quarter with this (U, V), within 12.
  int chroma_count(int u_want, int v_want) const {
    int n = 0;
    for (int row = 0; row < kHeight / 4; ++row) {
      for (int col = kWidth / 4; col < kWidth / 2; ++col) {
        const int i = row * kWidth / 2 + col;
        if (std::abs(u[i] - u_want) <= 12 && std::abs(v[i] - v_want) <= 12) ++n;
      }
    }
    return n;
  }
};

TEST(OrDisplayBadges, EachStateHasItsBadgeAndNothingIsDrawnWithoutOne) {
  OrDisplayBadges badges;
  EXPECT_FALSE(badges.has_content());

  badges.set_flagged_vitals("ABP, SPO2");
  ASSERT_TRUE(badges.has_content());
  Picture flagged;
  badges.draw(flagged.view(), core::CaptureTime{});
  EXPECT_GT(flagged.chroma_count(30, 170), 500) << "no amber 'MENTOR: check' badge";
  EXPECT_EQ(flagged.chroma_count(90, 240), 0) << "a red alarm badge without an alarm";

  badges.set_flagged_vitals("");
  badges.set_alarms("spo2 low");
  badges.set_surgeon_controls(true, true);
  Picture both;
  badges.draw(both.view(), core::CaptureTime{});
  EXPECT_GT(both.chroma_count(90, 240), 500) << "no red alarm badge";
  EXPECT_EQ(both.chroma_count(30, 170), 0) << "the flag badge stayed after unflagging";
  // The two grey badges (hidden, pen off): light text on a dark box, chroma neutral.
  int dark = 0;
  for (int row = 0; row < kHeight / 2; ++row) {
    for (int col = kWidth / 2; col < kWidth; ++col) dark += both.y[row * kWidth + col] < 100 ? 1 : 0;
  }
  EXPECT_GT(dark, 4000);

  badges.set_alarms("");
  badges.set_surgeon_controls(false, false);
  EXPECT_FALSE(badges.has_content());

  // Recording: a dark red REC badge, and only while recording.
  badges.set_recording(true);
  ASSERT_TRUE(badges.has_content());
  Picture recording;
  badges.draw(recording.view(), core::CaptureTime{});
  EXPECT_GT(recording.chroma_count(110, 190), 500) << "no REC badge";
  EXPECT_EQ(recording.chroma_count(90, 240), 0) << "REC must not look like an alarm";
  badges.set_recording(false);
  EXPECT_FALSE(badges.has_content());

  // A mentor who sees the picture late is an alarm on the OR display too (red).
  badges.set_mentor_latency("MENTOR VIDEO DELAYED 450 ms");
  ASSERT_TRUE(badges.has_content());
  Picture late;
  badges.draw(late.view(), core::CaptureTime{});
  EXPECT_GT(late.chroma_count(90, 240), 500) << "no red mentor-latency badge";
  badges.set_mentor_latency("");
  EXPECT_FALSE(badges.has_content());

  // Exported media keys (interop testing only) are red while on, with nothing else to show (issue 12).
  badges.set_keys_exported(true);
  ASSERT_TRUE(badges.has_content()) << "the exported-keys badge is never drawn on its own";
  Picture exported;
  badges.draw(exported.view(), core::CaptureTime{});
  EXPECT_GT(exported.chroma_count(90, 240), 500) << "no red MEDIA KEYS EXPORTED badge";
  badges.set_keys_exported(false);
  EXPECT_FALSE(badges.has_content());
}

// The session's evidence being lost is an alarm (red); a pen waiting for a mentor whose link was lost is a
// notice (amber), so nobody wonders why nobody draws.
TEST(OrDisplayBadges, AnAuditLogThatCannotBeWrittenIsRedAndAWaitingPenAmber) {
  OrDisplayBadges badges;
  badges.set_audit_failure(true);
  ASSERT_TRUE(badges.has_content());
  Picture failing;
  badges.draw(failing.view(), core::CaptureTime{});
  EXPECT_GT(failing.chroma_count(90, 240), 500) << "no red audit badge";
  badges.set_audit_failure(false);
  EXPECT_FALSE(badges.has_content());
  badges.set_pen_waits_for("Dr. A");
  Picture waiting;
  badges.draw(waiting.view(), core::CaptureTime{});
  EXPECT_GT(waiting.chroma_count(30, 170), 500) << "no amber pen-waits badge";
  EXPECT_EQ(waiting.chroma_count(90, 240), 0);
}

}  // namespace
}  // namespace surgilink::sender
