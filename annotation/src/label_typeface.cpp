#include "label_typeface.hpp"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <algorithm>

#include <spdlog/spdlog.h>

namespace surgilink::annotation::detail {

struct LabelTypeface::Faces {
  FT_Library library = nullptr;
  std::vector<FT_Face> faces;  // fallback order
  std::vector<std::string> files;

  ~Faces() {
    for (FT_Face face : faces) FT_Done_Face(face);
    if (library) FT_Done_FreeType(library);
  }

  // The first face that has a glyph for `code` (the first face's missing-glyph box when none has).
  std::pair<FT_Face, FT_UInt> glyph(char32_t code) const {
    for (FT_Face face : faces) {
      if (const FT_UInt index = FT_Get_Char_Index(face, code); index != 0) return {face, index};
    }
    return {faces.front(), 0};
  }
};

namespace {

// The font file fontconfig picks for `pattern` (e.g. "sans-serif:lang=ja"), if any.
std::string font_file_for(FcConfig* config, const char* pattern_text) {
  FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>(pattern_text));
  if (pattern == nullptr) return {};
  FcConfigSubstitute(config, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcPattern* match = FcFontMatch(config, pattern, &result);
  std::string file;
  FcChar8* path = nullptr;
  if (match != nullptr && FcPatternGetString(match, FC_FILE, 0, &path) == FcResultMatch && path != nullptr)
    file = reinterpret_cast<const char*>(path);
  if (match) FcPatternDestroy(match);
  FcPatternDestroy(pattern);
  return file;
}

std::unique_ptr<LabelTypeface::Faces> load_faces() {
  auto faces = std::make_unique<LabelTypeface::Faces>();
  if (FT_Init_FreeType(&faces->library) != 0) return nullptr;
  // A configuration of our own, destroyed once the files are known: the process's default one (which Qt
  // may use) is left alone, and nothing of fontconfig's outlives the lookup.
  FcConfig* config = FcInitLoadConfigAndFonts();
  if (config == nullptr) return nullptr;
  // Japanese first: fontconfig answers with the closest font even when none covers the language, so the
  // plain sans-serif follows for Latin text, and coverage is checked per character when drawing.
  for (const char* pattern : {"sans-serif:lang=ja", "sans-serif"}) {
    const std::string file = font_file_for(config, pattern);
    if (file.empty() || std::find(faces->files.begin(), faces->files.end(), file) != faces->files.end())
      continue;
    FT_Face face = nullptr;
    if (FT_New_Face(faces->library, file.c_str(), 0, &face) != 0) continue;
    faces->faces.push_back(face);
    faces->files.push_back(file);
  }
  FcConfigDestroy(config);
  if (faces->faces.empty()) return nullptr;
  return faces;
}

}  // namespace

LabelTypeface* LabelTypeface::shared() {
  static const std::unique_ptr<LabelTypeface> instance = []() -> std::unique_ptr<LabelTypeface> {
    auto faces = load_faces();
    if (!faces) {
      spdlog::warn("annotation labels: no font found through fontconfig; non-ASCII labels show as '?'");
      return nullptr;
    }
    spdlog::debug("annotation labels drawn with {}", faces->files.front());
    return std::unique_ptr<LabelTypeface>(new LabelTypeface(std::move(faces)));
  }();
  return instance.get();
}

LabelTypeface::LabelTypeface(std::unique_ptr<Faces> faces) : faces_(std::move(faces)) {}
LabelTypeface::~LabelTypeface() = default;

LabelTypeface::Extent LabelTypeface::measure(std::u32string_view text, int pixel_size) {
  std::lock_guard lock(mutex_);
  Extent extent;
  for (FT_Face face : faces_->faces) FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(pixel_size));
  const FT_Face first = faces_->faces.front();
  extent.ascent = static_cast<int>(first->size->metrics.ascender >> 6);
  extent.descent = static_cast<int>(-first->size->metrics.descender >> 6);
  for (const char32_t code : text) {
    const auto [face, index] = faces_->glyph(code);
    if (FT_Load_Glyph(face, index, FT_LOAD_DEFAULT) == 0)
      extent.width += static_cast<int>(face->glyph->advance.x >> 6);
  }
  return extent;
}

void LabelTypeface::draw(cv::Mat& target, cv::Point origin, std::u32string_view text, int pixel_size,
                         const cv::Scalar& colour) {
  if (target.depth() != CV_8U || target.channels() == 2 || target.channels() > 4) return;
  std::lock_guard lock(mutex_);
  for (FT_Face face : faces_->faces) FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(pixel_size));
  const int channels = target.channels();
  int pen_x = origin.x;
  for (const char32_t code : text) {
    const auto [face, index] = faces_->glyph(code);
    if (FT_Load_Glyph(face, index, FT_LOAD_RENDER) != 0) continue;
    const FT_GlyphSlot glyph = face->glyph;
    const FT_Bitmap& bitmap = glyph->bitmap;
    if (bitmap.pixel_mode == FT_PIXEL_MODE_GRAY) {
      const int left = pen_x + glyph->bitmap_left, top = origin.y - glyph->bitmap_top;
      for (int row = 0; row < static_cast<int>(bitmap.rows); ++row) {
        const int y = top + row;
        if (y < 0 || y >= target.rows) continue;
        const unsigned char* coverage = bitmap.buffer + row * bitmap.pitch;
        std::uint8_t* pixels = target.ptr<std::uint8_t>(y);
        for (int col = 0; col < static_cast<int>(bitmap.width); ++col) {
          const int x = left + col;
          const int a = coverage[col];
          if (x < 0 || x >= target.cols || a == 0) continue;
          std::uint8_t* p = pixels + x * channels;
          for (int c = 0; c < channels; ++c)
            p[c] = static_cast<std::uint8_t>((colour[c] * a + p[c] * (255 - a) + 127) / 255);
        }
      }
    }
    pen_x += static_cast<int>(glyph->advance.x >> 6);
  }
}

}  // namespace surgilink::annotation::detail
