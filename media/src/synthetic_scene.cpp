#include "surgilink/media/synthetic_scene.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace surgilink::media {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr int kMinSize = 64;
constexpr int kMaxSize = 8192;
// The tissue texture is this much larger than the frame, so panning and zooming never show its edge.
constexpr double kTextureScale = 1.6;
// Zoom oscillates between kZoomMid - kZoomSwing and kZoomMid + kZoomSwing (1.0 .. 1.15); never below 1, so
// the visible tissue is never wider than the frame.
constexpr double kZoomMid = 1.075;
constexpr double kZoomSwing = 0.075;
// Sub-pixel precision of the drawing calls (coordinates in 1/16 px).
constexpr int kDrawShift = 4;
constexpr double kDrawOne = 1 << kDrawShift;

double seconds(std::chrono::nanoseconds t) { return std::chrono::duration<double>(t).count(); }

// SplitMix64: derives independent, well-mixed substream seeds so each part of the scene has its own generator
// and changing one part never reshuffles the others.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return z == 0 ? 1 : z;  // cv::RNG treats a zero state specially
}

// Rescales to zero mean and unit standard deviation, so octave weights mean the same thing at every size.
void normalize_unit(cv::Mat& m) {
  cv::Scalar mean;
  cv::Scalar stddev;
  cv::meanStdDev(m, mean, stddev);
  m.convertTo(m, CV_32F, 1.0 / std::max(stddev[0], 1e-6), -mean[0] / std::max(stddev[0], 1e-6));
}

// Smooth value noise with features about `cell_px` apart: a coarse random grid upsampled bicubically.
cv::Mat smooth_noise(cv::RNG& rng, cv::Size size, double cell_px) {
  const int cols = std::max(2, static_cast<int>(std::ceil(size.width / cell_px)) + 1);
  const int rows = std::max(2, static_cast<int>(std::ceil(size.height / cell_px)) + 1);
  cv::Mat coarse(rows, cols, CV_32F);
  rng.fill(coarse, cv::RNG::NORMAL, 0.0, 1.0);
  cv::Mat fine;
  cv::resize(coarse, fine, size, 0, 0, cv::INTER_CUBIC);
  normalize_unit(fine);
  return fine;
}

// Dark, branching vessels as a coverage mask in [0, 1].
cv::Mat vessel_mask(cv::RNG& rng, cv::Size size, double scale) {
  struct Branch {
    cv::Point2d p;
    double angle;
    double width;
    double length;
    int depth;
  };
  cv::Mat mask = cv::Mat::zeros(size, CV_8UC1);
  std::vector<Branch> pending;
  const int roots = 7 + rng.uniform(0, 4);
  for (int i = 0; i < roots; ++i) {
    pending.push_back(Branch{cv::Point2d(rng.uniform(0.0, static_cast<double>(size.width)),
                                         rng.uniform(0.0, static_cast<double>(size.height))),
                             rng.uniform(0.0, kTwoPi), scale * rng.uniform(9.0, 16.0),
                             scale * rng.uniform(900.0, 1600.0), 0});
  }
  const double step = std::max(2.0, 6.0 * scale);
  const double min_width = std::max(1.0, 1.5 * scale);
  constexpr double kSubpixel = 8.0;  // cv::line with shift 3
  while (!pending.empty()) {
    Branch b = pending.back();
    pending.pop_back();
    double turn = rng.gaussian(0.01);
    while (b.length > 0 && b.width >= min_width) {
      // A slowly drifting turn rate gives gently meandering rather than jittery vessels.
      turn = std::clamp(turn + rng.gaussian(0.004), -0.025, 0.025);
      b.angle += turn + rng.gaussian(0.035);
      const cv::Point2d q = b.p + step * cv::Point2d(std::cos(b.angle), std::sin(b.angle));
      cv::line(mask, cv::Point(cvRound(b.p.x * kSubpixel), cvRound(b.p.y * kSubpixel)),
               cv::Point(cvRound(q.x * kSubpixel), cvRound(q.y * kSubpixel)), cv::Scalar(255),
               std::max(1, cvRound(b.width)), cv::LINE_AA, 3);
      b.p = q;
      b.length -= step;
      b.width *= 0.9985;
      if (b.depth < 3 && b.width > 2.5 * scale && rng.uniform(0.0, 1.0) < 0.03) {
        const double side = rng.uniform(0, 2) == 0 ? -1.0 : 1.0;
        pending.push_back(Branch{b.p, b.angle + side * rng.uniform(0.5, 1.0),
                                 b.width * rng.uniform(0.45, 0.7), b.length * rng.uniform(0.4, 0.8),
                                 b.depth + 1});
        b.width *= 0.88;
      }
    }
  }
  cv::GaussianBlur(mask, mask, cv::Size(), 0.5 + 0.8 * scale);
  cv::Mat result;
  mask.convertTo(result, CV_32F, 1.0 / 255.0);
  return result;
}

// Small clusters of bright specular spots (wet tissue reflecting the scope's light), as a mask in [0, 1].
cv::Mat highlight_mask(cv::RNG& rng, cv::Size size, double scale) {
  cv::Mat mask = cv::Mat::zeros(size, CV_8UC1);
  const double spacing = 260.0 * scale;
  const int clusters = std::max(4, cvRound(size.area() / (spacing * spacing)));
  for (int i = 0; i < clusters; ++i) {
    const cv::Point2d centre(rng.uniform(0.0, static_cast<double>(size.width)),
                             rng.uniform(0.0, static_cast<double>(size.height)));
    const int spots = 1 + rng.uniform(0, 5);
    for (int s = 0; s < spots; ++s) {
      const cv::Point2d p = centre + cv::Point2d(rng.gaussian(12.0 * scale), rng.gaussian(8.0 * scale));
      const double radius = std::max(1.0, scale * rng.uniform(1.5, s == 0 ? 8.0 : 4.0));
      const cv::Size axes(std::max(1, cvRound(radius * 1.6 * kDrawOne)),
                          std::max(1, cvRound(radius * kDrawOne)));
      cv::ellipse(mask, cv::Point(cvRound(p.x * kDrawOne), cvRound(p.y * kDrawOne)), axes,
                  rng.uniform(0.0, 180.0), 0, 360, cv::Scalar(255), cv::FILLED, cv::LINE_AA, kDrawShift);
    }
  }
  cv::GaussianBlur(mask, mask, cv::Size(), 0.4 + 1.2 * scale);
  cv::Mat result;
  mask.convertTo(result, CV_32F, 1.0 / 255.0);
  return result;
}

// Fills a convex polygon given in luma coordinates; `scale` and `offset` map them to the plane (chroma: 0.5
// and -0.25). Every shape is drawn this way, with points on the stack: cv::circle and thick anti-aliased
// cv::line build temporary vectors on each call.
template <std::size_t N>
void fill_polygon(cv::Mat& plane, const std::array<cv::Point2d, N>& polygon, double scale, double offset,
                  double value, int line_type) {
  std::array<cv::Point, N> pts;
  for (std::size_t i = 0; i < N; ++i) {
    pts[i] = cv::Point(cvRound((polygon[i].x * scale + offset) * kDrawOne),
                       cvRound((polygon[i].y * scale + offset) * kDrawOne));
  }
  cv::fillConvexPoly(plane, pts.data(), static_cast<int>(N), cv::Scalar(value), line_type, kDrawShift);
}

// One bilinear tap along an axis: reads src[index] and src[index + 1], weighting the second by weight/256.
// Positions outside the source clamp to its edge (replicated border), and index + 1 never passes the end.
struct Tap {
  int index;
  int weight;
};

Tap axis_tap(double position, int source_length) {
  if (!(position > 0)) return {0, 0};  // also catches NaN
  if (position >= source_length - 1) return {source_length - 2, 256};
  const int index = static_cast<int>(position);
  const int weight = static_cast<int>(std::lround((position - index) * 256));
  if (weight < 256) return {index, weight};
  return index + 1 <= source_length - 2 ? Tap{index + 1, 0} : Tap{source_length - 2, 256};
}

// out = (upper * (256 - weight) + lower * weight) / 256, rounded: the work of both resampling passes. Written
// in fixed 32-pixel chunks so that GCC vectorises it at -O2 (its "very cheap" cost model only vectorises
// loops without a scalar remainder). Not instrumented by ThreadSanitizer: a check per byte made this kernel
// 80 % of a TSan run, and the pixels it writes reach other threads only through GStreamer, whose hand-over
// TSan cannot see (tests/tsan.supp).
__attribute__((no_sanitize("thread"))) void blend_rows(const std::uint8_t* __restrict upper,
                                                       const std::uint8_t* __restrict lower, int weight,
                                                       int count, std::uint8_t* __restrict out) {
  const auto upper_weight = static_cast<std::uint16_t>(256 - weight);
  const auto lower_weight = static_cast<std::uint16_t>(weight);
  constexpr int kChunk = 32;
  const int chunked = count - count % kChunk;
  for (int x = 0; x < chunked; x += kChunk) {
    for (int k = x; k < x + kChunk; ++k) {
      // At most 255 * 256 + 128: fits 16 bits, which keeps the vector lanes narrow.
      const auto sum = static_cast<std::uint16_t>(upper[k] * upper_weight + lower[k] * lower_weight + 128);
      out[k] = static_cast<std::uint8_t>(sum >> 8);
    }
  }
  for (int k = chunked; k < count; ++k) {
    out[k] = static_cast<std::uint8_t>((upper[k] * upper_weight + lower[k] * lower_weight + 128) >> 8);
  }
}

cv::Point2d rotate(const cv::Point2d& d, double angle) {
  const double c = std::cos(angle);
  const double s = std::sin(angle);
  return {c * d.x - s * d.y, s * d.x + c * d.y};
}

}  // namespace

SyntheticScene::SyntheticScene(int width, int height, std::uint64_t seed) : width_(width), height_(height) {
  if (width < kMinSize || height < kMinSize || width > kMaxSize || height > kMaxSize || width % 2 != 0 ||
      height % 2 != 0) {
    throw std::invalid_argument("SyntheticScene: width and height must be even and in [64, 8192], got " +
                                std::to_string(width) + "x" + std::to_string(height));
  }
  texture_width_ = 2 * cvRound(kTextureScale * width / 2.0);
  texture_height_ = 2 * cvRound(kTextureScale * height / 2.0);

  cv::RNG motion_rng(mix_seed(seed, 1));
  auto wave = [&motion_rng](double amplitude, double period_s) {
    return Wave{amplitude, kTwoPi / (period_s * motion_rng.uniform(0.9, 1.1)),
                motion_rng.uniform(0.0, kTwoPi)};
  };
  // Pan amplitudes sum to 0.25 of the frame; the 1.6x texture leaves 0.3 of margin per side and zoom is never
  // below 1, so the view stays on the tissue. The periods give a mean pan speed of ~0.078 frame widths per
  // second (~150 px/s at 1080p).
  pan_x_ = {wave(0.17 * width, 17.0), wave(0.08 * width, 7.3)};
  pan_y_ = {wave(0.17 * height, 13.0), wave(0.08 * height, 5.9)};
  zoom_wave_ = wave(kZoomSwing, 23.0);

  cv::RNG tool_rng(mix_seed(seed, 2));
  auto tool_wave = [&tool_rng](double amplitude, double period_s) {
    return Wave{amplitude, kTwoPi / (period_s * tool_rng.uniform(0.85, 1.15)), tool_rng.uniform(0.0, kTwoPi)};
  };
  // One instrument from the lower left, one from the right, each roaming its half of the field.
  instruments_[0] = InstrumentPath{-0.05,
                                   0.80,
                                   tool_wave(0.06, 11.0),
                                   0.36,
                                   0.50,
                                   {tool_wave(0.10, 9.1), tool_wave(0.04, 3.7)},
                                   {tool_wave(0.12, 7.3), tool_wave(0.05, 4.1)},
                                   tool_wave(1.0, 2.7)};
  instruments_[1] = InstrumentPath{1.05,
                                   0.72,
                                   tool_wave(0.07, 12.5),
                                   0.64,
                                   0.55,
                                   {tool_wave(0.10, 8.3), tool_wave(0.04, 3.3)},
                                   {tool_wave(0.12, 6.7), tool_wave(0.05, 4.6)},
                                   tool_wave(1.0, 3.4)};

  build_tissue_texture(seed);

  // With zoom >= 1 an output plane of n rows needs at most n + 1 source rows; one more absorbs rounding.
  auto size_scratch = [](ResampleScratch& scratch, int columns, int rows) {
    scratch.max_source_rows = rows + 2;
    scratch.columns.resize(static_cast<std::size_t>(columns) *
                           static_cast<std::size_t>(scratch.max_source_rows));
    scratch.rows.resize(scratch.columns.size());
  };
  size_scratch(luma_scratch_, width_, height_);
  size_scratch(chroma_scratch_, width_ / 2, height_ / 2);
}

void SyntheticScene::build_tissue_texture(std::uint64_t seed) {
  const cv::Size size(texture_width_, texture_height_);
  // Feature sizes are tuned at 1080p and scaled so every resolution shows the same picture.
  const double scale = width_ / 1920.0;
  cv::RNG rng(mix_seed(seed, 3));

  cv::Mat coarse = smooth_noise(rng, size, 400.0 * scale);
  cv::Mat medium = smooth_noise(rng, size, 120.0 * scale);
  cv::Mat small = smooth_noise(rng, size, 40.0 * scale);

  // Fake relief lighting: the gradient of a height field lit from the upper left gives the surface some bulk.
  cv::Mat shade;
  {
    const cv::Mat height_field = 0.6 * coarse + 0.3 * medium + 0.1 * small;
    cv::Mat gx;
    cv::Mat gy;
    cv::Sobel(height_field, gx, CV_32F, 1, 0, 3);
    cv::Sobel(height_field, gy, CV_32F, 0, 1, 3);
    shade = -(gx + gy);
    normalize_unit(shade);
  }

  // Fine grain: per-pixel noise, lightly blurred so it survives as texture rather than sensor noise.
  cv::Mat grain(size, CV_32F);
  rng.fill(grain, cv::RNG::NORMAL, 0.0, 1.0);
  cv::GaussianBlur(grain, grain, cv::Size(), 0.4 + 0.8 * scale);
  normalize_unit(grain);

  // Creases: soft dark grooves along the zero crossings of a mid-scale noise field, faded in and out by a
  // coarse one so that they do not cover the surface like contour lines.
  cv::Mat folds = smooth_noise(rng, size, 110.0 * scale);
  folds = folds.mul(folds) * (-1.0 / (0.22 * 0.22));
  cv::exp(folds, folds);
  {
    cv::Mat presence = smooth_noise(rng, size, 500.0 * scale) * 0.8 + 0.2;
    cv::threshold(presence, presence, 1.0, 1.0, cv::THRESH_TRUNC);
    cv::threshold(presence, presence, 0.0, 0.0, cv::THRESH_TOZERO);
    folds = folds.mul(presence);
  }

  cv::Mat lightness = 0.80 + 0.09 * coarse + 0.05 * medium + 0.03 * small + 0.035 * grain - 0.16 * folds;
  lightness = lightness.mul(1.0 + 0.10 * shade);
  coarse.release();
  medium.release();
  small.release();
  grain.release();
  folds.release();
  shade.release();

  const cv::Mat hue = smooth_noise(rng, size, 250.0 * scale);
  cv::Mat fat = smooth_noise(rng, size, 350.0 * scale);
  fat = (fat - 0.8) * 1.5;
  cv::threshold(fat, fat, 1.0, 1.0, cv::THRESH_TRUNC);
  cv::threshold(fat, fat, 0.0, 0.0, cv::THRESH_TOZERO);
  fat *= 0.7;
  const cv::Mat vessels = vessel_mask(rng, size, scale) * 0.85;
  const cv::Mat highlights = highlight_mask(rng, size, scale) * 0.95;

  // BGR, 0..255: pinkish-red tissue, yellowish fat, darker purple-red vessels, near-white speculars.
  constexpr std::array<double, 3> kTissue = {88.0, 78.0, 196.0};
  constexpr std::array<double, 3> kTissueHueSwing = {14.0, 8.0, -12.0};
  constexpr std::array<double, 3> kFat = {140.0, 200.0, 235.0};
  constexpr std::array<double, 3> kVessel = {72.0, 38.0, 122.0};
  constexpr std::array<double, 3> kSpecular = {250.0, 250.0, 255.0};
  std::array<cv::Mat, 3> channels;
  for (std::size_t c = 0; c < 3; ++c) {
    cv::Mat value = (kTissue[c] + kTissueHueSwing[c] * hue).mul(lightness);
    value = value.mul(1.0 - fat) + (kFat[c] * fat).mul(lightness);
    value = value.mul(1.0 - vessels) + (kVessel[c] * vessels).mul(lightness);
    value = value + (kSpecular[c] - value).mul(highlights);
    value.convertTo(channels[c], CV_8U);
  }
  cv::Mat bgr;
  cv::merge(channels.data(), channels.size(), bgr);

  // OpenCV's I420 conversion averages 2x2 blocks, i.e. centre-sited chroma, which render() assumes.
  cv::Mat i420;
  cv::cvtColor(bgr, i420, cv::COLOR_BGR2YUV_I420);
  const int w = texture_width_;
  const int h = texture_height_;
  std::uint8_t* chroma = i420.ptr<std::uint8_t>(h);
  cv::transpose(i420.rowRange(0, h), texture_y_t_);
  cv::transpose(cv::Mat(h / 2, w / 2, CV_8UC1, chroma), texture_u_t_);
  cv::transpose(cv::Mat(h / 2, w / 2, CV_8UC1, chroma + (w / 2) * (h / 2)), texture_v_t_);
}

void SyntheticScene::resample_plane(const cv::Mat& src_transposed, double inverse_zoom, double offset_x,
                                    double offset_y, ResampleScratch& scratch, cv::Mat& dst) {
  const int source_width = src_transposed.rows;
  const int source_height = src_transposed.cols;
  const int first_row = axis_tap(offset_y, source_height).index;
  const int last_row = axis_tap(offset_y + inverse_zoom * (dst.rows - 1), source_height).index + 1;
  const int span = std::min(last_row - first_row + 1, scratch.max_source_rows);

  // Pass 1, horizontal: output column x from two texture columns, i.e. two rows of the transposed texture.
  cv::Mat columns(dst.cols, span, CV_8UC1, scratch.columns.data());
  for (int x = 0; x < dst.cols; ++x) {
    const Tap tap = axis_tap(offset_x + inverse_zoom * x, source_width);
    blend_rows(src_transposed.ptr<std::uint8_t>(tap.index) + first_row,
               src_transposed.ptr<std::uint8_t>(tap.index + 1) + first_row, tap.weight, span,
               columns.ptr<std::uint8_t>(x));
  }
  // Back to row order; `rows` has exactly the target size, so transpose writes into the scratch in place.
  cv::Mat rows(span, dst.cols, CV_8UC1, scratch.rows.data());
  cv::transpose(columns, rows);

  // Pass 2, vertical: output row y from two intermediate rows.
  for (int y = 0; y < dst.rows; ++y) {
    const Tap tap = axis_tap(offset_y + inverse_zoom * y, source_height);
    const int row = std::clamp(tap.index - first_row, 0, span - 2);
    blend_rows(rows.ptr<std::uint8_t>(row), rows.ptr<std::uint8_t>(row + 1), tap.weight, dst.cols,
               dst.ptr<std::uint8_t>(y));
  }
}

double SyntheticScene::sum_waves(std::span<const Wave> waves, double t_s) noexcept {
  double sum = 0;
  for (const Wave& w : waves) sum += w.amplitude * std::sin(w.omega * t_s + w.phase);
  return sum;
}

CameraPose SyntheticScene::camera_at(std::chrono::nanoseconds t) const noexcept {
  const double t_s = seconds(t);
  return CameraPose{(texture_width_ - 1) / 2.0 + sum_waves(pan_x_, t_s),
                    (texture_height_ - 1) / 2.0 + sum_waves(pan_y_, t_s),
                    kZoomMid + sum_waves(std::span<const Wave>(&zoom_wave_, 1), t_s)};
}

cv::Matx23d SyntheticScene::tissue_motion(std::chrono::nanoseconds from,
                                          std::chrono::nanoseconds to) const noexcept {
  // From frame = zoom * (tissue - center) + frame_center at both times, with s = zoom_to / zoom_from:
  //   frame_to = s * frame_from + frame_center * (1 - s) + zoom_to * (center_from - center_to).
  const CameraPose a = camera_at(from);
  const CameraPose b = camera_at(to);
  const double s = b.zoom / a.zoom;
  const double fcx = (width_ - 1) / 2.0;
  const double fcy = (height_ - 1) / 2.0;
  return cv::Matx23d(s, 0, fcx * (1 - s) + b.zoom * (a.center_x - b.center_x),  //
                     0, s, fcy * (1 - s) + b.zoom * (a.center_y - b.center_y));
}

bool SyntheticScene::render(std::chrono::nanoseconds t, std::span<std::uint8_t> i420) noexcept {
  if (i420.size() != frame_bytes()) return false;
  try {
    const std::size_t luma_size = static_cast<std::size_t>(width_) * height_;
    const std::size_t chroma_size = luma_size / 4;
    // Headers over the caller's buffer: the planes are rendered in place, without a copy.
    cv::Mat y(height_, width_, CV_8UC1, i420.data());
    cv::Mat u(height_ / 2, width_ / 2, CV_8UC1, i420.data() + luma_size);
    cv::Mat v(height_ / 2, width_ / 2, CV_8UC1, i420.data() + luma_size + chroma_size);

    // Inverse maps (frame pixel -> texture pixel). Chroma sample (u, v) sits at luma (2u + 0.5, 2v + 0.5), in
    // the frame and in the texture alike; the resampler's bilinear filter matches cv::warpAffine to +-1.
    const CameraPose pose = camera_at(t);
    const double inv = 1.0 / pose.zoom;
    const double fcx = (width_ - 1) / 2.0;
    const double fcy = (height_ - 1) / 2.0;
    resample_plane(texture_y_t_, inv, pose.center_x - fcx * inv, pose.center_y - fcy * inv, luma_scratch_, y);
    const double chroma_x = ((0.5 - fcx) * inv + pose.center_x - 0.5) / 2.0;
    const double chroma_y = ((0.5 - fcy) * inv + pose.center_y - 0.5) / 2.0;
    resample_plane(texture_u_t_, inv, chroma_x, chroma_y, chroma_scratch_, u);
    resample_plane(texture_v_t_, inv, chroma_x, chroma_y, chroma_scratch_, v);

    const double t_s = seconds(t);
    for (const InstrumentPath& path : instruments_) draw_instrument(path, t_s, y, u, v);
    return true;
  } catch (...) {
    return false;
  }
}

void SyntheticScene::draw_instrument(const InstrumentPath& path, double t_s, cv::Mat& y, cv::Mat& u,
                                     cv::Mat& v) const {
  const double w = width_;
  const double h = height_;
  const double scale = w / 1920.0;
  const cv::Point2d entry(path.entry_x * w,
                          (path.entry_y + sum_waves(std::span(&path.entry_sway, 1), t_s)) * h);
  const cv::Point2d tip((path.tip_x + sum_waves(path.tip_dx, t_s)) * w,
                        (path.tip_y + sum_waves(path.tip_dy, t_s)) * h);
  cv::Point2d dir = tip - entry;
  const double length = std::max(1.0, std::hypot(dir.x, dir.y));
  dir *= 1.0 / length;
  const cv::Point2d normal(-dir.y, dir.x);

  // The shaft widens towards the entry port (closer to the lens) and runs on well past the frame edge.
  const double tip_half = 26.0 * scale;
  const double widening = 14.0 * scale / (0.4 * w);
  const double tail_length = length + 0.4 * w;
  const cv::Point2d tail = tip - dir * tail_length;
  const double tail_half = tip_half + widening * tail_length;
  auto band = [&](double lo, double hi) {
    return std::array<cv::Point2d, 4>{tail + normal * (tail_half * lo), tail + normal * (tail_half * hi),
                                      tip + normal * (tip_half * hi), tip + normal * (tip_half * lo)};
  };

  // Metallic cylinder: nested bands closing in on an off-centre specular stripe, dark at the rims.
  constexpr int kShaftBands = 9;
  constexpr double kStripe = -0.3;
  constexpr double kMetalU = 126;
  constexpr double kMetalV = 132;  // a faint warm cast: the metal reflects the surrounding tissue
  for (int k = 0; k < kShaftBands; ++k) {
    const double f = static_cast<double>(k) / (kShaftBands - 1);
    const double lo = -1.0 + (kStripe + 1.0) * f * 0.9;
    const double hi = 1.0 - (1.0 - kStripe) * f * 0.9;
    fill_polygon(y, band(lo, hi), 1.0, 0.0, 55.0 + 180.0 * f * f, cv::LINE_AA);
  }
  fill_polygon(u, band(-1, 1), 0.5, -0.25, kMetalU, cv::LINE_8);
  fill_polygon(v, band(-1, 1), 0.5, -0.25, kMetalV, cv::LINE_8);

  // Dark insulated collar just behind the jaws.
  const double collar = 22.0 * scale;
  const std::array<cv::Point2d, 4> collar_quad = {tip - dir * collar - normal * tip_half,
                                                  tip - dir * collar + normal * tip_half,
                                                  tip + normal * tip_half, tip - normal * tip_half};
  fill_polygon(y, collar_quad, 1.0, 0.0, 40, cv::LINE_AA);
  fill_polygon(u, collar_quad, 0.5, -0.25, 128, cv::LINE_8);
  fill_polygon(v, collar_quad, 0.5, -0.25, 129, cv::LINE_8);

  // Two jaws opening and closing around the tip.
  const double opening = 0.10 + 0.22 * (0.5 + 0.5 * sum_waves(std::span(&path.jaw, 1), t_s));
  const double jaw_length = 85.0 * scale;
  for (const double side : {-1.0, 1.0}) {
    const cv::Point2d jaw_dir = rotate(dir, side * opening);
    const cv::Point2d jaw_normal(-jaw_dir.y, jaw_dir.x);
    const cv::Point2d base = tip + normal * (side * 0.38 * tip_half);
    const cv::Point2d end = base + jaw_dir * jaw_length;
    const std::array<cv::Point2d, 4> jaw = {
        base - jaw_normal * (0.32 * tip_half), base + jaw_normal * (0.32 * tip_half),
        end + jaw_normal * (0.12 * tip_half), end - jaw_normal * (0.12 * tip_half)};
    fill_polygon(y, jaw, 1.0, 0.0, 125, cv::LINE_AA);
    fill_polygon(u, jaw, 0.5, -0.25, kMetalU, cv::LINE_8);
    fill_polygon(v, jaw, 0.5, -0.25, kMetalV, cv::LINE_8);
    // A thin glint along the jaw.
    const cv::Point2d glint_a = base - jaw_normal * (0.1 * tip_half) + jaw_dir * (0.15 * jaw_length);
    const cv::Point2d glint_b = base - jaw_normal * (0.05 * tip_half) + jaw_dir * (0.8 * jaw_length);
    const cv::Point2d glint_half = jaw_normal * std::max(0.6, 1.5 * scale);
    fill_polygon(
        y, std::array{glint_a - glint_half, glint_a + glint_half, glint_b + glint_half, glint_b - glint_half},
        1.0, 0.0, 215, cv::LINE_AA);
  }
  // The hinge pin, a 12-gon.
  std::array<cv::Point2d, 12> pin;
  for (std::size_t i = 0; i < pin.size(); ++i) {
    const double angle = kTwoPi * static_cast<double>(i) / static_cast<double>(pin.size());
    pin[i] = tip + 0.45 * tip_half * cv::Point2d(std::cos(angle), std::sin(angle));
  }
  fill_polygon(y, pin, 1.0, 0.0, 150, cv::LINE_AA);
}

}  // namespace surgilink::media
