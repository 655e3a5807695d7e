// Telestration through the real programs: a scripted mentor console draws, the sender composites the strokes
// on the OR display, and a second console, an observer, sees the same scene (issue: telestration, "done
// when").
#include <csignal>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "process/child_process.hpp"
#include "support/annotation_colours.hpp"
#include "support/console_status.hpp"
#include "support/running_sender.hpp"
#include "support/test_installation.hpp"

namespace surgilink::testing {
namespace {

using std::chrono::milliseconds;
using json = nlohmann::json;

int stroke_pixels(const cv::Mat& bgr) { return cv::countNonZero(annotation_colour_mask(bgr)); }

TEST(Telestration, AScriptedMentorsAnnotationsReachTheOrDisplayAndAnObserver) {
  const auto dir = scratch_dir("telestration");
  const auto or_png = dir / "or.png";
  RunningSender sender(write_sender_config(dir), dir / "sender.log",
                       {"--or-screenshot", or_png.string(), "--report-json", (dir / "sender.json").string()});
  std::filesystem::create_directories(dir / "observer");
  std::filesystem::create_directories(dir / "mentor");
  tools::ChildProcess observer(
      {console_program().string(), "--config",
       write_console_config(dir / "observer", sender.control_port(), "observer").string(), "--headless",
       "--status-json", "--seconds", "40"},
      (dir / "observer.err").string());
  tools::ChildProcess mentor({console_program().string(), "--config",
                              write_console_config(dir / "mentor", sender.control_port(), "mentor").string(),
                              "--headless", "--status-json", "--seconds", "40", "--scripted-mentor", "4",
                              "--report-json", (dir / "mentor.json").string()},
                             (dir / "mentor.err").string());

  // The observer's scene fills up with the mentor's annotations (4 kept, plus a pointer at times).
  const json seen =
      wait_for_status(observer, 20, [](const json& s) { return s.value("annotations", 0) >= 4; });
  ASSERT_GE(seen.value("annotations", 0), 4) << seen.dump();
  EXPECT_EQ(seen["role"], "observer");
  EXPECT_EQ(seen["roster"].size(), 2u) << "the observer sees who is connected: " << seen["roster"].dump();
  const json drawing =
      wait_for_status(mentor, 5, [](const json& s) { return s.value("annotations", 0) >= 4; });
  EXPECT_GE(drawing.value("annotations", 0), 4) << drawing.dump();

  // The OR display showed them, composited over the live picture.
  ASSERT_EQ(sender.stop(), 0) << sender.log();
  const cv::Mat shown = cv::imread(or_png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(shown.empty()) << "no OR display screenshot at " << or_png;
  EXPECT_GT(stroke_pixels(shown), 2000) << "no annotation colours on the OR display (" << or_png << ")";
  const json sent = json::parse(read_text(dir / "sender.json"), nullptr, false);
  ASSERT_FALSE(sent.is_discarded()) << sender.log();
  EXPECT_GT(sent["annotations_accepted"].get<int>(), 10);
  EXPECT_EQ(sent["annotations_refused"].get<int>(), 0) << sender.log();

  mentor.signal(SIGINT);
  ASSERT_EQ(mentor.wait(milliseconds{10000}).value_or(-1), 0);
  const json report = json::parse(read_text(dir / "mentor.json"), nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  EXPECT_GT(report["annotations_confirmed"].get<int>(), 10);
  EXPECT_EQ(report["annotations_refused"].get<int>(), 0);
  EXPECT_EQ(report["annotation_inputs"].size(), report["annotations_confirmed"].get<std::size_t>());
}

// A stroke colour count that cannot pass on the bare picture: the same check on a sender no one draws on.
TEST(Telestration, TheOrDisplayWithoutAnnotationsHasNoStrokeColours) {
  const auto dir = scratch_dir("telestration-none");
  const auto or_png = dir / "or.png";
  RunningSender sender(write_sender_config(dir), dir / "sender.log", {"--or-screenshot", or_png.string()});
  tools::ChildProcess console({console_program().string(), "--config",
                               write_console_config(dir, sender.control_port(), "mentor").string(),
                               "--headless", "--status-json", "--seconds", "20"},
                              (dir / "console.err").string());
  // The OR display runs the same with or without a console; one that decodes pictures makes the sender's
  // path the same as in the test above, but for the drawing.
  const json connected = wait_for_status(console, 30, has_a_picture);
  ASSERT_TRUE(has_a_picture(connected)) << connected.dump();
  ASSERT_EQ(sender.stop(), 0) << sender.log();
  const cv::Mat shown = cv::imread(or_png.string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(shown.empty());
  EXPECT_LT(stroke_pixels(shown), 200);
}

}  // namespace
}  // namespace surgilink::testing
