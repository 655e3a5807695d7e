// The console's review mode under Xvfb (issue 16): the real window opens the shared recorded case from its
// "Recordings" list; at a time the event log has annotations the picture shows their colours where
// `surgilink-review show --png` draws them, the vitals panel shows what RecordedCase gives for that time, a
// click on the timeline seeks, the keys play, step and change the speed, bookmarks are written and read back
// after reopening; seek times are measured (p50/p95 printed, and in review-seek.json under /work/measure).
#include <QRandomGenerator>
#include <algorithm>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>

#include "console_fixture.hpp"
#include "support/annotation_colours.hpp"
#include "support/recorded_case.hpp"
#include "surgilink/review/bookmarks.hpp"
#include "ui/case_review.hpp"
#include "ui/patient_vitals.hpp"

namespace surgilink::console {
namespace {

[[maybe_unused]] const auto* const kQtApplication =
    ::testing::AddGlobalTestEnvironment(new QtApplication("en"));

using namespace std::chrono_literals;

// The console's settings with its review library in `dir` (bookmarks are written beside the recording).
ConsoleSettings review_settings(const std::filesystem::path& dir) {
  const auto config = testing::write_console_config(dir, 7400, "mentor");
  std::ofstream(config, std::ios::app) << "[review]\nlibrary = \"library\"\n";
  return load_console_settings(config, {});
}

std::filesystem::path scratch;
std::filesystem::path folder;  // the copy of the recording under test
std::unique_ptr<ReviewWindow> shown;

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<std::size_t>(std::min<double>(values.size() - 1, p * (values.size() - 1) + 0.5))];
}

cv::Mat bgr_of(const QImage& image) {
  const QImage rgb = image.convertToFormat(QImage::Format_RGB888);
  cv::Mat bgr;
  cv::cvtColor(cv::Mat(rgb.height(), rgb.width(), CV_8UC3, const_cast<uchar*>(rgb.constBits()),
                       static_cast<std::size_t>(rgb.bytesPerLine())),
               bgr, cv::COLOR_RGB2BGR);
  return bgr;
}

class ReviewScreen : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch = testing::scratch_dir("review-screen");
    const auto recordings = testing::shared_recorded_case();
    if (recordings.empty()) return;
    for (const auto& e : std::filesystem::directory_iterator(recordings)) {
      folder = scratch / "library" / e.path().filename();
      std::filesystem::create_directories(folder.parent_path());
      std::filesystem::copy(e.path(), folder, std::filesystem::copy_options::recursive);
    }
    shown = std::make_unique<ReviewWindow>(review_settings(scratch));
  }
  static void TearDownTestSuite() { shown.reset(); }
  void SetUp() override {
    ASSERT_NE(shown, nullptr) << "the shared recording could not be made";
    ASSERT_NE(shown->window, nullptr) << "Main.qml did not load";
    if (!review().opened()) open_from_the_list();
  }

  static CaseReview& review() { return shown->review; }
  static QQuickWindow& window() { return *shown->window; }
  static QQuickItem* item(const char* name) { return find_item(window().contentItem(), name); }
  static OperativeFieldView* field() { return qobject_cast<OperativeFieldView*>(item("reviewField")); }

  template <typename Condition>
  static bool run_until(Condition done, std::chrono::milliseconds timeout) {
    return run_events_until(done, timeout);
  }

  // Clicks the recording on the start screen; returns the review's own figure from the open to its first
  // picture on the screen (ms).
  static double open_from_the_list() {
    EXPECT_TRUE(run_until([] { return item("recording_0") != nullptr; }, 5000ms)) << "no recording listed";
    auto* entry = item("recording_0");
    if (entry == nullptr) return -1;
    const double before = review().lastSeekMs();
    click(window(), entry);
    EXPECT_TRUE(run_until([&] { return review().lastSeekMs() != before && field() != nullptr; }, 10000ms));
    EXPECT_TRUE(review().opened()) << review().problems().toStdString();
    EXPECT_GT(field()->framesShown(), 0);
    return review().lastSeekMs();
  }

  // Seeks and waits until the picture that answers it is on the screen; its capture time.
  static core::CaptureTime seek_and_wait(double offset_ms) {
    const double before = review().lastSeekMs();
    review().seek(offset_ms);
    EXPECT_TRUE(run_until([&] { return review().lastSeekMs() != before; }, 10000ms))
        << "no picture for the seek";
    run_until([] { return false; }, 100ms);  // the panels and the scene layer repaint with it
    return review().moment().capture;
  }

  static std::int64_t offset_ns(core::CaptureTime t) {
    return (t - review().recordedCase()->first_picture()).count();
  }
};

TEST_F(ReviewScreen, OpensARecordingFromTheStartScreenList) {
  // The set-up opened it from the list; close it and open it again, timing the click to its first picture.
  review().close();
  ASSERT_TRUE(run_until([] { return item("recording_0") != nullptr; }, 5000ms));
  const double open_ms = open_from_the_list();
  std::printf("open -> first picture on screen: %.1f ms\n", open_ms);
  EXPECT_THAT(review().title().toStdString(), ::testing::HasSubstr("CASE-TEST"));
  EXPECT_GT(review().durationMs(), 15000);
  EXPECT_FALSE(review().markers().isEmpty());
  // The shared case was recorded without microphones: the screen says so, and everything else plays.
  EXPECT_FALSE(review().voiceRecorded());
  EXPECT_EQ(review().voiceText().toStdString(), "no voice recorded");
  auto* voice = item("voiceState");
  ASSERT_NE(voice, nullptr);
  EXPECT_EQ(voice->property("text").toString().toStdString(), "no voice recorded");
}

TEST_F(ReviewScreen, ShowsTheAnnotationsAndVitalsOfTheMoment) {
  const auto& recorded = *review().recordedCase();
  // A time at which the event log says at least two annotations were on the OR screen.
  std::optional<core::CaptureTime> when;
  for (auto t = recorded.first_picture(); t < recorded.last_picture(); t += 250ms) {
    const auto m = recorded.at(t);
    if (!m.annotations_hidden && m.scene->annotations.size() >= 2) {
      when = t + 1s;  // well inside that span
      break;
    }
  }
  ASSERT_TRUE(when) << "the recording has no moment with two annotations";
  const auto shown_at = seek_and_wait(static_cast<double>(offset_ns(*when)) / 1e6);
  const auto moment = recorded.at(shown_at);
  ASSERT_GE(moment.scene->annotations.size(), 1u);
  EXPECT_EQ(review().annotationCount(), static_cast<int>(moment.scene->annotations.size()));
  // The scene pans: the OR display had anchored them, and the window draws them where it placed them (as
  // `show --png`, compared below).
  EXPECT_FALSE(moment.placements.empty()) << "no placement recorded for the annotations of that moment";

  // The picture with the scene drawn over it, against the review tool's picture of the same moment.
  auto* view = field();
  const QImage grab = window().grabWindow();
  const QRectF video = view->videoRect().translated(view->mapToScene(QPointF(0, 0)));
  const QImage picture = grab.copy(video.toRect());
  char at[64];
  std::snprintf(at, sizeof at, "%.9f", static_cast<double>(offset_ns(shown_at)) / 1e9);
  const auto png = scratch / "show.png";
  const auto result = testing::run_program(
      {testing::review_program().string(), "show", folder.string(), "--at", at, "--png", png.string()},
      scratch, "show", 30000ms);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const cv::Mat expected = cv::imread(png.string());
  ASSERT_FALSE(expected.empty());
  cv::Mat got;
  cv::resize(bgr_of(picture), got, expected.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat expected_mask = testing::annotation_colour_mask(expected),
          got_mask = testing::annotation_colour_mask(got);
  const int expected_pixels = cv::countNonZero(expected_mask), got_pixels = cv::countNonZero(got_mask);
  ASSERT_GT(expected_pixels, 200) << "surgilink-review show drew no annotation colour";
  ASSERT_GT(got_pixels, 200) << "the review screen shows no annotation colour";
  // Where the review tool drew the annotations, the window drew them too (within a few pixels).
  const cv::Mat grow = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(15, 15));
  cv::Mat got_near;
  cv::dilate(got_mask, got_near, grow);
  const double covered = cv::countNonZero(expected_mask & got_near) / static_cast<double>(expected_pixels);
  EXPECT_GT(covered, 0.8) << "of the annotation pixels surgilink-review drew, only " << covered
                          << " are near annotation pixels in the window";
  cv::Mat expected_near;
  cv::dilate(expected_mask, expected_near, grow);
  const double placed = cv::countNonZero(got_mask & expected_near) / static_cast<double>(got_pixels);
  EXPECT_GT(placed, 0.8) << "annotation colour in the window away from where the OR had it: " << placed;
  std::printf("annotation pixels: review tool %d, window %d (scaled); %.2f covered, %.2f placed\n",
              expected_pixels, got_pixels, covered, placed);

  // The vitals panel shows the values RecordedCase gives for that moment.
  auto* panel = item("reviewVitalsPanel");
  ASSERT_NE(panel, nullptr);
  for (const auto& [key, parameter] :
       {std::pair{"hr", vitals::Parameter::kHr}, std::pair{"spo2", vitals::Parameter::kSpo2}}) {
    const auto& sample = moment.vitals[static_cast<std::size_t>(parameter)];
    ASSERT_TRUE(sample && sample->value) << key;
    auto* value = find_item(panel, QString("vitalsValue_") + key);
    ASSERT_NE(value, nullptr) << key;
    EXPECT_EQ(value->property("text").toString().toStdString(),
              QString::number(*sample->value, 'f', 0).toStdString())
        << key;
  }

  // The waveforms of that moment, replayed as the live panel draws them: the newest 6 s of each, scrolling
  // in from the right, the ECG trace drawn in its colour.
  ASSERT_EQ(moment.waveforms.size(), 4u) << "the simulator streams four waveforms";
  for (const auto& c : moment.waveforms) {
    const auto& trace = review().vitals()->trace(c.waveform);
    const auto keep = static_cast<std::size_t>(PatientVitals::kTraceSeconds * 1e9 /
                                               static_cast<double>(c.sample_period.count()));
    ASSERT_EQ(trace.size(), std::min(keep, c.samples.size())) << vitals::info(c.waveform).short_name;
    EXPECT_TRUE(std::equal(trace.begin(), trace.end(), c.samples.end() - static_cast<long>(trace.size())));
  }
  EXPECT_TRUE(review().vitals()->traceNote().isEmpty());
  auto* ecg = find_item(panel, "waveform_ecg_ii");
  ASSERT_NE(ecg, nullptr);
  const QRectF ecg_rect(ecg->mapToScene(QPointF(0, 0)), QSizeF(ecg->width(), ecg->height()));
  const cv::Mat ecg_pixels = bgr_of(grab.copy(ecg_rect.toRect()));
  cv::Mat ecg_green;
  cv::inRange(ecg_pixels, cv::Scalar(0, 200, 80), cv::Scalar(60, 255, 160), ecg_green);
  EXPECT_GT(cv::countNonZero(ecg_green), ecg_pixels.cols / 2) << "no ECG trace drawn in the review's panel";

  const std::filesystem::path measure = "/work/measure";
  const auto screenshot = (std::filesystem::is_directory(measure) ? measure : scratch) / "review-screen.png";
  EXPECT_TRUE(grab.save(QString::fromStdString(screenshot.string())));
  std::printf("screenshot: %s\n", screenshot.c_str());
}

TEST_F(ReviewScreen, AClickOnTheTimelineSeeks) {
  seek_and_wait(0);
  auto* track = item("timelineTrack");
  ASSERT_NE(track, nullptr);
  const double before = review().lastSeekMs();
  const QPointF point = track->mapToScene(QPointF(track->width() * 0.75, track->height() / 2));
  QTest::mouseClick(&window(), Qt::LeftButton, Qt::NoModifier, point.toPoint());
  ASSERT_TRUE(run_until([&] { return review().lastSeekMs() != before; }, 10000ms));
  // The picture shown is the last one at or before the clicked time: within a frame or two of it.
  EXPECT_NEAR(review().positionMs(), review().durationMs() * 0.75, 100);
  // A drag along the track seeks as it goes and ends where it was let go.
  const QPointF from = track->mapToScene(QPointF(track->width() * 0.2, track->height() / 2));
  const QPointF to = track->mapToScene(QPointF(track->width() * 0.4, track->height() / 2));
  QTest::mousePress(&window(), Qt::LeftButton, Qt::NoModifier, from.toPoint());
  for (int i = 1; i <= 10; ++i) {
    QTest::mouseMove(&window(), (from + (to - from) * (i / 10.0)).toPoint());
    run_until([] { return false; }, 20ms);
  }
  QTest::mouseRelease(&window(), Qt::LeftButton, Qt::NoModifier, to.toPoint());
  ASSERT_TRUE(
      run_until([&] { return std::abs(review().positionMs() - review().durationMs() * 0.4) < 100; }, 10000ms))
      << review().positionMs();
  // A marker click jumps to its time.
  auto* marker = item("marker_0");
  ASSERT_NE(marker, nullptr);
  const double marker_ms = review().markers().front().toMap()["offsetMs"].toDouble();
  click(window(), marker);
  ASSERT_TRUE(run_until([&] { return std::abs(review().positionMs() - marker_ms) < 100; }, 10000ms))
      << review().positionMs() << " vs marker at " << marker_ms;
}

TEST_F(ReviewScreen, KeysPlayStepAndChangeTheSpeed) {
  window().requestActivate();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window()));
  const auto start = seek_and_wait(2000);
  QTest::keyClick(&window(), Qt::Key_Right);
  ASSERT_TRUE(run_until([&] { return review().moment().capture > start; }, 5000ms));
  const auto next = review().moment().capture;
  EXPECT_LT(next - start, 100ms) << "one frame on";
  QTest::keyClick(&window(), Qt::Key_Left);
  ASSERT_TRUE(run_until([&] { return review().moment().capture < next; }, 5000ms));
  EXPECT_EQ(review().moment().capture, start) << "one frame back";

  QTest::keyClick(&window(), ']');
  EXPECT_EQ(review().speed(), 2);
  QTest::keyClick(&window(), '[');
  QTest::keyClick(&window(), '[');
  EXPECT_EQ(review().speed(), 0.5);
  QTest::keyClick(&window(), ']');
  EXPECT_EQ(review().speed(), 1);

  QTest::keyClick(&window(), Qt::Key_Space);
  EXPECT_TRUE(review().playing());
  const double from_ms = review().positionMs();
  const auto wall = std::chrono::steady_clock::now();
  run_until([] { return false; }, 1500ms);
  QTest::keyClick(&window(), Qt::Key_Space);
  EXPECT_FALSE(review().playing());
  const double played = review().positionMs() - from_ms;
  const double elapsed =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall).count();
  std::printf("played %.0f ms of the recording in %.0f ms\n", played, elapsed);
  EXPECT_GT(played, elapsed * 0.6);
  EXPECT_LT(played, elapsed * 1.1);

  QTest::keyClick(&window(), Qt::Key_End);
  ASSERT_TRUE(run_until([&] { return review().positionMs() >= review().durationMs() - 1; }, 5000ms));
  QTest::keyClick(&window(), Qt::Key_Home);
  ASSERT_TRUE(run_until([&] { return review().positionMs() < 1; }, 5000ms));
}

TEST_F(ReviewScreen, BookmarksAreWrittenAndReadBackAfterReopening) {
  seek_and_wait(5000);
  const auto at = review().moment().capture;
  window().requestActivate();
  ASSERT_TRUE(QTest::qWaitForWindowActive(&window()));
  auto* comment = item("bookmarkComment");
  ASSERT_NE(comment, nullptr);
  click(window(), comment);
  for (const char c : std::string("bleeding controlled here")) QTest::keyClick(&window(), c);
  QTest::keyClick(&window(), Qt::Key_Return);
  ASSERT_TRUE(run_until([] { return !review().bookmarks().isEmpty(); }, 3000ms))
      << review().problems().toStdString();

  std::string why;
  const auto written = review::Bookmarks::read(folder, &why);
  ASSERT_TRUE(written) << why;
  ASSERT_EQ(written->size(), 1u);
  EXPECT_EQ(written->front().comment, "bleeding controlled here");
  EXPECT_EQ(written->front().by, "Dr. Trainer");
  EXPECT_EQ(written->front().at, at);

  // Closed and opened again (as after a restart): listed, and a click on it jumps there.
  review().close();
  open_from_the_list();
  ASSERT_EQ(review().bookmarks().size(), 1);
  EXPECT_EQ(review().bookmarks().front().toMap()["comment"].toString(), "bleeding controlled here");
  seek_and_wait(0);
  ASSERT_TRUE(run_until([] { return item("bookmark_0") != nullptr; }, 3000ms));
  click(window(), item("bookmark_0"));
  ASSERT_TRUE(run_until([&] { return review().moment().capture == at; }, 5000ms));
}

TEST_F(ReviewScreen, SeeksShowTheRightPictureFast) {
  // SURGILINK_REVIEW_SEEK_RECORDING=FOLDER measures on that recording instead (the demo's, say); only read.
  // SURGILINK_REVIEW_SEEKS=N seeks N times (10), SURGILINK_REVIEW_SEEK_JSON=FILE writes the figures there
  // (review-seek.json in /work/measure or the scratch folder).
  std::optional<double> open_ms;
  if (const char* other = std::getenv("SURGILINK_REVIEW_SEEK_RECORDING");
      other != nullptr && *other != '\0') {
    const double before = review().lastSeekMs();
    const auto asked = std::chrono::steady_clock::now();
    ASSERT_TRUE(review().open(other)) << review().problems().toStdString();
    ASSERT_TRUE(run_until([&] { return review().lastSeekMs() != before; }, 10000ms));
    open_ms = review().lastSeekMs();
    std::printf("%s: open -> first picture on screen %.1f ms (wall %.1f ms)\n", other, *open_ms,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked).count());
  }
  int seeks = 10;
  if (const char* n = std::getenv("SURGILINK_REVIEW_SEEKS"); n != nullptr && std::atoi(n) > 0)
    seeks = std::atoi(n);
  const auto& recorded = *review().recordedCase();
  QRandomGenerator random(16);
  std::vector<double> ms;
  std::vector<double> moment_ms;  // of each seek, the part that is RecordedCase::at() (the state at t)
  for (int i = 0; i < seeks; ++i) {
    const double offset = random.bounded(review().durationMs());
    const auto t =
        recorded.first_picture() + std::chrono::nanoseconds{static_cast<std::int64_t>(offset * 1e6)};
    std::string why;
    const auto expected = recorded.picture_at(t, &why);
    ASSERT_TRUE(expected) << why;
    const auto asked = std::chrono::steady_clock::now();
    const auto moment = recorded.at(t);
    EXPECT_EQ(moment.capture, t);
    moment_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - asked).count());
    const auto got = seek_and_wait(offset);
    EXPECT_EQ(got, expected->capture) << "seek to " << offset << " ms";
    ms.push_back(review().lastSeekMs());
  }
  const double p50 = percentile(ms, 0.5), p95 = percentile(ms, 0.95);
  std::printf("seek -> picture on screen, %d seeks: p50 %.1f ms, p95 %.1f ms, max %.1f ms\n", seeks, p50, p95,
              *std::max_element(ms.begin(), ms.end()));
  std::printf("the state at the seek's time (RecordedCase::at): p50 %.2f ms, p95 %.2f ms, max %.2f ms\n",
              percentile(moment_ms, 0.5), percentile(moment_ms, 0.95),
              *std::max_element(moment_ms.begin(), moment_ms.end()));
  const std::filesystem::path measure = "/work/measure";
  std::filesystem::path out =
      (std::filesystem::is_directory(measure) ? measure : scratch) / "review-seek.json";
  if (const char* file = std::getenv("SURGILINK_REVIEW_SEEK_JSON"); file != nullptr && *file != '\0')
    out = file;
  std::ofstream(out) << nlohmann::json{{"recording", review().folder().toStdString()},
                                       {"duration_s", review().durationMs() / 1000},
                                       {"open_to_first_picture_ms",
                                        open_ms ? nlohmann::json(*open_ms) : nlohmann::json(nullptr)},
                                       {"seeks_ms", ms},
                                       {"p50_ms", p50},
                                       {"p95_ms", p95},
                                       {"max_ms", *std::max_element(ms.begin(), ms.end())},
                                       {"moment_ms", moment_ms},
                                       {"moment_p50_ms", percentile(moment_ms, 0.5)},
                                       {"moment_p95_ms", percentile(moment_ms, 0.95)}}
                            .dump()
                     << "\n";
  review().close();
  EXPECT_LT(p95, 1000) << "a seek should show its picture well within a second";
}

}  // namespace
}  // namespace surgilink::console
