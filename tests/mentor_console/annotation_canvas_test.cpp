// The console's telestration canvas without a session: its QPainter drawing against the OR display's OpenCV
// renderer, its drawing in a Qt Quick window on the software renderer, and the operations that mouse, touch
// and stylus drags turn into.
#include <gtest/gtest.h>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QImage>
#include <QMouseEvent>
#include <QPainter>
#include <QPointingDevice>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QTabletEvent>
#include <QTest>
#include <cstdio>
#include <memory>
#include <opencv2/core.hpp>

#include "surgilink/annotation/scene_renderer.hpp"
#include "ui/annotation_canvas.hpp"
#include "ui/annotation_painter.hpp"

namespace surgilink::console {
namespace {

using annotation::Annotation;
using annotation::AnnotationKind;
using annotation::AnnotationOperation;
using annotation::NormalisedPoint;
using std::chrono::milliseconds;

// A GUI application on Qt's offscreen platform with the software scene graph, made before any test (the
// vitals tests in this program would otherwise make a plain QCoreApplication first).
class OffscreenGui : public ::testing::Environment {
 public:
  void SetUp() override {
    if (QCoreApplication::instance() != nullptr) return;
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    static int argc = 1;
    static char name[] = "annotation_canvas_test";
    static char* argv[] = {name, nullptr};
    app_ = std::make_unique<QGuiApplication>(argc, argv);
  }
  void TearDown() override { app_.reset(); }

 private:
  std::unique_ptr<QGuiApplication> app_;
};
[[maybe_unused]] auto* const kOffscreenGui = ::testing::AddGlobalTestEnvironment(new OffscreenGui);

std::shared_ptr<const Annotation> drawing(std::string id, AnnotationKind kind,
                                          std::vector<NormalisedPoint> points, std::uint32_t rgba,
                                          float width) {
  auto a = std::make_shared<Annotation>();
  a->id = std::move(id);
  a->author = "c2";
  a->kind = kind;
  a->points = std::move(points);
  a->colour_rgba = rgba;
  a->width = width;
  a->committed = true;
  return a;
}

// Two strokes, an arrow and two ellipses at widths from thin to thick, and a pointer: what the IoU test
// compares.
annotation::Scene several_shapes() {
  annotation::Scene scene;
  scene.version = 5;
  std::vector<NormalisedPoint> wave;
  for (int i = 0; i <= 60; ++i) {
    const float t = static_cast<float>(i) / 60.0F;
    wave.push_back({0.08F + 0.5F * t, 0.25F + 0.08F * std::sin(t * 9.0F)});
  }
  scene.annotations.push_back(drawing("c2-1", AnnotationKind::kStroke, wave, 0x76FF03FF, 0.004F));
  scene.annotations.push_back(drawing("c2-2", AnnotationKind::kStroke,
                                      {{0.1F, 0.8F}, {0.3F, 0.6F}, {0.45F, 0.85F}}, 0xFFEB3BFF, 0.012F));
  scene.annotations.push_back(
      drawing("c2-3", AnnotationKind::kArrow, {{0.6F, 0.2F}, {0.85F, 0.45F}}, 0x00E5FFFF, 0.006F));
  scene.annotations.push_back(
      drawing("c2-4", AnnotationKind::kEllipse, {{0.55F, 0.55F}, {0.9F, 0.9F}}, 0xFFEB3BFF, 0.002F));
  scene.annotations.push_back(
      drawing("c2-5", AnnotationKind::kEllipse, {{0.3F, 0.35F}, {0.5F, 0.6F}}, 0x76FF03FF, 0.02F));
  scene.annotations.push_back(drawing("c2-pointer", AnnotationKind::kPointer, {{0.7F, 0.75F}}, 0xFF3030FF,
                                      annotation::kPointerWidth));
  return scene;
}

// Pixels where either picture is at least half covered, and where both are.
struct Overlap {
  long both = 0;
  long either = 0;
  double iou() const { return either == 0 ? 0.0 : static_cast<double>(both) / static_cast<double>(either); }
};

Overlap overlap(const cv::Mat& opencv_bgra, const QImage& qt_premultiplied) {
  Overlap o;
  for (int y = 0; y < opencv_bgra.rows; ++y) {
    const auto* cv_row = opencv_bgra.ptr<cv::Vec4b>(y);
    const auto* qt_row = reinterpret_cast<const QRgb*>(qt_premultiplied.constScanLine(y));
    for (int x = 0; x < opencv_bgra.cols; ++x) {
      const bool in_cv = cv_row[x][3] >= 128;
      const bool in_qt = qAlpha(qt_row[x]) >= 128;
      o.both += in_cv && in_qt;
      o.either += in_cv || in_qt;
    }
  }
  return o;
}

TEST(AnnotationPainting, CoversTheSamePixelsAsTheOrDisplaysRenderer) {
  const annotation::Scene scene = several_shapes();
  cv::Mat overlay(720, 1280, CV_8UC4, cv::Scalar::all(0));
  annotation::SceneRenderer renderer;
  renderer.draw(scene, {}, overlay);
  QImage picture(1280, 720, QImage::Format_ARGB32_Premultiplied);
  picture.fill(Qt::transparent);
  {
    QPainter painter(&picture);
    paint_annotation_scene(painter, scene, QRectF(0, 0, 1280, 720));
  }
  const Overlap whole = overlap(overlay, picture);
  ASSERT_GT(whole.either, 10'000) << "nothing drawn";
  std::printf("Qt vs OpenCV annotation mask IoU at 1280x720: %.3f (%ld of %ld px)\n", whole.iou(), whole.both,
              whole.either);
  // 0.952 before both drew from annotation::shape_of(); what is left is each toolkit's anti-aliasing.
  EXPECT_GE(whole.iou(), 0.97);

  // Each shape on its own too, so that one badly drawn shape cannot hide behind the others' area.
  for (const auto& one : scene.annotations) {
    annotation::Scene single;
    single.annotations = {one};
    cv::Mat cv_one(720, 1280, CV_8UC4, cv::Scalar::all(0));
    renderer.draw(single, {}, cv_one);
    QImage qt_one(1280, 720, QImage::Format_ARGB32_Premultiplied);
    qt_one.fill(Qt::transparent);
    {
      QPainter painter(&qt_one);
      paint_annotation_scene(painter, single, QRectF(0, 0, 1280, 720));
    }
    const double iou = overlap(cv_one, qt_one).iou();
    std::printf("  %s (%s, width %.3f): IoU %.3f\n", one->id.c_str(), annotation::describe(one->kind),
                static_cast<double>(one->width), iou);
    EXPECT_GE(iou, 0.93) << one->id;
  }

  // The middle of a line has the annotation's colour in both (the outline is only around it): the thick
  // yellow stroke's first segment halfway along.
  const cv::Vec4b cv_centre = overlay.at<cv::Vec4b>(504, 256);
  const QColor qt_centre = picture.pixelColor(256, 504);
  EXPECT_EQ(cv_centre, cv::Vec4b(0x3B, 0xEB, 0xFF, 255));
  EXPECT_EQ(qt_centre, QColor(0xFF, 0xEB, 0x3B));
}

// Bounding rectangle of the pixels at least half covered.
QRect covered(const cv::Mat& opencv_bgra) {
  QRect box;
  for (int y = 0; y < opencv_bgra.rows; ++y) {
    for (int x = 0; x < opencv_bgra.cols; ++x) {
      if (opencv_bgra.at<cv::Vec4b>(y, x)[3] >= 128) box |= QRect(x, y, 1, 1);
    }
  }
  return box;
}

QRect covered(const QImage& qt_premultiplied) {
  QRect box;
  for (int y = 0; y < qt_premultiplied.height(); ++y) {
    for (int x = 0; x < qt_premultiplied.width(); ++x) {
      if (qAlpha(qt_premultiplied.pixel(x, y)) >= 128) box |= QRect(x, y, 1, 1);
    }
  }
  return box;
}

// The glyphs are each toolkit's own; the backing's place, padding and text size are the one geometry's.
TEST(AnnotationPainting, LabelBackingIsWhereTheOrDisplayPutsIt) {
  annotation::Scene scene;
  auto label = std::make_shared<Annotation>(
      *drawing("c2-1", AnnotationKind::kLabel, {{0.25F, 0.25F}}, 0xFFFFFFFF, 0.004F));
  label->text = "Vessel here";
  scene.annotations.push_back(label);
  // Kept on the picture at the right edge.
  auto at_edge = std::make_shared<Annotation>(*label);
  at_edge->id = "c2-2";
  at_edge->points = {{0.98F, 0.7F}};
  scene.annotations.push_back(at_edge);
  for (const auto& one : scene.annotations) {
    annotation::Scene single;
    single.annotations = {one};
    cv::Mat overlay(720, 1280, CV_8UC4, cv::Scalar::all(0));
    annotation::SceneRenderer().draw(single, {}, overlay);
    QImage picture(1280, 720, QImage::Format_ARGB32_Premultiplied);
    picture.fill(Qt::transparent);
    {
      QPainter painter(&picture);
      paint_annotation_scene(painter, single, QRectF(0, 0, 1280, 720));
    }
    const QRect on_or = covered(overlay), on_console = covered(picture);
    std::printf("label %s backing: OR %dx%d at (%d, %d), console %dx%d at (%d, %d); mask IoU %.3f\n",
                one->id.c_str(), on_or.width(), on_or.height(), on_or.x(), on_or.y(), on_console.width(),
                on_console.height(), on_console.x(), on_console.y(), overlap(overlay, picture).iou());
    // Same text size and padding: the fonts differ a little (each toolkit picks its own), the boxes little.
    EXPECT_NEAR(on_console.width(), on_or.width(), 0.1 * on_or.width()) << one->id;
    EXPECT_NEAR(on_console.height(), on_or.height(), 0.12 * on_or.height()) << one->id;
    if (one == label) {
      EXPECT_EQ(on_or.topLeft(), QPoint(320, 180));
      EXPECT_EQ(on_console.topLeft(), on_or.topLeft());
    } else {
      EXPECT_EQ(on_or.right(), 1279);
      EXPECT_EQ(on_console.right(), 1279);
      EXPECT_EQ(on_console.top(), on_or.top());
    }
  }
}

TEST(AnnotationPainting, BadCoordinatesAndEmptyRectanglesDrawNothingAndDoNotCrash) {
  annotation::Scene scene;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  scene.annotations.push_back(
      drawing("c2-1", AnnotationKind::kStroke, {{nan, 0.5F}, {0.5F, 0.5F}}, 0xFF0000FF, 0.004F));
  scene.annotations.push_back(drawing("c2-2", AnnotationKind::kArrow, {{0.5F, 0.5F}}, 0xFF0000FF, 0.004F));
  scene.annotations.push_back(drawing("c2-3", AnnotationKind::kEllipse, {}, 0xFF0000FF, nan));
  scene.annotations.push_back(nullptr);
  QImage picture(320, 180, QImage::Format_ARGB32_Premultiplied);
  picture.fill(Qt::transparent);
  {
    QPainter painter(&picture);
    paint_annotation_scene(painter, scene, QRectF(0, 0, 320, 180));
    paint_annotation_scene(painter, several_shapes(), QRectF(10, 10, 0, 0));
    paint_annotation_scene(painter, several_shapes(),
                           QRectF(0, 0, std::numeric_limits<double>::infinity(), 5));
  }
  for (int y = 0; y < picture.height(); ++y) {
    for (int x = 0; x < picture.width(); ++x) ASSERT_EQ(qAlpha(picture.pixel(x, y)), 0) << x << "," << y;
  }
}

// Counts pixels close to `colour` inside `area` of a picture.
int pixels_of(const QImage& picture, QRect area, QColor colour) {
  int n = 0;
  area = area.intersected(picture.rect());
  for (int y = area.top(); y <= area.bottom(); ++y) {
    for (int x = area.left(); x <= area.right(); ++x) {
      const QColor c = picture.pixelColor(x, y);
      n += std::abs(c.red() - colour.red()) < 40 && std::abs(c.green() - colour.green()) < 40 &&
           std::abs(c.blue() - colour.blue()) < 40;
    }
  }
  return n;
}

// The canvas in a Qt Quick window, its operations recorded with the event time they were sent at.
class CanvasTest : public ::testing::Test {
 protected:
  struct Sent {
    AnnotationOperation op;
    milliseconds at;
  };

  void SetUp() override {
    window_.resize(800, 600);
    canvas_ = new AnnotationCanvas(window_.contentItem());
    canvas_->setSize(QSizeF(800, 600));
    // A 16:9 picture letterboxed in a 4:3 item: bars above and below.
    canvas_->setVideoRect(kVideo);
    canvas_->setAuthor("c2");
    canvas_->setMayDraw(true);
    canvas_->setOperationSink([this](AnnotationOperation op) { sent_.push_back({std::move(op), now_}); });
    canvas_->setShownPicture([] { return core::CaptureTime{milliseconds{123'456}}; });
    window_.show();
  }

  void mouse(QEvent::Type type, QPointF at, milliseconds when, const QPointingDevice* device = nullptr) {
    now_ = when;
    const Qt::MouseButton button = type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton;
    const Qt::MouseButtons held = type == QEvent::MouseButtonRelease ? Qt::NoButton : Qt::LeftButton;
    QMouseEvent event(type, at, at, window_.mapToGlobal(at), button, held, Qt::NoModifier,
                      device != nullptr ? device : QPointingDevice::primaryPointingDevice());
    event.setTimestamp(static_cast<quint64>(when.count()));
    QCoreApplication::sendEvent(&window_, &event);
  }

  // Press at `from`, `moves` moves every `step` to `to`, release there.
  void drag(QPointF from, QPointF to, int moves, milliseconds start, milliseconds step) {
    mouse(QEvent::MouseButtonPress, from, start);
    for (int i = 1; i <= moves; ++i)
      mouse(QEvent::MouseMove, from + (to - from) * (double(i) / moves), start + step * i);
    mouse(QEvent::MouseButtonRelease, to, start + step * moves);
  }

  static NormalisedPoint normalised(QPointF at) {
    return {static_cast<float>((at.x() - kVideo.x()) / kVideo.width()),
            static_cast<float>((at.y() - kVideo.y()) / kVideo.height())};
  }

  template <typename Op>
  std::vector<Sent> only() const {
    std::vector<Sent> out;
    for (const auto& s : sent_) {
      if (std::holds_alternative<Op>(s.op)) out.push_back(s);
    }
    return out;
  }

  static constexpr QRectF kVideo{0, 75, 800, 450};
  QQuickWindow window_;
  AnnotationCanvas* canvas_ = nullptr;  // owned by the window's content item
  std::vector<Sent> sent_;
  milliseconds now_{0};
};

// Runs Qt's events until `done()` holds or `timeout` passes (the canvas's own timer is what is waited for).
template <typename Condition>
bool events_until(Condition done, milliseconds timeout) {
  const QDeadlineTimer deadline(timeout);
  while (!done() && !deadline.hasExpired())
    QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 10);
  return done();
}

void expect_near(NormalisedPoint a, NormalisedPoint b) {
  EXPECT_NEAR(a.x, b.x, 1e-4);
  EXPECT_NEAR(a.y, b.y, 1e-4);
}

TEST_F(CanvasTest, PenDragIsOneBeginExtendsAtMostEvery16MsAndOneCommit) {
  canvas_->setColour(QColor("#76ff03"));
  canvas_->setLineWidth(0.008);
  const QPointF from(100, 200), to(500, 400);
  const milliseconds start{50'000};
  mouse(QEvent::MouseButtonPress, from, start);
  ASSERT_EQ(sent_.size(), 1U);
  ASSERT_TRUE(std::holds_alternative<annotation::Begin>(sent_[0].op));
  const annotation::Begin begin_op = std::get<annotation::Begin>(sent_[0].op);  // a copy: sent_ grows
  const annotation::Begin* begin = &begin_op;
  EXPECT_EQ(begin->draft.id, "c2-1");
  EXPECT_TRUE(annotation::is_drawing_id_of(begin->draft.id, "c2"));
  EXPECT_EQ(begin->draft.author, "c2");
  EXPECT_EQ(begin->draft.kind, AnnotationKind::kStroke);
  EXPECT_EQ(begin->draft.colour_rgba, 0x76FF03FFU);
  EXPECT_FLOAT_EQ(begin->draft.width, 0.008F);
  EXPECT_EQ(begin->draft.reference_capture, core::CaptureTime{milliseconds{123'456}});
  ASSERT_EQ(begin->draft.points.size(), 1U);
  expect_near(begin->draft.points[0], normalised(from));

  // 40 moves 4 ms apart: 160 ms of dragging.
  std::vector<NormalisedPoint> dragged{normalised(from)};
  for (int i = 1; i <= 40; ++i) {
    const QPointF at = from + (to - from) * (i / 40.0);
    mouse(QEvent::MouseMove, at, start + milliseconds{4 * i});
    dragged.push_back(normalised(at));
  }
  const auto while_dragging = only<annotation::Extend>();
  ASSERT_GE(while_dragging.size(), 8U);
  ASSERT_LE(while_dragging.size(), 10U);  // 160 ms / 16 ms
  milliseconds previous = start;
  for (const auto& e : while_dragging) {
    EXPECT_GE(e.at - previous, AnnotationCanvas::kBatchInterval) << "two extends within 16 ms";
    EXPECT_EQ(std::get<annotation::Extend>(e.op).id, "c2-1");
    previous = e.at;
  }

  mouse(QEvent::MouseButtonRelease, to, start + milliseconds{164});
  ASSERT_FALSE(sent_.empty());
  const auto* commit = std::get_if<annotation::Commit>(&sent_.back().op);
  ASSERT_NE(commit, nullptr);
  EXPECT_EQ(commit->id, "c2-1");
  // Every point of the drag arrived, in order (the release is where the last move was: no new point).
  std::vector<NormalisedPoint> proposed = begin->draft.points;
  for (const auto& e : only<annotation::Extend>()) {
    const auto& points = std::get<annotation::Extend>(e.op).points;
    proposed.insert(proposed.end(), points.begin(), points.end());
  }
  ASSERT_EQ(proposed.size(), dragged.size());
  for (std::size_t i = 0; i < proposed.size(); ++i) expect_near(proposed[i], dragged[i]);

  // The next drawing takes the next counter.
  sent_.clear();
  drag({300, 300}, {350, 320}, 5, start + milliseconds{1000}, milliseconds{20});
  ASSERT_FALSE(sent_.empty());
  ASSERT_TRUE(std::holds_alternative<annotation::Begin>(sent_.front().op));
  EXPECT_EQ(std::get<annotation::Begin>(sent_.front().op).draft.id, "c2-2");
}

TEST_F(CanvasTest, PausedDragSendsTheRestOfTheBatchWithoutWaitingForMoreMoves) {
  mouse(QEvent::MouseButtonPress, {100, 200}, milliseconds{1000});
  mouse(QEvent::MouseMove, {120, 210}, milliseconds{1004});
  EXPECT_TRUE(only<annotation::Extend>().empty());
  // The mentor holds still: the batch goes out on the canvas's timer.
  EXPECT_TRUE(events_until([&] { return only<annotation::Extend>().size() == 1U; }, milliseconds{1000}));
  mouse(QEvent::MouseButtonRelease, {120, 210}, milliseconds{1100});
  EXPECT_TRUE(std::holds_alternative<annotation::Commit>(sent_.back().op));
}

TEST_F(CanvasTest, ArrowAndCircleMoveTheirSecondPointAndAStrayClickIsWithdrawn) {
  canvas_->setTool(AnnotationCanvas::Tool::Arrow);
  drag({100, 200}, {400, 300}, 10, milliseconds{1000}, milliseconds{10});
  ASSERT_GE(sent_.size(), 3U);
  const auto& begin = std::get<annotation::Begin>(sent_.front().op);
  EXPECT_EQ(begin.draft.kind, AnnotationKind::kArrow);
  ASSERT_EQ(begin.draft.points.size(), 2U);
  expect_near(begin.draft.points[0], normalised({100, 200}));
  expect_near(begin.draft.points[1], normalised({100, 200}));
  const auto extends = only<annotation::Extend>();
  ASSERT_FALSE(extends.empty());
  for (const auto& e : extends) EXPECT_EQ(std::get<annotation::Extend>(e.op).points.size(), 1U);
  expect_near(std::get<annotation::Extend>(extends.back().op).points.back(), normalised({400, 300}));
  EXPECT_EQ(std::get<annotation::Commit>(sent_.back().op).id, begin.draft.id);

  sent_.clear();
  canvas_->setTool(AnnotationCanvas::Tool::Circle);
  drag({200, 200}, {300, 280}, 4, milliseconds{2000}, milliseconds{20});
  EXPECT_EQ(std::get<annotation::Begin>(sent_.front().op).draft.kind, AnnotationKind::kEllipse);
  EXPECT_TRUE(std::holds_alternative<annotation::Commit>(sent_.back().op));

  sent_.clear();
  drag({200, 200}, {201, 200}, 1, milliseconds{3000}, milliseconds{20});
  ASSERT_EQ(sent_.size(), 4U);  // begin, extend, commit, delete
  const std::string id = std::get<annotation::Begin>(sent_[0].op).draft.id;
  EXPECT_EQ(std::get<annotation::Delete>(sent_[3].op).id, id);
}

TEST_F(CanvasTest, OutsideThePictureOrWithoutThePenNothingIsSentAndDragsStayOnTheFrame) {
  mouse(QEvent::MouseButtonPress, {400, 40}, milliseconds{1000});  // the bar above the picture
  mouse(QEvent::MouseButtonRelease, {400, 40}, milliseconds{1010});
  EXPECT_TRUE(sent_.empty());

  canvas_->setMayDraw(false);
  drag({100, 200}, {400, 300}, 5, milliseconds{2000}, milliseconds{20});
  EXPECT_TRUE(sent_.empty());

  canvas_->setMayDraw(true);
  drag({100, 200}, {900, 700}, 5, milliseconds{3000}, milliseconds{20});  // leaves the picture bottom right
  ASSERT_FALSE(sent_.empty());
  for (const auto& e : only<annotation::Extend>()) {
    for (const NormalisedPoint p : std::get<annotation::Extend>(e.op).points)
      EXPECT_TRUE(annotation::is_on_frame(p));
  }
  const auto extends = only<annotation::Extend>();
  ASSERT_FALSE(extends.empty());
  expect_near(std::get<annotation::Extend>(extends.back().op).points.back(), {1.0F, 1.0F});
}

TEST_F(CanvasTest, PointerSendsThrottledPointerOperationsAndNoDrawing) {
  canvas_->setTool(AnnotationCanvas::Tool::Pointer);
  canvas_->setColour(QColor("#00e5ff"));
  drag({100, 200}, {500, 300}, 50, milliseconds{1000}, milliseconds{2});
  const auto pointers = only<annotation::Pointer>();
  ASSERT_EQ(pointers.size(), sent_.size()) << "a pointer begins, extends or commits nothing";
  ASSERT_GE(pointers.size(), 6U);
  for (std::size_t i = 1; i + 1 < pointers.size(); ++i) {  // the last one is the release's
    EXPECT_GE(pointers[i].at - pointers[i - 1].at, AnnotationCanvas::kBatchInterval);
  }
  const auto& last = std::get<annotation::Pointer>(pointers.back().op);
  expect_near(last.position, normalised({500, 300}));
  EXPECT_EQ(last.colour_rgba, 0x00E5FFFFU);
  EXPECT_EQ(last.reference_capture, core::CaptureTime{milliseconds{123'456}});
}

TEST_F(CanvasTest, LabelClickWaitsForTheTextThenBeginsAndCommitsOneLine) {
  canvas_->setTool(AnnotationCanvas::Tool::Label);
  mouse(QEvent::MouseButtonPress, {200, 300}, milliseconds{1000});
  mouse(QEvent::MouseButtonRelease, {200, 300}, milliseconds{1050});
  EXPECT_TRUE(sent_.empty());
  ASSERT_TRUE(canvas_->labelPending());
  EXPECT_EQ(canvas_->labelPosition(), QPointF(200, 300));
  canvas_->placeLabel("  gall\nbladder \t ");
  EXPECT_FALSE(canvas_->labelPending());
  ASSERT_EQ(sent_.size(), 2U);
  const auto& begin = std::get<annotation::Begin>(sent_[0].op);
  EXPECT_EQ(begin.draft.kind, AnnotationKind::kLabel);
  EXPECT_EQ(begin.draft.text, "gall bladder");
  ASSERT_EQ(begin.draft.points.size(), 1U);
  expect_near(begin.draft.points[0], normalised({200, 300}));
  EXPECT_EQ(std::get<annotation::Commit>(sent_[1].op).id, begin.draft.id);

  sent_.clear();
  mouse(QEvent::MouseButtonPress, {200, 300}, milliseconds{2000});
  canvas_->placeLabel("   ");
  EXPECT_TRUE(sent_.empty());
  EXPECT_FALSE(canvas_->labelPending());
  // Longer than the sender takes: cut to its limit rather than refused.
  mouse(QEvent::MouseButtonPress, {200, 300}, milliseconds{3000});
  canvas_->placeLabel(QString(300, QChar('x')));
  ASSERT_EQ(sent_.size(), 2U);
  EXPECT_EQ(std::get<annotation::Begin>(sent_[0].op).draft.text.size(), 120U);
}

TEST_F(CanvasTest, IdsSkipTheCountersAlreadyInTheSceneAndOwnDrawingsEnableUndo) {
  EXPECT_FALSE(canvas_->hasOwnAnnotations());
  auto scene = std::make_shared<annotation::Scene>();
  scene->version = 9;
  scene->annotations.push_back(drawing("c2-7", AnnotationKind::kStroke, {{0.5F, 0.5F}}, 0xFF0000FF, 0.004F));
  auto other = std::make_shared<Annotation>(
      *drawing("c3-40", AnnotationKind::kStroke, {{0.5F, 0.5F}}, 0xFF0000FF, 0.004F));
  other->author = "c3";
  scene->annotations.push_back(other);
  canvas_->setScene(scene);
  EXPECT_TRUE(canvas_->hasOwnAnnotations());
  drag({100, 200}, {200, 250}, 3, milliseconds{1000}, milliseconds{20});
  ASSERT_FALSE(sent_.empty());
  EXPECT_EQ(std::get<annotation::Begin>(sent_.front().op).draft.id, "c2-8");

  sent_.clear();
  canvas_->undo();
  canvas_->clearMine();
  ASSERT_EQ(sent_.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<annotation::Undo>(sent_[0].op));
  EXPECT_EQ(std::get<annotation::Clear>(sent_[1].op).scope, annotation::ClearScope::kMine);
}

TEST_F(CanvasTest, TouchDragDraws) {
  // Owned here: Qt registers the device but never deletes it.
  const std::unique_ptr<QPointingDevice> touch_screen(QTest::createTouchDevice());
  QPointingDevice* screen = touch_screen.get();
  QTest::touchEvent(&window_, screen).press(0, QPoint(100, 200));
  for (int i = 1; i <= 10; ++i)
    QTest::touchEvent(&window_, screen).move(0, QPoint(100 + 20 * i, 200 + 5 * i));
  QTest::touchEvent(&window_, screen).release(0, QPoint(300, 250));
  QCoreApplication::processEvents();
  ASSERT_GE(sent_.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<annotation::Begin>(sent_.front().op));
  EXPECT_FALSE(only<annotation::Extend>().empty());
  EXPECT_TRUE(std::holds_alternative<annotation::Commit>(sent_.back().op));
}

TEST_F(CanvasTest, StylusDragDrawsThroughTheMouseEventsQtMakesForIt) {
  const QPointingDevice stylus("test stylus", 77, QInputDevice::DeviceType::Stylus,
                               QPointingDevice::PointerType::Pen,
                               QInputDevice::Capability::Position | QInputDevice::Capability::Pressure, 1, 3);
  // What QGuiApplication does with a tablet event: offer it to the window, and when nothing in the scene
  // accepts it, send the same stroke as mouse events from the stylus.
  const auto tablet =
      [&](QEvent::Type tablet_type, QEvent::Type mouse_type, QPointF at, milliseconds when) {
        const Qt::MouseButtons held = tablet_type == QEvent::TabletRelease ? Qt::NoButton : Qt::LeftButton;
        QTabletEvent event(tablet_type, &stylus, at, window_.mapToGlobal(at), 0.5, 0, 0, 0, 0, 0,
                           Qt::NoModifier, tablet_type == QEvent::TabletMove ? Qt::NoButton : Qt::LeftButton,
                           held);
        event.setTimestamp(static_cast<quint64>(when.count()));
        event.setAccepted(false);
        QCoreApplication::sendEvent(&window_, &event);
        EXPECT_FALSE(event.isAccepted())
            << "the scene took the tablet event: Qt would not make mouse events of it";
        mouse(mouse_type, at, when, &stylus);
      };
  tablet(QEvent::TabletPress, QEvent::MouseButtonPress, {100, 200}, milliseconds{1000});
  for (int i = 1; i <= 10; ++i)
    tablet(QEvent::TabletMove, QEvent::MouseMove, {100.0 + 20 * i, 200.0 + 5 * i},
           milliseconds{1000 + 10 * i});
  tablet(QEvent::TabletRelease, QEvent::MouseButtonRelease, {300, 250}, milliseconds{1110});
  ASSERT_GE(sent_.size(), 2U);
  EXPECT_TRUE(std::holds_alternative<annotation::Begin>(sent_.front().op));
  EXPECT_FALSE(only<annotation::Extend>().empty());
  EXPECT_TRUE(std::holds_alternative<annotation::Commit>(sent_.back().op));
}

TEST_F(CanvasTest, DrawsTheSceneOverThePictureOnlyWithTheSoftwareRenderer) {
  ASSERT_EQ(window_.rendererInterface()->graphicsApi(), QSGRendererInterface::Software);
  auto scene = std::make_shared<annotation::Scene>();
  scene->annotations.push_back(
      drawing("c2-1", AnnotationKind::kStroke, {{0.0F, 0.5F}, {1.0F, 0.5F}}, 0x76FF03FF, 0.02F));
  canvas_->setScene(scene);
  const QColor green("#76ff03");
  const QImage with_stroke = window_.grabWindow();
  ASSERT_FALSE(with_stroke.isNull());
  // Across the whole picture at its middle height (y = 75 + 225), nothing in the bars.
  EXPECT_GT(pixels_of(with_stroke, QRect(0, 290, 800, 20), green), 800 * 4);
  EXPECT_EQ(pixels_of(with_stroke, QRect(0, 0, 800, 75), green), 0);
  EXPECT_EQ(pixels_of(with_stroke, QRect(0, 525, 800, 75), green), 0);

  canvas_->setScene(std::make_shared<annotation::Scene>());
  EXPECT_EQ(pixels_of(window_.grabWindow(), QRect(0, 0, 800, 600), green), 0) << "the old scene stayed";
}

}  // namespace
}  // namespace surgilink::console
