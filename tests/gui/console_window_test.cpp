// The real console window (QML, OperativeFieldView, HUD, telestration) against a real sender on loopback,
// under Xvfb.
#include "console_fixture.hpp"

namespace surgilink::console {
namespace {

using std::chrono::milliseconds;

// --- the window on a sender with the simulated monitor, the surgeon's controls socket and a recording folder

// Grabs of the live window, one per new picture on screen, taken once for the tests that look at pictures.
struct WindowGrabs {
  static constexpr int kCount = 60;
  QImage first, last;
  int readable = 0;  // grabs whose pixel timestamp code read
  // Each grab renders the window as it stands into an image: the picture it holds was on screen no later than
  // the grab's end (upper bound) and no earlier than its start (lower bound).
  core::LatencySeries glass_to_glass, glass_to_glass_lower;
};

class ConsoleWindow : public SharedConsoleTest {
 protected:
  static void SetUpTestSuite() {
    const auto folder = testing::scratch_dir("console-window");
    const auto config = testing::write_sender_config(folder);
    std::ofstream(config, std::ios::app)
        << "[or_controls]\nsocket = \"" << controls_socket(folder).string() << "\"\n[recording]\nfolder = \""
        << (folder / "recordings").string() << "\"\nrequire_encrypted_volume = false\n";
    start(folder, config, {});
    grabs_.reset();
  }
  static std::filesystem::path controls_socket(const std::filesystem::path& folder) {
    return folder / "or-controls.sock";
  }
  static QQuickItem* ecg() { return item("waveform_ecg_ii"); }

  // Taken the first time a test asks, once the ECG has samples (so that the last grab shows its trace).
  static const WindowGrabs& grabs() {
    if (grabs_) return *grabs_;
    grabs_.emplace();
    if (auto* trace = ecg())
      run_until([&] { return trace->property("hasSamples").toBool(); }, milliseconds{5000});
    const QRectF area = video();
    for (int i = 0; i < WindowGrabs::kCount; ++i) {
      let_frames_pass(0);
      const auto grab_started = std::chrono::system_clock::now();
      QImage grab = window().grabWindow();
      const auto grab_ended = std::chrono::system_clock::now();
      if (const auto us = pixel_code_in_grab(grab, area, 1280, 720)) {
        ++grabs_->readable;
        const auto captured = std::chrono::microseconds{*us};
        grabs_->glass_to_glass.add(
            std::chrono::duration_cast<std::chrono::nanoseconds>(grab_ended.time_since_epoch()) - captured);
        grabs_->glass_to_glass_lower.add(
            std::chrono::duration_cast<std::chrono::nanoseconds>(grab_started.time_since_epoch()) - captured);
      }
      if (i == 0) grabs_->first = grab;
      if (i + 1 == WindowGrabs::kCount) grabs_->last = std::move(grab);
    }
    grabs_->last.save(QString::fromStdString((dir() / "window.png").string()));
    return *grabs_;
  }

 private:
  static inline std::optional<WindowGrabs> grabs_;
};

TEST_F(ConsoleWindow, HudShowsTheGlassToGlassLatencyInMilliseconds) {
  auto* hud_now = window().findChild<QObject*>("latencyNow");
  ASSERT_NE(hud_now, nullptr);
  const QString hud_text = hud_now->property("text").toString();
  EXPECT_TRUE(hud_text.endsWith(" ms") && hud_text.front().isDigit()) << hud_text.toStdString();
}

TEST_F(ConsoleWindow, VitalsPanelShowsTheSimulatedHeartRate) {
  auto* hr = item("vitalsValue_hr");
  ASSERT_NE(hr, nullptr);
  const auto hr_text = [&] { return hr->property("text").toString(); };
  bool number = false;
  run_until(
      [&] {
        hr_text().toDouble(&number);
        return number;
      },
      milliseconds{5000});
  const double hr_value = hr_text().toDouble(&number);
  EXPECT_TRUE(number && hr_value > 40 && hr_value < 200) << "HR shows '" << hr_text().toStdString() << "'";
}

TEST_F(ConsoleWindow, EcgTraceIsDrawnWithItsRWaves) {
  auto* trace = ecg();
  ASSERT_NE(trace, nullptr);
  const QImage& shown = grabs().last;
  ASSERT_TRUE(trace->property("hasSamples").toBool()) << "no ECG samples";
  // Drawn as a geometry node on the GL scene graph, an image on the software one: its green is in the item's
  // area and nowhere a flat line would be only (the trace spans more than a few rows).
  const QRect trace_area = QRectF(trace->mapToScene(QPointF(0, 0)), QSizeF(trace->width(), trace->height()))
                               .toAlignedRect()
                               .intersected(shown.rect());
  ASSERT_FALSE(trace_area.isEmpty());
  int green = 0, top_row = trace_area.bottom(), bottom_row = trace_area.top();
  for (int y = trace_area.top(); y <= trace_area.bottom(); ++y) {
    for (int x = trace_area.left(); x <= trace_area.right(); ++x) {
      const QColor c = shown.pixelColor(x, y);
      if (c.green() > 200 && c.red() < 160 && c.blue() < 80) {
        ++green;
        top_row = std::min(top_row, y);
        bottom_row = std::max(bottom_row, y);
      }
    }
  }
  EXPECT_GT(green, trace_area.width())
      << "ECG trace not drawn in " << trace_area.width() << "x" << trace_area.height() << " at "
      << trace_area.x() << "," << trace_area.y();
  EXPECT_GT(bottom_row - top_row, trace_area.height() / 3) << "ECG trace has no R waves";
}

TEST_F(ConsoleWindow, SessionBarSaysRecordingOnlyOnceTheOrRecordsWithConsent) {
  auto* recording_state = item("recordingState");
  ASSERT_NE(recording_state, nullptr);
  EXPECT_EQ(recording_state->property("text").toString().toStdString(),
            "not recording · consent not recorded");
  EXPECT_THAT(testing::surgeon_command(controls_socket(dir()), "consent"),
              ::testing::HasSubstr("ok: recording into"));
  EXPECT_TRUE(run_until([&] { return mentor().recording(); }, milliseconds{5000}))
      << "the console did not hear that the OR records";
  EXPECT_EQ(recording_state->property("text").toString().toStdString(), "● REC · consent recorded");
}

TEST_F(ConsoleWindow, F1ShowsAndHidesTheShortcutCard) {
  auto* help = item("shortcutHelp");
  ASSERT_NE(help, nullptr);
  ASSERT_TRUE(activate());
  EXPECT_FALSE(help->isVisible());
  QTest::keyClick(&window(), Qt::Key_F1);
  EXPECT_TRUE(help->isVisible()) << "F1 did not show the keyboard card";
  QTest::keyClick(&window(), Qt::Key_F1);
  EXPECT_FALSE(help->isVisible());
}

// The console's sound devices are "default" and this machine has none: the voice bar says so in plain words,
// there is nothing to mute, and the picture goes on.
TEST_F(ConsoleWindow, WithoutASoundDeviceSaysSoAndShowsThePicture) {
  MentorVoice& voice = *mentor().voice();
  auto* problem = item("voiceProblem");
  auto* headline = item("voiceProblemHeadline");
  auto* mute = item("muteButton");
  ASSERT_NE(problem, nullptr);
  ASSERT_NE(headline, nullptr);
  ASSERT_NE(mute, nullptr);
  run_until([&] { return !voice.problem().isEmpty() && !voice.hasMicrophone(); }, milliseconds{3000});
  if (voice.hasSpeaker() || voice.hasMicrophone()) GTEST_SKIP() << "this machine has a sound device";
  EXPECT_TRUE(problem->isVisible());
  EXPECT_THAT(headline->property("text").toString().toStdString(),
              ::testing::StartsWith("No sound device: you do not hear the OR, and the OR does not hear you"));
  EXPECT_THAT(voice.problem().toStdString(), ::testing::HasSubstr("no microphone"));
  EXPECT_FALSE(mute->isVisible()) << "a mute button for a microphone that is not there";
  const int shown = field().framesShown();
  let_frames_pass(15);
  EXPECT_GT(field().framesShown(), shown + 15) << "the picture stopped";
}

// Alt+1 flags the first vitals row (HR) for the surgeon through the real sender, and again unflags it.
TEST_F(ConsoleWindow, AltOneFlagsAndUnflagsTheHeartRateForTheSurgeon) {
  ASSERT_TRUE(activate());
  QTest::keyClick(&window(), Qt::Key_1, Qt::AltModifier);
  EXPECT_TRUE(run_until([&] { return mentor().flaggedVitals().contains("hr"); }, milliseconds{5000}))
      << "Alt+1 did not flag HR";
  QTest::keyClick(&window(), Qt::Key_1, Qt::AltModifier);
  EXPECT_TRUE(run_until([&] { return mentor().flaggedVitals().isEmpty(); }, milliseconds{5000}))
      << "Alt+1 again did not unflag HR";
}

// Synthetic camera pan and instruments over the two seconds of grabs.
TEST_F(ConsoleWindow, VideoAreaShowsTheMovingScene) {
  const QRect v = video().toRect().adjusted(40, 40, -40, -40);
  ASSERT_GT(v.width(), 100);
  EXPECT_NE(grabs().first.copy(v), grabs().last.copy(v)) << "the video area did not change between grabs";
}

TEST_F(ConsoleWindow, PixelCodeReadsInTheWindowGrabs) {
  ASSERT_GT(video().width(), 100);
  const auto& g = grabs();
  EXPECT_GE(g.readable, WindowGrabs::kCount * 3 / 4)
      << "pixel timestamp code unreadable in the grabbed window";
  // Glass-to-glass through Qt's renderer, printed for the issue note.
  const auto s = g.glass_to_glass.summary();
  const auto lower = g.glass_to_glass_lower.summary();
  std::printf(
      "window-grab glass-to-glass: n=%zu p50 %.1f ms p95 %.1f ms max %.1f ms (from the grab's start: "
      "p50 %.1f p95 %.1f ms)\n",
      s.count, s.p50_ms, s.p95_ms, s.max_ms, lower.p50_ms, lower.p95_ms);
  EXPECT_GT(s.p50_ms, 0.0) << "a picture shown before it was captured: the clocks disagree";
}

// --- telestration: the mentor's pen on a sender that leaves a picture of its OR display when it stops

// One green thick pen stroke, drawn by mouse the first time a test needs it, from left of the middle to
// below it: clear of the pixel code at the top and of the HUD at the bottom right.
struct Stroke {
  bool drawn = false;
  int green_before = 0;  // green pixels in the video area before it was drawn
  QPoint from, to;       // window coordinates
};

class ConsoleTelestration : public SharedConsoleTest {
 protected:
  static void SetUpTestSuite() {
    const auto folder = testing::scratch_dir("console-telestration");
    start(folder, testing::write_sender_config(folder), {"--or-screenshot", or_picture(folder).string()});
    stroke_ = {};
  }
  static std::filesystem::path or_picture(const std::filesystem::path& folder) { return folder / "or.png"; }

  // Draws the suite's stroke the first time a test needs it.
  static const Stroke& stroke() {
    if (stroke_.drawn) return stroke_;
    stroke_.drawn = true;
    if (!activate()) return stroke_;
    QTest::keyClick(&window(), Qt::Key_P);
    if (auto* green = item("colour_green")) click(window(), green);
    if (auto* thick = item("width_thick")) click(window(), thick);
    const QRectF v = video();
    stroke_.green_before = green_in(window().grabWindow(), v.toAlignedRect()).count;
    const auto on_video = [&](double x, double y) {
      return QPointF(v.x() + x * v.width(), v.y() + y * v.height()).toPoint();
    };
    stroke_.from = on_video(0.2, 0.35);
    stroke_.to = on_video(0.6, 0.6);
    QTest::mousePress(&window(), Qt::LeftButton, Qt::NoModifier, stroke_.from);
    constexpr int kMoves = 20;
    for (int i = 1; i <= kMoves; ++i) {
      // 8 ms apart, as a hand drags: the extends go out in batches while the stroke is drawn.
      QTest::mouseMove(&window(), stroke_.from + (stroke_.to - stroke_.from) * i / kMoves, 8);
    }
    QTest::mouseRelease(&window(), Qt::LeftButton, Qt::NoModifier, stroke_.to);
    // Confirmed by the sender, then a third of a second of pictures so that the OR display drew it onto
    // several frames.
    run_until(committed_stroke, milliseconds{5000});
    let_frames_pass(10);
    return stroke_;
  }
  // The sender numbered the stroke's begin, extends and commit (at least 3 operations) and it is committed.
  static bool committed_stroke() {
    const auto scene = mentor().annotationScene();
    return scene->version >= 3 && scene->annotations.size() == 1 && scene->annotations[0]->committed &&
           scene->annotations[0]->kind == annotation::AnnotationKind::kStroke;
  }

 private:
  static inline Stroke stroke_;
};

TEST_F(ConsoleTelestration, ToolsArePickedByKeysAndClicks) {
  auto* canvas = window().findChild<AnnotationCanvas*>("annotationCanvas");
  auto* green_swatch = item("colour_green");
  auto* thick = item("width_thick");
  ASSERT_NE(canvas, nullptr);
  ASSERT_NE(green_swatch, nullptr);
  ASSERT_NE(thick, nullptr);
  ASSERT_TRUE(activate());
  QTest::keyClick(&window(), Qt::Key_A);
  EXPECT_EQ(canvas->tool(), AnnotationCanvas::Tool::Arrow);
  QTest::keyClick(&window(), Qt::Key_P);
  click(window(), green_swatch);
  click(window(), thick);
  EXPECT_EQ(canvas->tool(), AnnotationCanvas::Tool::Pen);
  EXPECT_EQ(canvas->colour(), QColor("#76ff03"));
  EXPECT_DOUBLE_EQ(canvas->lineWidth(), 0.008);
}

TEST_F(ConsoleTelestration, PenStrokeIsConfirmedByTheSender) {
  stroke();
  ASSERT_TRUE(committed_stroke()) << "scene version " << mentor().annotationScene()->version
                                  << ", annotations " << mentor().annotationScene()->annotations.size()
                                  << ", refusal '" << mentor().annotationRefusal().toStdString() << "'";
  const auto drawn = mentor().annotationScene()->annotations[0];
  EXPECT_TRUE(annotation::is_drawing_id_of(drawn->id, mentor().annotationAuthor().toStdString()))
      << drawn->id;
  EXPECT_GE(drawn->points.size(), 10U);
  EXPECT_EQ(drawn->colour_rgba, 0x76FF03FFU);
}

TEST_F(ConsoleTelestration, PenStrokeShowsOnTheConsoleWhereItWasDrawn) {
  const auto& drawn = stroke();
  const QRectF v = video();
  const QImage after_grab = window().grabWindow();
  const GreenPixels on_console = green_in(after_grab, v.toAlignedRect());
  const QPointF drawn_middle = QPointF(drawn.from + drawn.to) / 2.0;
  std::printf("stroke green px: console %d (before %d) around (%.0f, %.0f), drawn around (%.0f, %.0f)\n",
              on_console.count, drawn.green_before, on_console.centre.x(), on_console.centre.y(),
              drawn_middle.x(), drawn_middle.y());
  EXPECT_LT(drawn.green_before, 50) << "the picture had green before the stroke: the test cannot tell";
  // About 0.5 of the picture's width long, at 0.8 % of its height thick.
  EXPECT_GT(on_console.count, static_cast<int>(0.4 * v.width() * std::max(2.0, 0.004 * v.height())));
  EXPECT_LT(QLineF(on_console.centre, drawn_middle).length(), 0.05 * v.width());
  after_grab.save(QString::fromStdString((dir() / "window.png").string()));
}

// Last in its suite: the sender writes its last OR display picture when it stops.
TEST_F(ConsoleTelestration, PenStrokeShowsOnTheOrDisplay) {
  stroke();
  ASSERT_TRUE(committed_stroke());
  const int sender_exit = sender().stop();
  EXPECT_EQ(sender_exit, 0) << sender().log();
  const auto picture = or_picture(dir());
  const QImage or_display(QString::fromStdString(picture.string()));
  ASSERT_FALSE(or_display.isNull()) << "no OR screenshot at " << picture << " (sender exit code "
                                    << sender_exit << ")\n"
                                    << sender().log();
  const GreenPixels on_or = green_in(or_display, or_display.rect());
  const QPointF or_drawn_middle(0.4 * or_display.width(), 0.475 * or_display.height());
  std::printf("stroke green px: OR display %d of %dx%d around (%.0f, %.0f), drawn around (%.0f, %.0f)\n",
              on_or.count, or_display.width(), or_display.height(), on_or.centre.x(), on_or.centre.y(),
              or_drawn_middle.x(), or_drawn_middle.y());
  EXPECT_GT(on_or.count,
            static_cast<int>(0.4 * or_display.width() * std::max(2.0, 0.004 * or_display.height())));
  // Anchoring keeps the stroke on the tissue it was drawn on while the synthetic camera pans (a couple of
  // hundred pixels in the seconds the test runs): near where it was drawn, not pinned there.
  EXPECT_LT(QLineF(on_or.centre, or_drawn_middle).length(), 0.25 * or_display.width());
}

}  // namespace
}  // namespace surgilink::console
