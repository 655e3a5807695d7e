#include "or_picture_box.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "surgilink/annotation/lettering.hpp"

namespace surgilink::sender {

namespace {

constexpr int kHershey = cv::FONT_HERSHEY_SIMPLEX;
constexpr std::uint8_t kLetterLuma = 235;  // white in BT.601 limited range

bool ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool hershey(const std::string& text, Lettering lettering) {
  return lettering == Lettering::kHersheyForAscii && ascii(text);
}

// The lettering's pixel size for a Hershey `font_scale`: its capitals ~22 px at scale 1; a Japanese glyph
// fills ~0.9 of the em, so at 30 px it stands a little taller than the Latin capitals beside it, which
// complex characters need to be read from 2 m.
int pixel_size_for(double font_scale) { return std::max(8, static_cast<int>(std::lround(30 * font_scale))); }

// Lettering rendered once as a coverage mask and kept: the panel, strip and badges draw the same few words
// every frame, and FreeType's glyph rendering per frame would cost the OR display thread milliseconds.
struct LetteringMask {
  cv::Mat coverage;  // CV_8UC1
  cv::Point origin;  // where the baseline starts inside `coverage`
  annotation::LetteringExtent extent;
};

class LetteringCache {
 public:
  // nullptr when the typeface cannot draw `text` (no font). `bold`: strokes a pixel wider, as Hershey's
  // thicker lines are, so that the thin strokes of a regular face read from 2 m.
  std::shared_ptr<const LetteringMask> get(const std::string& text, int pixel_size, bool bold) {
    std::lock_guard lock(mutex_);
    const auto key = std::make_tuple(text, pixel_size, bold);
    if (const auto it = masks_.find(key); it != masks_.end()) return it->second;
    const auto extent = annotation::measure_lettering(text, pixel_size);
    if (!extent) return nullptr;
    auto mask = std::make_shared<LetteringMask>();
    mask->extent = *extent;
    // Glyphs may reach a little past their advance (italic overhangs, accents): a margin on every side.
    const int margin = pixel_size / 4 + 1;
    mask->origin = {margin, margin + extent->ascent};
    mask->coverage =
        cv::Mat::zeros(extent->ascent + extent->descent + 2 * margin, extent->width + 2 * margin, CV_8UC1);
    annotation::draw_lettering(mask->coverage, mask->origin, text, pixel_size, cv::Scalar(255));
    if (bold) cv::dilate(mask->coverage, mask->coverage, cv::Mat::ones(2, 2, CV_8UC1));
    // Texts with numbers that change (latency, free disk) would fill it without bound.
    if (masks_.size() >= 256) masks_.clear();
    masks_.emplace(key, mask);
    return mask;
  }

 private:
  std::mutex mutex_;
  std::map<std::tuple<std::string, int, bool>, std::shared_ptr<const LetteringMask>> masks_;
};

LetteringCache& lettering_cache() {
  static LetteringCache cache;
  return cache;
}

// The lettering that draws `text`; nullptr: Hershey draws it (ASCII by choice, or no font was found).
std::shared_ptr<const LetteringMask> lettering_of(const std::string& text, double font_scale, int thickness,
                                                  Lettering lettering) {
  if (hershey(text, lettering)) return nullptr;
  return lettering_cache().get(text, pixel_size_for(font_scale), thickness >= 2);
}

// Writes `text` in white into the luma plane, its baseline starting at `origin`.
void put_text(cv::Mat& luma, const std::string& text, cv::Point origin, double font_scale, int thickness,
              Lettering lettering) {
  const auto mask = lettering_of(text, font_scale, thickness, lettering);
  if (!mask) {
    cv::putText(luma, text, origin, kHershey, font_scale, cv::Scalar(kLetterLuma), thickness, cv::LINE_AA);
    return;
  }
  const cv::Rect at(origin - mask->origin, mask->coverage.size());
  const cv::Rect clipped = at & cv::Rect(0, 0, luma.cols, luma.rows);
  for (int y = clipped.y; y < clipped.y + clipped.height; ++y) {
    std::uint8_t* row = luma.ptr<std::uint8_t>(y);
    const std::uint8_t* coverage = mask->coverage.ptr<std::uint8_t>(y - at.y);
    for (int x = clipped.x; x < clipped.x + clipped.width; ++x) {
      const int a = coverage[x - at.x];
      if (a != 0) row[x] = static_cast<std::uint8_t>((kLetterLuma * a + row[x] * (255 - a) + 127) / 255);
    }
  }
}

cv::Rect even(cv::Rect box) { return {box.x & ~1, box.y & ~1, (box.width + 1) & ~1, (box.height + 1) & ~1}; }

// The code point starting at `at` in valid UTF-8.
char32_t code_point_at(const std::string& text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return lead;
  const int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
  char32_t code = lead & (0x3F >> extra);
  for (int k = 1; k <= extra && at + static_cast<std::size_t>(k) < text.size(); ++k)
    code = (code << 6) | (byte(at + static_cast<std::size_t>(k)) & 0x3F);
  return code;
}

// Hiragana, katakana (with its long-vowel mark), kanji, or anything else: a word of one script is not broken.
int script_of(char32_t c) {
  if (c >= 0x3040 && c <= 0x309F) return 1;
  if ((c >= 0x30A0 && c <= 0x30FF) || c == 0xFF70) return 2;
  if (c >= 0x4E00 && c <= 0x9FFF) return 3;
  return 0;
}

// A place where `text` (UTF-8, no spaces) may be broken into two lines, and how good a place it is: 2 after a
// particle (each line reads as a phrase: 手術室マイクを / ミュート), 1 where the script changes (プライバシー
// / 一時停止), 0 elsewhere between characters.
struct BreakPoint {
  std::size_t at;
  int quality;
};

// Never inside ASCII ("OR", "ms"), nor before punctuation or a small kana, which a Japanese line does not
// start with.
std::vector<BreakPoint> break_points(const std::string& text) {
  static const std::vector<std::string> kNoLineStart{"、", "。", "ー", "ッ", "ャ", "ュ", "ョ", "ァ",
                                                     "ィ", "ゥ", "ェ", "ォ", "っ", "ゃ", "ゅ", "ょ",
                                                     "）", "」", "：", ":",  ")",  "・"};
  static const std::vector<char32_t> kParticles{U'を', U'の', U'が', U'に', U'は', U'で', U'と', U'も', U':'};
  std::vector<std::size_t> starts;  // where each character starts
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
  }
  std::vector<BreakPoint> out;
  for (std::size_t k = 1; k < starts.size(); ++k) {
    const std::size_t at = starts[k];
    const char32_t before = code_point_at(text, starts[k - 1]), after = code_point_at(text, at);
    if (before < 0x80 && after < 0x80) continue;
    const bool no_start = std::any_of(kNoLineStart.begin(), kNoLineStart.end(), [&](const std::string& p) {
      return text.compare(at, p.size(), p) == 0;
    });
    if (no_start) continue;
    const bool particle = std::find(kParticles.begin(), kParticles.end(), before) != kParticles.end();
    out.push_back({at, particle ? 2 : script_of(before) != script_of(after) ? 1 : 0});
  }
  return out;
}

}  // namespace

cv::Size measure_box_text(const std::string& text, double font_scale, int thickness, int* baseline,
                          Lettering lettering) {
  if (const auto mask = lettering_of(text, font_scale, thickness, lettering)) {
    *baseline = mask->extent.descent;
    return {mask->extent.width, mask->extent.ascent};
  }
  return cv::getTextSize(text, kHershey, font_scale, thickness, baseline);
}

void draw_text_box(media::I420Picture& p, cv::Rect box, const std::string& text, cv::Scalar yuv,
                   double font_scale, int thickness, int pad, Lettering lettering) {
  box = even(box);
  if (box.x < 0 || box.y < 0 || box.x + box.width > p.width || box.y + box.height > p.height) return;
  cv::Mat luma(p.height, p.width, CV_8UC1, p.planes[0], static_cast<std::size_t>(p.strides[0]));
  cv::Mat u((p.height + 1) / 2, (p.width + 1) / 2, CV_8UC1, p.planes[1],
            static_cast<std::size_t>(p.strides[1]));
  cv::Mat v((p.height + 1) / 2, (p.width + 1) / 2, CV_8UC1, p.planes[2],
            static_cast<std::size_t>(p.strides[2]));
  luma(box).setTo(yuv[0]);
  const cv::Rect half(box.x / 2, box.y / 2, box.width / 2, box.height / 2);
  u(half).setTo(yuv[1]);
  v(half).setTo(yuv[2]);
  if (text.empty()) return;
  int baseline = 0;
  const cv::Size size = measure_box_text(text, font_scale, thickness, &baseline, lettering);
  // Hershey's height is its capitals' (centred); the lettering's is its ascent, with its descent below.
  const int below = lettering_of(text, font_scale, thickness, lettering) ? baseline : 0;
  put_text(luma, text, cv::Point(box.x + pad, box.y + (box.height + size.height - below) / 2), font_scale,
           thickness, lettering);
}

std::vector<LabelLine> label_layout(cv::Rect box, const std::string& text, double font_scale, int thickness,
                                    Lettering lettering) {
  box = even(box);
  const int room_x = box.width * 9 / 10, room_y = box.height * 8 / 10;
  const auto width_of = [&](const std::string& line, double scale) {
    int baseline = 0;
    return measure_box_text(line, scale, thickness, &baseline, lettering).width;
  };
  const auto by_hershey = [&](const std::string& line, double scale) {
    return !lettering_of(line, scale, thickness, lettering);
  };
  // One line, or two broken at the space nearest the middle, else between characters where the longer half
  // is shortest.
  std::vector<std::string> lines{text};
  if (width_of(text, font_scale) > room_x) {
    std::size_t best = std::string::npos;
    for (std::size_t at = text.find(' '); at != std::string::npos; at = text.find(' ', at + 1)) {
      if (best == std::string::npos ||
          std::abs(static_cast<long>(at) - static_cast<long>(text.size() / 2)) <
              std::abs(static_cast<long>(best) - static_cast<long>(text.size() / 2)))
        best = at;
    }
    if (best != std::string::npos) {
      lines = {text.substr(0, best), text.substr(best + 1)};
    } else {
      // The best kind of place there is; of those, where the longer line is shortest.
      const auto points = break_points(text);
      int quality = 0;
      for (const auto& p : points) quality = std::max(quality, p.quality);
      int longer = width_of(text, font_scale);
      for (const auto& [at, q] : points) {
        if (q < quality) continue;
        const int w =
            std::max(width_of(text.substr(0, at), font_scale), width_of(text.substr(at), font_scale));
        if (w < longer) {
          longer = w;
          lines = {text.substr(0, at), text.substr(at)};
        }
      }
    }
  }
  // Heights: Hershey's "Hg" for ASCII lines; the lettering's ascent and descent for the others.
  const auto height_of = [&](double scale) {
    int h = 0;
    for (const auto& line : lines) {
      int baseline = 0;
      const bool hershey_line = by_hershey(line, scale);
      const cv::Size size =
          measure_box_text(hershey_line ? std::string("Hg") : line, scale, thickness, &baseline, lettering);
      h = std::max(h, hershey_line ? size.height : size.height + baseline);
    }
    return h;
  };
  const auto widest_at = [&](double scale) {
    int widest = 0;
    for (const auto& line : lines) widest = std::max(widest, width_of(line, scale));
    return widest;
  };
  double scale = font_scale;
  const int tall = static_cast<int>(lines.size()) * height_of(scale) * 3 / 2;
  scale *= std::min({1.0, static_cast<double>(room_x) / std::max(widest_at(scale), 1),
                     static_cast<double>(room_y) / std::max(tall, 1)});
  // The lettering's pixel sizes are whole numbers: shrink on until it really fits.
  for (int i = 0; i < 20 && widest_at(scale) > room_x; ++i) scale *= 0.95;
  const int h = height_of(scale);
  const int gap = h / 2;
  const int block = static_cast<int>(lines.size()) * h + (static_cast<int>(lines.size()) - 1) * gap;
  std::vector<LabelLine> out;
  int top = box.y + (box.height - block) / 2;
  for (auto& line : lines) {
    int baseline = 0;
    const cv::Size size = measure_box_text(line, scale, thickness, &baseline, lettering);
    const int x = box.x + (box.width - size.width) / 2;
    // Hershey's capitals stand on the baseline at the line's foot; the lettering's descent is below it.
    const int y = by_hershey(line, scale) ? top + h : top + h - baseline;
    out.push_back({std::move(line), {x, y}, {x, y - size.height, size.width, size.height + baseline}, scale});
    top += h + gap;
  }
  return out;
}

void draw_label_box(media::I420Picture& p, cv::Rect box, const std::string& text, cv::Scalar yuv,
                    double font_scale, int thickness, Lettering lettering) {
  draw_text_box(p, box, "", yuv, font_scale, thickness, 0);
  box = even(box);
  if (box.x < 0 || box.y < 0 || box.x + box.width > p.width || box.y + box.height > p.height) return;
  cv::Mat luma(p.height, p.width, CV_8UC1, p.planes[0], static_cast<std::size_t>(p.strides[0]));
  for (const auto& line : label_layout(box, text, font_scale, thickness, lettering))
    put_text(luma, line.text, line.origin, line.font_scale, thickness, lettering);
}

}  // namespace surgilink::sender
