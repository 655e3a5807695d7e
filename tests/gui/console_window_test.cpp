// The real console window (QML, OperativeFieldView, HUD, telestration) against a real sender on loopback,
// under Xvfb.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <QEventLoop>
#include <QGuiApplication>
#include <QImage>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTest>
#include <QTimer>
#include <cstdlib>
#include <fstream>
#include <string>

#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "ui/annotation_canvas.hpp"
#include "ui/console_window.hpp"
#include "ui/mentor_session.hpp"
#include "ui/operative_field_view.hpp"
#include "ui/window_pixel_code.hpp"

namespace surgilink::console {
namespace {

using std::chrono::milliseconds;

// Runs Qt's loop until `done()` holds, checked whenever the session's status or the shown frames change,
// or until the timeout passes.
template <typename Condition>
bool run_until(MentorSession& mentor, OperativeFieldView& field, Condition done, milliseconds timeout) {
  QEventLoop loop;
  QTimer deadline;
  deadline.setSingleShot(true);
  QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
  QObject::connect(&mentor, &MentorSession::statusChanged, &loop, &QEventLoop::quit);
  QObject::connect(&field, &OperativeFieldView::framesShownChanged, &loop, &QEventLoop::quit);
  deadline.start(static_cast<int>(timeout.count()));
  while (!done() && deadline.isActive()) loop.exec();
  return done();
}

// Items made by a Repeater have a visual parent but no QObject parent, so findChild misses them.
QQuickItem* find_item(QQuickItem* root, const QString& name) {
  if (root->objectName() == name) return root;
  for (auto* child : root->childItems()) {
    if (auto* found = find_item(child, name)) return found;
  }
  return nullptr;
}

// One GUI application for the whole program: Qt does not take a second one well after a QML engine ran.
class ConsoleWindow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    static int argc = 1;
    static char name[] = "console_window_test";
    static char* argv[] = {name, nullptr};
    if (QCoreApplication::instance() == nullptr) {
      app_ = new QGuiApplication(argc, argv);
      // ctest runs this program once per renderer: what the console picks on its own, and the GPU path.
      const char* renderer = std::getenv("SURGILINK_TEST_WINDOW_RENDERER");
      const std::string chosen = use_window_renderer(renderer != nullptr && std::string(renderer) == "gpu"
                                                         ? WindowRenderer::gpu
                                                         : WindowRenderer::automatic);
      std::printf("window renderer: %s\n", chosen.c_str());
    }
  }
  static void TearDownTestSuite() {
    delete app_;
    app_ = nullptr;
  }

 private:
  static inline QGuiApplication* app_ = nullptr;
};

// The console's Main.qml with a session for `sender`, as the program loads it.
struct LiveConsole {
  LiveConsole(const std::filesystem::path& dir, const testing::RunningSender& sender)
      : settings(make_settings(dir, sender)), mentor(settings) {
    window = load_console_window(engine, mentor);
    if (window != nullptr) field = window->findChild<OperativeFieldView*>("operativeField");
  }
  ~LiveConsole() {
    if (window != nullptr) window->close();
  }

  static ConsoleSettings make_settings(const std::filesystem::path& dir,
                                       const testing::RunningSender& sender) {
    ConsoleOverrides overrides;
    overrides.host = "127.0.0.1";
    overrides.control_port = sender.control_port();
    return load_console_settings(testing::write_console_config(dir, sender.control_port()), overrides);
  }

  ConsoleSettings settings;
  MentorSession mentor;
  QQmlApplicationEngine engine;
  QQuickWindow* window = nullptr;
  OperativeFieldView* field = nullptr;
};

TEST_F(ConsoleWindow, ShowsTheMovingSceneWithHudAndMeasurableGlassToGlass) {
  const auto dir = testing::scratch_dir("console-window");
  const auto socket = dir / "or-controls.sock";
  const auto config = testing::write_sender_config(dir);
  std::ofstream(config, std::ios::app)
      << "[or_controls]\nsocket = \"" << socket.string() << "\"\n[recording]\nfolder = \""
      << (dir / "recordings").string() << "\"\n";
  testing::RunningSender sender(config, dir / "sender.log");
  LiveConsole console(dir, sender);
  ASSERT_NE(console.window, nullptr) << "Main.qml did not load";
  ASSERT_NE(console.field, nullptr);
  auto& mentor = console.mentor;
  auto* window = console.window;
  auto* field = console.field;
  const auto& settings = console.settings;

  mentor.connectTo(QString::fromStdString(settings.site.name));
  // Connected, a latency figure in the HUD, and pictures on screen.
  ASSERT_TRUE(run_until(
      mentor, *field, [&] { return mentor.hasLatency() && field->framesShown() > 30; }, milliseconds{20000}))
      << "state " << mentor.stateName().toStdString() << ", frames shown " << field->framesShown();
  auto* hud_now = window->findChild<QObject*>("latencyNow");
  ASSERT_NE(hud_now, nullptr);
  const QString hud_text = hud_now->property("text").toString();
  EXPECT_TRUE(hud_text.endsWith(" ms") && hud_text.front().isDigit()) << hud_text.toStdString();

  // The simulated monitor's numbers and waveforms in the vitals panel.
  auto* ecg = find_item(window->contentItem(), "waveform_ecg_ii");
  ASSERT_NE(ecg, nullptr);
  EXPECT_TRUE(run_until(
      mentor, *field, [&] { return ecg->property("hasSamples").toBool(); }, milliseconds{5000}))
      << "no ECG trace";
  auto* hr = find_item(window->contentItem(), "vitalsValue_hr");
  ASSERT_NE(hr, nullptr);
  const QString hr_text = hr->property("text").toString();
  bool number = false;
  const double hr_value = hr_text.toDouble(&number);
  EXPECT_TRUE(number && hr_value > 40 && hr_value < 200) << "HR shows '" << hr_text.toStdString() << "'";

  // The session bar says whether the case is recorded: not before consent, REC once the OR recorded it.
  auto* recording_state = find_item(window->contentItem(), "recordingState");
  ASSERT_NE(recording_state, nullptr);
  EXPECT_EQ(recording_state->property("text").toString().toStdString(),
            "not recording · consent not recorded");
  EXPECT_THAT(testing::surgeon_command(socket, "consent"), ::testing::HasSubstr("ok: recording into"));
  EXPECT_TRUE(run_until(
      mentor, *field, [&] { return mentor.recording(); }, milliseconds{5000}))
      << "the console did not hear that the OR records";
  EXPECT_EQ(recording_state->property("text").toString().toStdString(), "● REC · consent recorded");

  // The keyboard: F1 shows and hides the shortcut card; Alt+1 flags the first vitals row (HR) for the
  // surgeon through the real sender, and again unflags it.
  auto* help = find_item(window->contentItem(), "shortcutHelp");
  ASSERT_NE(help, nullptr);
  window->requestActivate();  // shortcuts act in the active window, as they do for the mentor
  ASSERT_TRUE(QTest::qWaitForWindowActive(window));
  EXPECT_FALSE(help->isVisible());
  QTest::keyClick(window, Qt::Key_F1);
  EXPECT_TRUE(help->isVisible()) << "F1 did not show the keyboard card";
  QTest::keyClick(window, Qt::Key_F1);
  EXPECT_FALSE(help->isVisible());
  QTest::keyClick(window, Qt::Key_1, Qt::AltModifier);
  EXPECT_TRUE(run_until(
      mentor, *field, [&] { return mentor.flaggedVitals().contains("hr"); }, milliseconds{5000}))
      << "Alt+1 did not flag HR";
  QTest::keyClick(window, Qt::Key_1, Qt::AltModifier);
  EXPECT_TRUE(run_until(
      mentor, *field, [&] { return mentor.flaggedVitals().isEmpty(); }, milliseconds{5000}))
      << "Alt+1 again did not unflag HR";

  // Two grabs: the video area moves (synthetic camera pan, instruments), and carries a readable pixel code.
  const QRectF video = field->videoRect().translated(field->mapToScene(QPointF(0, 0)));
  ASSERT_GT(video.width(), 100);
  // Each grab renders the window as it stands into an image: the picture it holds was on screen no later
  // than the grab's end (upper bound) and no earlier than its start (lower bound).
  core::LatencySeries glass_to_glass, glass_to_glass_lower;
  QImage first;
  int readable = 0;
  constexpr int grabs = 60;
  for (int i = 0; i < grabs; ++i) {
    const int shown = field->framesShown();
    run_until(
        mentor, *field, [&] { return field->framesShown() > shown; }, milliseconds{2000});
    const auto grab_started = std::chrono::system_clock::now();
    const QImage grab = window->grabWindow();
    const auto grab_ended = std::chrono::system_clock::now();
    if (first.isNull()) first = grab;
    if (const auto us = pixel_code_in_grab(grab, video, 1280, 720)) {
      ++readable;
      const auto captured = std::chrono::microseconds{*us};
      glass_to_glass.add(std::chrono::duration_cast<std::chrono::nanoseconds>(grab_ended.time_since_epoch()) -
                         captured);
      glass_to_glass_lower.add(
          std::chrono::duration_cast<std::chrono::nanoseconds>(grab_started.time_since_epoch()) - captured);
    }
  }
  const QImage last = window->grabWindow();
  // The ECG trace is drawn (a geometry node on the GL scene graph, an image on the software one): its green
  // is in the item's area and nowhere a flat line would be only (the trace spans more than a few rows).
  const QRect trace_area = QRectF(ecg->mapToScene(QPointF(0, 0)), QSizeF(ecg->width(), ecg->height()))
                               .toAlignedRect()
                               .intersected(last.rect());
  ASSERT_FALSE(trace_area.isEmpty());
  int green = 0, top_row = trace_area.bottom(), bottom_row = trace_area.top();
  for (int y = trace_area.top(); y <= trace_area.bottom(); ++y) {
    for (int x = trace_area.left(); x <= trace_area.right(); ++x) {
      const QColor c = last.pixelColor(x, y);
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
  const QRect v = video.toRect().adjusted(40, 40, -40, -40);
  EXPECT_NE(first.copy(v), last.copy(v)) << "the video area did not change between grabs";
  EXPECT_GE(readable, grabs * 3 / 4) << "pixel timestamp code unreadable in the grabbed window";
  const auto s = glass_to_glass.summary();
  const auto lower = glass_to_glass_lower.summary();
  // Glass-to-glass through Qt's renderer (grab end - capture time); printed for the issue note.
  std::printf(
      "window-grab glass-to-glass: n=%zu p50 %.1f ms p95 %.1f ms max %.1f ms (from the grab's start: "
      "p50 %.1f p95 %.1f ms)\n",
      s.count, s.p50_ms, s.p95_ms, s.max_ms, lower.p50_ms, lower.p95_ms);
  EXPECT_GT(s.p50_ms, 0.0);
  last.save(QString::fromStdString((dir / "window.png").string()));
  window->close();
}

// Pixels of the telestration green (#76ff03) inside `area`: after the OR display's YUV 4:2:0 round trip it is
// still far greener than red or blue, which nothing in the synthetic operative field is.
struct GreenPixels {
  int count = 0;
  QPointF centre;  // their mean position
};

GreenPixels green_in(const QImage& picture, QRect area) {
  const QImage rgb = picture.convertToFormat(QImage::Format_RGB32);
  area = area.intersected(rgb.rect());
  GreenPixels found;
  double sum_x = 0, sum_y = 0;
  for (int y = area.top(); y <= area.bottom(); ++y) {
    const auto* row = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
    for (int x = area.left(); x <= area.right(); ++x) {
      const int r = qRed(row[x]), g = qGreen(row[x]), b = qBlue(row[x]);
      if (g > 170 && g > r + 60 && g > b + 100) {
        ++found.count;
        sum_x += x;
        sum_y += y;
      }
    }
  }
  if (found.count > 0) found.centre = QPointF(sum_x / found.count, sum_y / found.count);
  return found;
}

// Clicks the middle of a QML item.
void click(QQuickWindow* window, QQuickItem* item) {
  const QPointF middle = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
  QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, middle.toPoint());
}

TEST_F(ConsoleWindow, MentorsPenStrokeShowsOnTheConsoleAndOnTheOrDisplay) {
  const auto dir = testing::scratch_dir("console-telestration");
  const auto or_picture = dir / "or.png";
  testing::RunningSender sender(testing::write_sender_config(dir), dir / "sender.log",
                                {"--or-screenshot", or_picture.string()});
  LiveConsole console(dir, sender);
  ASSERT_NE(console.window, nullptr) << "Main.qml did not load";
  ASSERT_NE(console.field, nullptr);
  auto& mentor = console.mentor;
  auto* window = console.window;
  auto* field = console.field;
  mentor.connectTo(QString::fromStdString(console.settings.site.name));
  ASSERT_TRUE(run_until(
      mentor, *field, [&] { return mentor.mayDraw() && field->framesShown() > 30; }, milliseconds{20000}))
      << "state " << mentor.stateName().toStdString() << ", may draw " << mentor.mayDraw()
      << ", frames shown " << field->framesShown();
  auto* canvas = window->findChild<AnnotationCanvas*>("annotationCanvas");
  ASSERT_NE(canvas, nullptr);

  // The tools as a mentor picks them: green, the thick line, the pen (its key).
  auto* green_swatch = find_item(window->contentItem(), "colour_green");
  auto* thick = find_item(window->contentItem(), "width_thick");
  ASSERT_NE(green_swatch, nullptr);
  ASSERT_NE(thick, nullptr);
  // Shortcuts need the window to have the keyboard (Xvfb has no window manager to give it).
  window->requestActivate();
  ASSERT_TRUE(QTest::qWaitForWindowActive(window));
  QTest::keyClick(window, Qt::Key_A);
  EXPECT_EQ(canvas->tool(), AnnotationCanvas::Tool::Arrow);
  QTest::keyClick(window, Qt::Key_P);
  click(window, green_swatch);
  click(window, thick);
  EXPECT_EQ(canvas->tool(), AnnotationCanvas::Tool::Pen);
  EXPECT_EQ(canvas->colour(), QColor("#76ff03"));
  EXPECT_DOUBLE_EQ(canvas->lineWidth(), 0.008);

  const QRectF video = field->videoRect().translated(field->mapToScene(QPointF(0, 0)));
  ASSERT_GT(video.width(), 100);
  const GreenPixels before = green_in(window->grabWindow(), video.toAlignedRect());
  // Left of the middle to below it: clear of the pixel code at the top and of the HUD at the bottom right.
  const auto on_video = [&](double x, double y) {
    return QPointF(video.x() + x * video.width(), video.y() + y * video.height()).toPoint();
  };
  const QPoint from = on_video(0.2, 0.35), to = on_video(0.6, 0.6);
  QTest::mousePress(window, Qt::LeftButton, Qt::NoModifier, from);
  constexpr int kMoves = 20;
  for (int i = 1; i <= kMoves; ++i) {
    // 8 ms apart, as a hand drags: the extends go out in batches while the stroke is drawn.
    QTest::mouseMove(window, from + (to - from) * i / kMoves, 8);
  }
  QTest::mouseRelease(window, Qt::LeftButton, Qt::NoModifier, to);

  // The sender confirms it (begin, extends, commit: at least 3 operations numbered) and it stays committed.
  const auto committed_stroke = [&] {
    const auto scene = mentor.annotationScene();
    return scene->version >= 3 && scene->annotations.size() == 1 && scene->annotations[0]->committed &&
           scene->annotations[0]->kind == annotation::AnnotationKind::kStroke;
  };
  ASSERT_TRUE(run_until(mentor, *field, committed_stroke, milliseconds{5000}))
      << "scene version " << mentor.annotationScene()->version << ", annotations "
      << mentor.annotationScene()->annotations.size() << ", refusal '"
      << mentor.annotationRefusal().toStdString() << "'";
  const auto stroke = mentor.annotationScene()->annotations[0];
  EXPECT_TRUE(annotation::is_drawing_id_of(stroke->id, mentor.annotationAuthor().toStdString()))
      << stroke->id;
  EXPECT_GE(stroke->points.size(), 10U);
  EXPECT_EQ(stroke->colour_rgba, 0x76FF03FFU);
  // A third of a second of pictures, so that the OR display has drawn it onto several frames.
  const int shown = field->framesShown();
  run_until(
      mentor, *field, [&] { return field->framesShown() > shown + 10; }, milliseconds{3000});

  // On the console: green along the line drawn, none before.
  const QImage after_grab = window->grabWindow();
  const GreenPixels on_console = green_in(after_grab, video.toAlignedRect());
  const QPointF drawn_middle = QPointF(from + to) / 2.0;
  std::printf("stroke green px: console %d (before %d) around (%.0f, %.0f), drawn around (%.0f, %.0f)\n",
              on_console.count, before.count, on_console.centre.x(), on_console.centre.y(), drawn_middle.x(),
              drawn_middle.y());
  EXPECT_LT(before.count, 50) << "the picture had green before the stroke: the test cannot tell";
  // About 0.5 of the picture's width long, at 0.8 % of its height thick.
  EXPECT_GT(on_console.count, static_cast<int>(0.4 * video.width() * std::max(2.0, 0.004 * video.height())));
  EXPECT_LT(QLineF(on_console.centre, drawn_middle).length(), 0.05 * video.width());
  after_grab.save(QString::fromStdString((dir / "window.png").string()));

  // On the OR display: the sender writes its last picture when it stops.
  const int sender_exit = sender.stop();
  EXPECT_EQ(sender_exit, 0) << sender.log();
  const QImage or_display(QString::fromStdString(or_picture.string()));
  ASSERT_FALSE(or_display.isNull()) << "no OR screenshot at " << or_picture << " (sender exit code "
                                    << sender_exit << ")\n"
                                    << sender.log();
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
