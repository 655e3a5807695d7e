// surgilink-display-paths: measures the ways decoded video can reach the console's Qt Quick window, on this
// machine and display: CPU, frames drawn, and glass-to-glass read back from window grabs. Each way runs in
// a process of its own (Qt takes one graphics API per process); without --path all are run in turn.
#include <sys/resource.h>

#include <QFile>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QQmlComponent>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QRunnable>
#include <QScreen>
#include <QTimer>
#include <QVideoFrame>
#include <QVideoFrameFormat>
#include <QVideoSink>
#include <QWindow>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "surgilink/core/capture_clock.hpp"
#include "surgilink/core/latency_statistics.hpp"
#include "surgilink/media/local_video_loop.hpp"
#include "ui/console_window.hpp"
#include "ui/picture_feed.hpp"
#include "ui/window_pixel_code.hpp"

namespace {

using namespace surgilink;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string path;  // empty: all
  std::string renderer = "gpu";
  std::string profile = "1080p30";
  double seconds = 15;
  double warmup = 3;
  int grabs = 40;
  std::string json;
};

// The process's user + system CPU time.
std::chrono::microseconds cpu_time() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto us = [](const timeval& t) {
    return std::chrono::seconds{t.tv_sec} + std::chrono::microseconds{t.tv_usec};
  };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

// The QML of each way; the item fills the window.
QByteArray qml_for(const std::string& path) {
  if (path == "item") return "import SurgiLink.Console 1.0\nOperativeFieldView {}\n";
  if (path == "qvideosink") return "import QtMultimedia\nVideoOutput {}\n";
  return "import org.freedesktop.gstreamer.Qt6GLVideoItem 1.0\nGstGLQt6VideoItem {}\n";
}

// qml6glsink needs its window's OpenGL context: the pipeline starts from the render thread, before sync.
class PlayOnRenderThread : public QRunnable {
 public:
  explicit PlayOnRenderThread(media::LocalVideoLoop& loop) : loop_(loop) {}
  void run() override { loop_.play(); }

 private:
  media::LocalVideoLoop& loop_;
};

// Copies the newest picture into a QVideoFrame (what an appsink → QVideoSink adapter does). Streaming thread.
QVideoFrame to_video_frame(const media::VideoFrame& picture) {
  QVideoFrame frame(
      QVideoFrameFormat(QSize(picture.width(), picture.height()), QVideoFrameFormat::Format_YUV420P));
  if (!frame.map(QVideoFrame::WriteOnly)) return {};
  for (int plane = 0; plane < 3; ++plane) {
    const int rows = plane == 0 ? picture.height() : picture.height() / 2;
    const int bytes = plane == 0 ? picture.width() : picture.width() / 2;
    for (int row = 0; row < rows; ++row) {
      std::memcpy(frame.bits(plane) + row * frame.bytesPerLine(plane),
                  picture.plane(plane) + row * picture.stride(plane), bytes);
    }
  }
  frame.unmap();
  return frame;
}

QJsonObject summary_json(const core::LatencySummary& s) {
  return {{"count", static_cast<qint64>(s.count)}, {"p50", s.p50_ms}, {"p95", s.p95_ms}, {"max", s.max_ms}};
}

// A plain GStreamer video sink draws into a native window of its own (no Qt Quick, no Qt on the picture's
// way): the OR display's fourth candidate (issue 13).
bool is_plain_sink(const std::string& path) {
  return path == "glimagesink" || path == "xvimagesink" || path == "ximagesink";
}

// One way, in this process: prints one JSON line with its figures; returns the exit code.
int measure_one(int argc, char** argv, const Options& options) {
  if (options.path == "qml6glsink" && options.renderer != "gpu") {
    std::fprintf(stderr, "surgilink-display-paths: qml6glsink draws with OpenGL only (--renderer gpu)\n");
    return 2;
  }
  if (options.renderer == "software")
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
  else
    QQuickWindow::setGraphicsApi(QSGRendererInterface::OpenGL);
  QGuiApplication app(argc, argv);
  const media::VideoProfile profile = media::video_profile(options.profile);
  if (options.path == "qml6glsink" && !media::load_gstreamer_element("qml6glsink")) {
    std::fprintf(stderr, "surgilink-display-paths: GStreamer has no qml6glsink (package gstreamer1.0-qt6)\n");
    return 1;
  }

  const bool windowless = options.path == "none";  // the loop alone: what every way costs before display
  const bool plain_sink = is_plain_sink(options.path);
  if (plain_sink && !media::load_gstreamer_element(options.path)) {
    std::fprintf(stderr, "surgilink-display-paths: GStreamer has no %s\n", options.path.c_str());
    return 1;
  }
  // A plain sink's window: a native X11 window the sink draws into through GstVideoOverlay.
  QWindow native;
  native.resize(1600, 900);
  QQuickWindow window;
  window.setColor(Qt::black);
  window.resize(1600, 900);
  QQmlEngine engine;
  QQmlComponent component(&engine);
  component.setData(qml_for(windowless || plain_sink ? "item" : options.path), QUrl());
  std::unique_ptr<QQuickItem> item(qobject_cast<QQuickItem*>(component.create()));
  if (!item) {
    std::fprintf(stderr, "surgilink-display-paths: the QML of '%s' did not load: %s\n", options.path.c_str(),
                 component.errorString().toUtf8().constData());
    return 1;
  }
  item->setParentItem(window.contentItem());
  item->setSize(window.size());

  core::CaptureClock clock;
  std::atomic<int> presented_pictures{0};
  core::LatencySeries presented;  // capture → swap, where the way can tell (item only)
  std::mutex presented_mutex;
  console::PictureFeed feed(clock, [&](core::CaptureTime capture, core::CaptureTime shown) {
    std::lock_guard lock(presented_mutex);
    presented.add(shown - capture);
  });
  QVideoSink* video_sink = nullptr;
  std::unique_ptr<media::LocalVideoLoop> loop;
  if (windowless) {
    loop = std::make_unique<media::LocalVideoLoop>(profile, feed.mailbox(), std::function<void()>{});
  } else if (plain_sink) {
    native.show();
    loop = std::make_unique<media::LocalVideoLoop>(
        profile, options.path,
        media::LocalVideoLoop::NativeWindow{static_cast<std::uintptr_t>(native.winId()), native.width(),
                                            native.height()});
  } else if (options.path == "item") {
    item->setProperty("feed", QVariant::fromValue(&feed));
    loop = std::make_unique<media::LocalVideoLoop>(profile, feed.mailbox(), [&feed] { feed.announce(); });
  } else if (options.path == "qvideosink") {
    video_sink = item->property("videoSink").value<QVideoSink*>();
    loop = std::make_unique<media::LocalVideoLoop>(profile, feed.mailbox(), [&feed, video_sink] {
      if (auto picture = feed.mailbox().latest()) {
        QMetaObject::invokeMethod(
            video_sink, [video_sink, frame = to_video_frame(*picture)] { video_sink->setVideoFrame(frame); },
            Qt::QueuedConnection);
      }
    });
  } else {
    loop = std::make_unique<media::LocalVideoLoop>(profile, "qml6glsink", item.get());
  }

  std::atomic<int> swaps{0};
  QObject::connect(
      &window, &QQuickWindow::frameSwapped, &window, [&swaps] { swaps.fetch_add(1); }, Qt::DirectConnection);
  if (!windowless && !plain_sink) window.show();
  if (options.path == "qml6glsink")
    window.scheduleRenderJob(new PlayOnRenderThread(*loop), QQuickWindow::BeforeSynchronizingStage);
  else
    loop->play();

  // Warm-up, then the CPU window, then the grabs (a grab re-renders the window: it would cost CPU).
  std::chrono::microseconds cpu_start{}, cpu_end{};
  Clock::time_point wall_start, wall_end;
  int swaps_start = 0, swaps_end = 0;
  core::LatencySeries glass_to_glass;
  int grabs_done = 0, readable = 0;
  int exit_code = 0;
  QTimer grab_timer;
  grab_timer.setInterval(150);
  QObject::connect(&grab_timer, &QTimer::timeout, [&] {
    // A plain sink's window is read back from the X server, as any window's pixels on the screen.
    const QImage grab =
        plain_sink ? native.screen()->grabWindow(native.winId()).toImage() : window.grabWindow();
    const auto grabbed = std::chrono::system_clock::now();
    const QRectF video = console::letterboxed(plain_sink ? QSizeF(native.size()) : QSizeF(window.size()),
                                              profile.width, profile.height);
    if (const auto us = console::pixel_code_in_grab(grab, video, profile.width, profile.height)) {
      ++readable;
      glass_to_glass.add(grabbed - core::CaptureTime{std::chrono::microseconds{*us}});
    }
    if (++grabs_done < options.grabs) return;
    grab_timer.stop();
    app.quit();
  });
  QTimer::singleShot(static_cast<int>(options.warmup * 1000), [&] {
    cpu_start = cpu_time();
    wall_start = Clock::now();
    swaps_start = plain_sink ? static_cast<int>(loop->pictures_to_sink()) : swaps.load();
    std::lock_guard lock(presented_mutex);
    presented = {};
  });
  QTimer::singleShot(static_cast<int>((options.warmup + options.seconds) * 1000), [&] {
    cpu_end = cpu_time();
    wall_end = Clock::now();
    swaps_end = plain_sink ? static_cast<int>(loop->pictures_to_sink()) : swaps.load();
    if (windowless)
      app.quit();
    else
      grab_timer.start();
  });
  QTimer error_watch;
  QObject::connect(&error_watch, &QTimer::timeout, [&] {
    if (const auto error = loop->error()) {
      std::fprintf(stderr, "surgilink-display-paths: GStreamer: %s\n", error->c_str());
      exit_code = 1;
      app.quit();
    }
  });
  error_watch.start(500);
  std::fprintf(stderr, "measuring %s (%s renderer, %s): %.0f s warm-up, %.0f s measured, %d grabs\n",
               options.path.c_str(), options.renderer.c_str(), profile.name.c_str(), options.warmup,
               options.seconds, options.grabs);
  app.exec();
  loop.reset();
  if (exit_code != 0) return exit_code;

  const double wall_s = std::chrono::duration<double>(wall_end - wall_start).count();
  QJsonObject result{
      {"path", QString::fromStdString(options.path)},
      {"renderer", QString::fromStdString(options.renderer)},
      {"profile", QString::fromStdString(profile.name)},
      {"window", plain_sink ? QString("%1x%2").arg(native.width()).arg(native.height())
                            : QString("%1x%2").arg(window.width()).arg(window.height())},
      {"cpu_pct", 100.0 * std::chrono::duration<double>(cpu_end - cpu_start).count() / wall_s},
      {"frames_drawn_per_s", (swaps_end - swaps_start) / wall_s},
      {"grabs", grabs_done},
      {"grabs_with_picture", readable},
      {"g2g_grab_ms", summary_json(glass_to_glass.summary())},
  };
  {
    std::lock_guard lock(presented_mutex);
    if (options.path == "item") result.insert("g2g_swap_ms", summary_json(presented.summary()));
  }
  std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
  return 0;
}

// Every way in turn, each in a child process; prints a table and writes the JSON.
int measure_all(const char* self, const Options& options) {
  // "none" first: the encode → decode loop with no window, what every other row costs before display.
  const std::vector<std::pair<std::string, std::string>> ways = {
      {"none", "software"},       {"item", "gpu"},       {"item", "software"},   {"qvideosink", "gpu"},
      {"qvideosink", "software"}, {"qml6glsink", "gpu"}, {"glimagesink", "gpu"}, {"xvimagesink", "software"},
      {"ximagesink", "software"}};
  QJsonArray results;
  std::printf("%-11s %-9s %8s %12s %10s %10s %14s\n", "path", "renderer", "cpu %", "drawn/s", "g2g p50",
              "g2g p95", "with picture");
  for (const auto& [path, renderer] : ways) {
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(self, {"--path", QString::fromStdString(path), "--renderer", QString::fromStdString(renderer),
                       "--profile", QString::fromStdString(options.profile), "--seconds",
                       QString::number(options.seconds), "--warmup", QString::number(options.warmup),
                       "--grabs", QString::number(options.grabs)});
    const int budget_ms =
        static_cast<int>((options.warmup + options.seconds) * 1000) + options.grabs * 1000 + 30000;
    if (!child.waitForFinished(budget_ms)) {
      child.kill();
      child.waitForFinished();
    }
    const QByteArray out = child.readAllStandardOutput().trimmed();
    const QJsonObject r = QJsonDocument::fromJson(out.split('\n').last()).object();
    if (child.exitCode() != 0 || r.isEmpty()) {
      std::printf("%-11s %-9s failed (exit %d)\n", path.c_str(), renderer.c_str(), child.exitCode());
      results.append(QJsonObject{{"path", QString::fromStdString(path)},
                                 {"renderer", QString::fromStdString(renderer)},
                                 {"failed", true}});
      continue;
    }
    const QJsonObject g2g = r["g2g_grab_ms"].toObject();
    std::printf("%-11s %-9s %8.1f %12.1f %10.1f %10.1f %8d of %3d\n", path.c_str(), renderer.c_str(),
                r["cpu_pct"].toDouble(), r["frames_drawn_per_s"].toDouble(), g2g["p50"].toDouble(),
                g2g["p95"].toDouble(), r["grabs_with_picture"].toInt(), r["grabs"].toInt());
    std::fflush(stdout);
    results.append(r);
  }
  if (!options.json.empty()) {
    QFile file(QString::fromStdString(options.json));
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(results).toJson()) < 0) {
      std::fprintf(stderr, "surgilink-display-paths: cannot write %s\n", options.json.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{
      "surgilink-display-paths: compares how decoded video reaches a Qt Quick window on this display "
      "(the console's own item, QVideoSink + VideoOutput, GStreamer's qml6glsink): CPU of the whole process "
      "(decode included), frames drawn per second and glass-to-glass read from window grabs.\n"
      "Progress on stderr; the table (or one JSON line with --path) on stdout."};
  Options options;
  cli.add_option(
         "--path", options.path,
         "item | qvideosink | qml6glsink | glimagesink | xvimagesink | ximagesink (plain GStreamer sinks in "
         "a "
         "native window) | none (no window: the encode/decode loop alone); default: all, each in a child "
         "process")
      ->check(CLI::IsMember(
          {"item", "qvideosink", "qml6glsink", "glimagesink", "xvimagesink", "ximagesink", "none"}));
  cli.add_option("--renderer", options.renderer, "gpu | software (with --path)")
      ->check(CLI::IsMember({"gpu", "software"}))
      ->capture_default_str();
  cli.add_option("--profile", options.profile, "720p30 | 1080p30 | 1080p60")->capture_default_str();
  cli.add_option("--seconds", options.seconds, "seconds measured for CPU")
      ->check(CLI::Range(1.0, 600.0))
      ->capture_default_str();
  cli.add_option("--warmup", options.warmup, "seconds before measuring")
      ->check(CLI::Range(0.0, 60.0))
      ->capture_default_str();
  cli.add_option("--grabs", options.grabs, "window grabs for glass-to-glass, after the CPU window")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cli.add_option("--json", options.json, "without --path: write all results to this file");
  CLI11_PARSE(cli, argc, argv);
  try {
    (void)media::video_profile(options.profile);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "surgilink-display-paths: %s\n", e.what());
    return 2;
  }
  if (std::getenv("DISPLAY") == nullptr && std::getenv("WAYLAND_DISPLAY") == nullptr) {
    std::fprintf(stderr,
                 "surgilink-display-paths: needs a display (run it under xvfb-run -a -s \"-screen 0 "
                 "1920x1080x24\" on a machine without one)\n");
    return 2;
  }
  try {
    return options.path.empty() ? measure_all(argv[0], options) : measure_one(argc, argv, options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "surgilink-display-paths: %s\n", e.what());
    return 1;
  }
}
