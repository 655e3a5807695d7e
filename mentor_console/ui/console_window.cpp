#include "console_window.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <QFileInfo>
#include <QGuiApplication>
#include <QOffscreenSurface>
#include <QOpenGLContext>
#include <QOpenGLFunctions>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QSocketNotifier>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "case_review.hpp"
#include "console_language.hpp"
#include "core/headless_console.hpp"
#include "mentor_session.hpp"

namespace surgilink::console {

namespace {
int g_signal_pipe[2] = {-1, -1};

void on_signal(int) {
  // Only async-signal-safe work here: one byte down a pipe that Qt's loop watches.
  const char byte = 1;
  [[maybe_unused]] const auto written = write(g_signal_pipe[1], &byte, 1);
}

bool save_screenshot(QQuickWindow* window, const std::filesystem::path& path) {
  const QImage image = window->grabWindow();
  if (image.isNull() || !image.save(QString::fromStdString(path.string()))) {
    spdlog::error("could not save a screenshot to {}", path.string());
    return false;
  }
  std::printf("screenshot: %s\n", std::filesystem::absolute(path).c_str());
  std::fflush(stdout);
  return true;
}
// The OpenGL renderer's name on this display, or nothing when there is no OpenGL.
std::optional<std::string> opengl_renderer_name() {
  QOpenGLContext context;
  if (!context.create()) return std::nullopt;
  QOffscreenSurface surface;
  surface.setFormat(context.format());
  surface.create();
  if (!surface.isValid() || !context.makeCurrent(&surface)) return std::nullopt;
  const auto* name = reinterpret_cast<const char*>(context.functions()->glGetString(GL_RENDERER));
  std::string result = name != nullptr ? name : "unknown";
  context.doneCurrent();
  return result;
}

bool is_cpu_rasterizer(const std::string& gl_renderer) {
  for (const char* cpu : {"llvmpipe", "softpipe", "swrast", "Software Rasterizer", "SwiftShader"}) {
    if (gl_renderer.find(cpu) != std::string::npos) return true;
  }
  return false;
}
}  // namespace

std::string use_window_renderer(WindowRenderer renderer) {
  if (const char* forced = std::getenv("QT_QUICK_BACKEND"); forced != nullptr && *forced != '\0')
    return std::string("as QT_QUICK_BACKEND says (") + forced + ")";
  if (renderer == WindowRenderer::software) {
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    return "software (configured)";
  }
  if (renderer == WindowRenderer::gpu) {
    QQuickWindow::setGraphicsApi(QSGRendererInterface::OpenGL);
    return "gpu (configured)";
  }
  const auto gl = opengl_renderer_name();
  if (!gl) {
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    return "software (no OpenGL on this display)";
  }
  if (is_cpu_rasterizer(*gl)) {
    // A CPU rasterizer redraws the whole window for every video frame; the software renderer repaints
    // only the picture and what changed around it.
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    return "software (OpenGL here is " + *gl + ", which draws on the CPU)";
  }
  QQuickWindow::setGraphicsApi(QSGRendererInterface::OpenGL);
  return "gpu (" + *gl + ")";
}

QQuickWindow* load_console_window(QQmlApplicationEngine& engine, MentorSession& mentor, CaseReview* review) {
  // Main.qml's one required property; a root without it does not load.
  QVariantMap properties{{"mentor", QVariant::fromValue(&mentor)}};
  if (review != nullptr) properties.insert("review", QVariant::fromValue(review));
  engine.setInitialProperties(properties);
  // Qt 6.4 has no loadFromModule: the module puts its QML files under qrc:/<URI as a path>/.
  engine.load(QUrl("qrc:/SurgiLink/Console/Main.qml"));
  if (engine.rootObjects().isEmpty()) return nullptr;
  return qobject_cast<QQuickWindow*>(engine.rootObjects().first());
}

int run_console_window(int& argc, char** argv, ConsoleSettings settings, const WindowOptions& options) {
  QGuiApplication app(argc, argv);
  app.setApplicationName("SurgiLink mentor console");
  spdlog::info("language: {}", install_console_language(app, settings.language));
  spdlog::info("window renderer: {}", use_window_renderer(settings.renderer));

  const auto report_path = settings.report;
  const auto warmup = settings.session.report_warmup;
  const auto seconds = settings.seconds;
  MentorSession mentor(settings);
  QObject::connect(&mentor, &MentorSession::statusLine, [](const QString& line) {
    std::printf("%s\n", line.toUtf8().constData());
    std::fflush(stdout);
  });

  CaseReview review(settings.review_library, mentor.identity(), settings.session.voice.output);
  if (options.review && !review.open(QString::fromStdString(options.review->string()))) {
    std::fprintf(stderr, "surgilink-console: %s\n", review.problems().toUtf8().constData());
    return 1;
  }
  QQmlApplicationEngine engine;
  auto* window = load_console_window(engine, mentor, &review);
  if (window == nullptr) {
    std::fprintf(stderr,
                 "surgilink-console: the QML user interface failed to load (see the messages above)\n");
    return 1;
  }
  if (pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    std::fprintf(stderr, "surgilink-console: cannot create the signal pipe\n");
    return 1;
  }
  QSocketNotifier signal_notifier(g_signal_pipe[0], QSocketNotifier::Read);
  bool screenshot_saved = false;
  QObject::connect(&signal_notifier, &QSocketNotifier::activated, [&] {
    char byte;
    while (read(g_signal_pipe[0], &byte, 1) > 0) {
    }
    if (options.screenshot && !screenshot_saved)
      screenshot_saved = save_screenshot(window, *options.screenshot);
    window->close();
  });
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  if (options.fullscreen) window->showFullScreen();
  if (options.connect_at_start) mentor.connectTo(QString::fromStdString(settings.site.name));

  QTimer stop_timer;
  if (seconds) {
    stop_timer.setSingleShot(true);
    QObject::connect(&stop_timer, &QTimer::timeout, [&] {
      if (options.screenshot) screenshot_saved = save_screenshot(window, *options.screenshot);
      window->close();
    });
    stop_timer.start(static_cast<int>(*seconds * 1000));
  }
  const int code = app.exec();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (report_path) {
    std::uint64_t rejected = 0;
    const auto report = mentor.finalReport(&rejected);
    write_console_report(*report_path, report, rejected, warmup);
  }
  return code;
}

}  // namespace surgilink::console
