#pragma once
// A deterministic, OpenCV-generated laparoscopic operative scene, used as a video source instead of a camera.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

namespace surgilink::media {

// Where the virtual laparoscope looks: frame_px = zoom * (tissue_px - center) + frame_center, where tissue_px
// are tissue-texture pixel coordinates and frame_center = ((width - 1) / 2, (height - 1) / 2) (OpenCV pixel
// centres at integer coordinates).
struct CameraPose {
  double center_x;
  double center_y;
  double zoom;
};

// Renders textured tissue with vessels and specular highlights, seen through a slowly panning and zooming
// laparoscope, with two surgical instruments moving on their own paths. Everything follows from the seed and
// the scene time. One thread at a time per instance.
class SyntheticScene {
 public:
  // Builds the tissue textures once (under 2 s at 1080p). Throws std::invalid_argument unless width and
  // height are even and within [64, 8192].
  SyntheticScene(int width, int height, std::uint64_t seed);

  // Renders the picture at scene time t (time since the scene started) into a tightly packed I420 buffer.
  // Returns false without touching it if its size is not width*height*3/2. Never throws. About 3 ms at 1080p
  // on one core.
  bool render(std::chrono::nanoseconds t, std::span<std::uint8_t> i420) noexcept;

  CameraPose camera_at(std::chrono::nanoseconds t) const noexcept;

  // Exact motion of static tissue in the image between two scene times: a 2x3 affine matrix mapping a frame
  // pixel (x, y) at time `from` to where the same tissue point is in the frame at time `to`.
  cv::Matx23d tissue_motion(std::chrono::nanoseconds from, std::chrono::nanoseconds to) const noexcept;

  int width() const noexcept { return width_; }
  int height() const noexcept { return height_; }
  std::size_t frame_bytes() const noexcept { return static_cast<std::size_t>(width_) * height_ * 3 / 2; }

 private:
  // One term of a sum-of-sinusoids path: amplitude * sin(omega * t + phase).
  struct Wave {
    double amplitude;
    double omega;
    double phase;
  };
  static constexpr std::size_t kPanWaves = 2;

  // A smooth path of one instrument, in fractions of the frame size.
  struct InstrumentPath {
    double entry_x;
    double entry_y;
    Wave entry_sway;
    double tip_x;
    double tip_y;
    std::array<Wave, 2> tip_dx;
    std::array<Wave, 2> tip_dy;
    Wave jaw;
  };

  // Intermediate planes of the per-frame resampler (output columns x source rows, and its transpose), sized
  // in the constructor so that render() allocates nothing itself.
  struct ResampleScratch {
    int max_source_rows = 0;
    std::vector<std::uint8_t> columns;
    std::vector<std::uint8_t> rows;
  };

  static double sum_waves(std::span<const Wave> waves, double t_s) noexcept;
  // dst(x, y) = bilinear src(inverse_zoom * x + offset_x, inverse_zoom * y + offset_y), edge replicated,
  // where `src_transposed` holds src transposed. inverse_zoom must be <= 1.
  static void resample_plane(const cv::Mat& src_transposed, double inverse_zoom, double offset_x,
                             double offset_y, ResampleScratch& scratch, cv::Mat& dst);
  void build_tissue_texture(std::uint64_t seed);
  void draw_instrument(const InstrumentPath& path, double t_s, cv::Mat& y, cv::Mat& u, cv::Mat& v) const;

  int width_;
  int height_;
  int texture_width_;
  int texture_height_;
  std::array<Wave, kPanWaves> pan_x_{};
  std::array<Wave, kPanWaves> pan_y_{};
  Wave zoom_wave_{};
  std::array<InstrumentPath, 2> instruments_{};
  // The tissue as I420-like planes: full-resolution luma, half-resolution chroma (centre-sited), each stored
  // transposed so that both resampling passes blend whole rows (vectorisable) instead of gathering pixels.
  cv::Mat texture_y_t_;
  cv::Mat texture_u_t_;
  cv::Mat texture_v_t_;
  ResampleScratch luma_scratch_;
  ResampleScratch chroma_scratch_;
};

}  // namespace surgilink::media
