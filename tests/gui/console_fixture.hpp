#pragma once
// What the console window's GUI tests share: the real QML console on a real sender (loopback, Xvfb), started
// once per suite (SharedConsoleTest), and helpers that look into the window.
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
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/hang_report.hpp"
#include "support/running_sender.hpp"
#include "support/test_control_client.hpp"
#include "support/test_installation.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "ui/annotation_canvas.hpp"
#include "ui/case_review.hpp"
#include "ui/console_language.hpp"
#include "ui/console_window.hpp"
#include "ui/mentor_session.hpp"
#include "ui/mentor_voice.hpp"
#include "ui/operative_field_view.hpp"
#include "ui/window_pixel_code.hpp"

namespace surgilink::console {

using std::chrono::milliseconds;

// Runs Qt's loop until `done()` holds, checked whenever the session's status or the shown frames change,
// or until the timeout passes.
template <typename Condition>
inline bool run_until(MentorSession& mentor, OperativeFieldView& field, Condition done,
                      milliseconds timeout) {
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

// Runs Qt's loop until `done()` holds (checked every 5 ms) or `timeout` passes.
template <typename Condition>
inline bool run_events_until(Condition done, milliseconds timeout) {
  QEventLoop loop;
  QTimer deadline, poll;
  deadline.setSingleShot(true);
  QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
  QObject::connect(&poll, &QTimer::timeout, &loop, &QEventLoop::quit);
  deadline.start(static_cast<int>(timeout.count()));
  poll.start(5);
  while (!done() && deadline.isActive()) loop.exec();
  return done();
}

// The console's window with its review screen, as the program loads it: `settings`' [review] library, and
// its [audio] output for the recorded voice; bookmarks by "Dr. Trainer".
struct ReviewWindow {
  explicit ReviewWindow(ConsoleSettings loaded)
      : settings(std::move(loaded)),
        mentor(settings),
        review(settings.review_library, "Dr. Trainer", settings.session.voice.output) {
    window = load_console_window(engine, mentor, &review);
  }
  ~ReviewWindow() {
    if (window != nullptr) window->close();
  }
  ConsoleSettings settings;
  MentorSession mentor;
  CaseReview review;
  QQmlApplicationEngine engine;
  QQuickWindow* window = nullptr;
};

// Items made by a Repeater have a visual parent but no QObject parent, so findChild misses them.
inline QQuickItem* find_item(QQuickItem* root, const QString& name) {
  if (root->objectName() == name) return root;
  for (auto* child : root->childItems()) {
    if (auto* found = find_item(child, name)) return found;
  }
  return nullptr;
}

// Pixels of the telestration green (#76ff03) inside `area`: after the OR display's YUV 4:2:0 round trip it is
// still far greener than red or blue, which nothing in the synthetic operative field is.
struct GreenPixels {
  int count = 0;
  QPointF centre;  // their mean position
};

inline GreenPixels green_in(const QImage& picture, QRect area) {
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

// One GUI application for the whole program: Qt does not take a second one well after a QML engine ran. The
// window speaks `language` (the tests that read its words are written against the English ones, whatever the
// machine's locale).
class QtApplication : public ::testing::Environment {
 public:
  explicit QtApplication(std::string language = "en") : language_(std::move(language)) {}
  void SetUp() override {
    testing::watch_for_hang_from_environment();
    static int argc = 1;
    static char name[] = "console_window_test";
    static char* argv[] = {name, nullptr};
    app_ = std::make_unique<QGuiApplication>(argc, argv);
    std::printf("language: %s\n", install_console_language(*app_, language_).c_str());
    // ctest runs this program once per renderer: what the console picks on its own, and the GPU path.
    const char* renderer = std::getenv("SURGILINK_TEST_WINDOW_RENDERER");
    const std::string chosen = use_window_renderer(renderer != nullptr && std::string(renderer) == "gpu"
                                                       ? WindowRenderer::gpu
                                                       : WindowRenderer::automatic);
    std::printf("window renderer: %s\n", chosen.c_str());
  }
  void TearDown() override { app_.reset(); }

 private:
  std::string language_;
  std::unique_ptr<QGuiApplication> app_;
};

// Who the console is (a test certificate), its sound devices as --audio-in / --audio-out give them, and
// [audio] start_muted (set on the loaded settings: the test config already has an [audio] table).
struct ConsoleSetup {
  std::string identity = "mentor";
  std::string in = "default";
  std::string out = "default";
  bool start_muted = false;
};

// The console's Main.qml with a session for `sender`, as the program loads it.
struct LiveConsole {
  LiveConsole(const std::filesystem::path& dir, const testing::RunningSender& sender,
              const ConsoleSetup& setup)
      : settings(make_settings(dir, sender, setup)), mentor(settings) {
    window = load_console_window(engine, mentor);
    if (window != nullptr) field = window->findChild<OperativeFieldView*>("operativeField");
  }
  ~LiveConsole() {
    if (window != nullptr) window->close();
  }

  static ConsoleSettings make_settings(const std::filesystem::path& dir, const testing::RunningSender& sender,
                                       const ConsoleSetup& setup) {
    ConsoleOverrides overrides;
    overrides.host = "127.0.0.1";
    overrides.control_port = sender.control_port();
    overrides.audio_in = setup.in;
    overrides.audio_out = setup.out;
    const auto config = testing::write_console_config(dir, sender.control_port(), setup.identity);
    auto settings = load_console_settings(config, overrides);
    settings.session.voice.start_muted = setup.start_muted;  // [audio] start_muted
    return settings;
  }

  ConsoleSettings settings;
  MentorSession mentor;
  QQmlApplicationEngine engine;
  QQuickWindow* window = nullptr;
  OperativeFieldView* field = nullptr;
};

// A sender and the console window connected to it, started once per test suite and shared by its tests:
// starting them takes seconds, and the tests look at different parts of the same window.
struct ConsoleOnSender {
  ConsoleOnSender(const std::filesystem::path& folder, const std::filesystem::path& config,
                  std::vector<std::string> sender_args, const ConsoleSetup& setup)
      : dir(folder),
        sender(config, folder / "sender.log", std::move(sender_args)),
        console(folder, sender, setup) {}
  std::filesystem::path dir;
  testing::RunningSender sender;
  LiveConsole console;
  std::string problem;  // why the suite's set-up failed ("" when it did not)
};

class SharedConsoleTest : public ::testing::Test {
 protected:
  // Starts the suite's sender and console and connects; the tests see a set-up failure in `problem`.
  static void start(const std::filesystem::path& dir, const std::filesystem::path& config,
                    std::vector<std::string> sender_args, const ConsoleSetup& setup = {}) {
    live_ = std::make_unique<ConsoleOnSender>(dir, config, std::move(sender_args), setup);
    auto& c = live_->console;
    if (c.window == nullptr || c.field == nullptr) {
      live_->problem = "Main.qml did not load";
      return;
    }
    c.mentor.connectTo(QString::fromStdString(c.settings.site.name));
    // Connected, with the pen (an observer never gets it), a latency figure, and a second of pictures on
    // screen.
    if (!run_until(
            [&] {
              return c.mentor.hasLatency() && (c.mentor.mayDraw() || c.mentor.role() == Role::Observer) &&
                     c.field->framesShown() > 30;
            },
            milliseconds{20000})) {
      live_->problem = "not ready: state " + c.mentor.stateName().toStdString() + ", may draw " +
                       std::to_string(c.mentor.mayDraw()) + ", frames shown " +
                       std::to_string(c.field->framesShown());
    }
  }
  static void TearDownTestSuite() { live_.reset(); }

  void SetUp() override {
    ASSERT_NE(live_, nullptr);
    ASSERT_TRUE(live_->problem.empty()) << live_->problem;
  }

  // Runs Qt's loop until `done()` holds, checked whenever the session's status or the shown frames change,
  // or until the timeout passes.
  template <typename Condition>
  static bool run_until(Condition done, milliseconds timeout) {
    return surgilink::console::run_until(live_->console.mentor, *live_->console.field, done, timeout);
  }
  // Waits for `frames` more pictures on screen (at most 3 s).
  static void let_frames_pass(int frames) {
    const int shown = field().framesShown();
    run_until([&] { return field().framesShown() > shown + frames; }, milliseconds{3000});
  }
  // Shortcuts act in the active window, as they do for the mentor (Xvfb has no window manager to give it).
  static bool activate() {
    window().requestActivate();
    return QTest::qWaitForWindowActive(&window());
  }
  static QQuickItem* item(const char* name) { return find_item(window().contentItem(), name); }
  // The video area in window coordinates.
  static QRectF video() { return field().videoRect().translated(field().mapToScene(QPointF(0, 0))); }

  static MentorSession& mentor() { return live_->console.mentor; }
  static QQuickWindow& window() { return *live_->console.window; }
  static OperativeFieldView& field() { return *live_->console.field; }
  static testing::RunningSender& sender() { return live_->sender; }
  static const std::filesystem::path& dir() { return live_->dir; }

 private:
  static inline std::unique_ptr<ConsoleOnSender> live_;
};

// Clicks the middle of a QML item.
inline void click(QQuickWindow& window, QQuickItem* item) {
  const QPointF middle = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
  QTest::mouseClick(&window, Qt::LeftButton, Qt::NoModifier, middle.toPoint());
}

}  // namespace surgilink::console
