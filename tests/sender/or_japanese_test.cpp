// The OR display in the team's language (issue 13): every word the OR display draws comes from the shared
// catalogue with a finished Japanese translation, Japanese is drawn as real glyphs (not '?' or missing-glyph
// boxes), and nothing is cut off. ([ui] language: or_window_settings_test.cpp.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "i420_test_picture.hpp"
#include "or_display_badges.hpp"
#include "or_language.hpp"
#include "or_picture_box.hpp"
#include "or_status_strip.hpp"
#include "or_touch_panel.hpp"
#include "or_words.hpp"

namespace surgilink::sender {
namespace {

bool ascii(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

using Picture = testing::I420TestPicture;

const OrWords& japanese() {
  static const OrWords words = load_or_language("ja").words;
  return words;
}

TEST(OrWords, EveryWordMarkedForTheCatalogueIsListedOnce) {
  // A word marked in or_words.hpp but missing from all_or_words() would never be looked up: it stays English.
  std::ifstream in(std::filesystem::path(SURGILINK_SOURCE_DIR) / "sender" / "or_words.hpp");
  const std::string header((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t marked = 0;
  for (auto at = header.find("SURGILINK_TRANSLATE_NOOP(\"OrDisplay\""); at != std::string::npos;
       at = header.find("SURGILINK_TRANSLATE_NOOP(\"OrDisplay\"", at + 1))
    ++marked;
  EXPECT_EQ(all_or_words().size(), marked);
  const std::set<std::string_view> unique(all_or_words().begin(), all_or_words().end());
  EXPECT_EQ(unique.size(), all_or_words().size());
}

TEST(OrWords, FillsTheBlanksAndKeepsEnglishWhereThereIsNoTranslation) {
  const OrWords english;
  EXPECT_TRUE(english.english());
  EXPECT_EQ(english(or_word::kMentorVideoDelayed, "450"), "MENTOR VIDEO DELAYED 450 ms");
  EXPECT_EQ(english(or_word::kDiskLowMinutes, "812", "9"), "REC: DISK LOW, 812 MB FREE (~9 MIN)");
  const OrWords some(std::map<std::string, std::string, std::less<>>{{"REC", "録画中"}});
  EXPECT_EQ(some(or_word::kRec), "録画中");
  EXPECT_EQ(some(or_word::kLinkOk), "LINK OK");
}

TEST(OrLanguage, TheJapaneseCatalogueHasAFinishedTranslationOfEveryOrWord) {
  const auto ja = load_or_language("ja");
  EXPECT_EQ(ja.chosen, "ja (configured)");
  for (const std::string_view english : all_or_words()) {
    const std::string word = ja.words(english);
    EXPECT_NE(word, english) << "untranslated: " << english;
    EXPECT_FALSE(ascii(word)) << english << " -> " << word;
    // The blanks survive translation: a name or a number is filled in where the translation wants it.
    for (const char* blank : {"%1", "%2"}) {
      EXPECT_EQ(english.find(blank) != std::string_view::npos, word.find(blank) != std::string::npos)
          << english << " -> " << word;
    }
  }
  EXPECT_EQ(ja.words(or_word::kMentorVideoDelayed, "450"), "指導医側の映像遅延 450 ms")
      << "units stay as written";
}

TEST(OrLanguage, EnglishIsTheSourceText) {
  const auto en = load_or_language("en");
  EXPECT_EQ(en.chosen, "en (configured)");
  for (const std::string_view english : all_or_words()) EXPECT_EQ(en.words(english), english);
}

// Tofu (the font's missing-glyph box) looks the same for every character, and Hershey draws '?': two
// different kanji drawing different pixels, neither like '?', are real glyphs.
TEST(OrPictureBox, JapaneseTextDrawsItsGlyphsNotQuestionMarksOrBoxes) {
  const auto draw = [](const std::string& text) {
    Picture p(320, 120);
    auto view = p.view();
    draw_text_box(view, cv::Rect(0, 0, 320, 120), text, cv::Scalar(60, 128, 128), 1.5, 3, 20);
    cv::Mat light;
    cv::threshold(p.luma(), light, 150, 255, cv::THRESH_BINARY);
    return light;
  };
  const cv::Mat rec = draw("録"), image = draw("画"), question = draw("?"), other = draw("\uE000");
  ASSERT_GT(cv::countNonZero(rec), 150) << "the glyph has ink";
  ASSERT_GT(cv::countNonZero(image), 150);
  const auto differ = [](const cv::Mat& a, const cv::Mat& b) {
    cv::Mat d;
    cv::bitwise_xor(a, b, d);
    return cv::countNonZero(d);
  };
  EXPECT_GT(differ(rec, image), 150) << "two kanji must not look alike (missing-glyph boxes do)";
  EXPECT_GT(differ(rec, question), 150) << "not Hershey's '?'";
  EXPECT_GT(differ(rec, other), 150) << "not the missing-glyph box";
  int baseline = 0;
  const cv::Size size = measure_box_text("録画中", 1.1, 2, &baseline);
  EXPECT_GT(size.width, 3 * 25) << "three full-width characters at about the badges' size";
  EXPECT_GT(size.height, 25) << "Japanese at least as tall as the English capitals (~24 px)";
}

// Japanese has no spaces: a label too wide for one line is broken after a particle, else where the script
// changes, never inside a word.
TEST(OrPictureBox, JapaneseLabelsBreakBetweenWordsNotInsideThem) {
  const cv::Rect button(0, 0, 236, 108);  // a 1080p panel's button
  const auto lines_of = [&](const std::string& text) {
    std::vector<std::string> out;
    for (const auto& line : label_layout(button, text, 0.9, 3, Lettering::kTypeface))
      out.push_back(line.text);
    return out;
  };
  EXPECT_EQ(lines_of("プライバシー一時停止"), (std::vector<std::string>{"プライバシー", "一時停止"}));
  EXPECT_EQ(lines_of("手術室マイクをミュート"), (std::vector<std::string>{"手術室マイクを", "ミュート"}));
  EXPECT_EQ(lines_of("ペンを回収"), (std::vector<std::string>{"ペンを回収"}))
      << "what fits stays on one line";
}

// Every label the panel can show, in Japanese, in every state (asking for the second touch too), is drawn in
// Japanese and fits its button: a rendered line never reaches past the button's edges.
TEST(OrTouchPanel, InJapaneseEveryLabelIsJapaneseAndFitsItsButton) {
  for (const auto& [w, h] : {std::pair{1920, 1080}, std::pair{1280, 720}}) {
    core::SimulatedClock clock;
    OrTouchPanel panel(w, h, clock, OrStatusStrip::height_for(h), japanese());
    std::vector<OrPanelState> states(2);
    states[1].annotations_hidden = states[1].pen_revoked = states[1].privacy_paused = true;
    states[1].recording_available = states[1].annotations_fading = states[1].microphone = true;
    states[1].microphone_muted = states[1].consoles_connected = true;
    states.push_back(states[1]);
    states[2].consent_recorded = true;
    states.push_back(states[2]);
    states[3].recording = true;
    int seen = 0;
    for (const auto& s : states) {
      for (int armed = -1; armed < OrTouchPanel::kButtons; ++armed) {
        panel.set_state(s);
        if (armed >= 0) {  // a first touch on a button that asks again
          const cv::Rect r = panel.area(static_cast<OrTouchPanel::Button>(armed));
          panel.touch(r.x + r.width / 2, r.y + r.height / 2);
        }
        for (const auto& label : panel.labels()) {
          ++seen;
          EXPECT_FALSE(ascii(label.text)) << label.text;
          const auto lines = label_layout(label.area, label.text, 0.9 * h / 1080.0, std::max(1, 3 * h / 1080),
                                          Lettering::kTypeface);
          ASSERT_FALSE(lines.empty());
          EXPECT_LE(lines.size(), 2U) << label.text;
          std::string joined;
          for (const auto& line : lines) {
            joined += line.text;
            EXPECT_TRUE((line.extent & label.area) == line.extent)
                << label.text << ": \"" << line.text << "\" at " << line.extent << " outside " << label.area;
            EXPECT_GE(line.extent.height, h / 60) << label.text << ": too small to read";
          }
          std::string unspaced = label.text;
          // Only the space a line was broken at may go.
          if (lines.size() == 2 && joined.size() < unspaced.size()) joined.insert(lines[0].text.size(), " ");
          EXPECT_EQ(joined, unspaced) << "a label lost characters";
        }
        panel.touch(w / 2, h / 3);  // a touch elsewhere disarms
      }
    }
    EXPECT_GT(seen, 50);
  }
}

TEST(OrStatusStrip, InJapaneseSaysTheSameInJapaneseAndLeavesNothingOut) {
  OrStatusStrip strip(150, 300, japanese());
  OrStripState s;
  s.people = {{"Dr. Sato", true, true, 48.0}, {"Dr. Abe", false, false, std::nullopt}};
  s.consent_recorded = true;
  s.annotations_hidden = true;
  strip.set_state(s);
  EXPECT_EQ(strip.text(),
            "Dr. Sato（ペン） 48 ms | Dr. Abe 視聴中 | 接続良好 | 同意済み・録画なし | 注釈非表示");
  // Every segment fits in a 1080p strip: none is left out (the strip drops a segment whole that does not
  // fit).
  const double scale = 1.0;
  int x = static_cast<int>(10 * scale);
  for (std::string rest = strip.text(); !rest.empty();) {
    const auto bar = rest.find(" | ");
    const std::string part = rest.substr(0, bar);
    rest = bar == std::string::npos ? "" : rest.substr(bar + 3);
    int baseline = 0;
    const cv::Size size = measure_box_text(part, 1.35 * scale, 3, &baseline, Lettering::kTypeface);
    EXPECT_LE(size.height + baseline, OrStatusStrip::height_for(1080) * 8 / 10)
        << part << ": taller than the strip";
    x += size.width + 2 * static_cast<int>(12 * scale) + static_cast<int>(10 * scale);
  }
  EXPECT_LE(x, 1920);
  Picture p(1920, 1080);
  strip.draw(p.view(), {});
  cv::Mat strip_rows =
      p.luma()(cv::Rect(0, 1080 - OrStatusStrip::height_for(1080), 1920, OrStatusStrip::height_for(1080)));
  EXPECT_GT(cv::countNonZero(strip_rows > 200), 2000) << "light letters on the dark strip";
}

TEST(OrDisplayBadges, InJapaneseTheLongestBadgeIsDrawnWholeOnASmallPicture) {
  OrDisplayBadges badges(japanese());
  badges.set_privacy_paused(true);
  badges.set_recording_warning(japanese()(or_word::kDiskLowMinutes, "812", "9"));
  for (const auto& [w, h] : {std::pair{1920, 1080}, std::pair{640, 360}}) {
    Picture p(w, h);
    badges.draw(p.view(), {});
    // The amber box starts inside the picture: drawn (a box past the left edge would not be drawn at all).
    int amber = 0;
    for (std::size_t i = 0; i < p.u.size(); ++i)
      amber += std::abs(p.u[i] - 30) <= 12 && std::abs(p.v[i] - 170) <= 12;
    EXPECT_GT(amber, w * h / 4 / 100) << w << "x" << h;
    EXPECT_GT(cv::countNonZero(p.luma() > 220), 300) << "letters";
  }
}

// Renders what the OR team sees in Japanese: every badge, the strip and the panel over a grey picture
// (or-ja-overlays.png in /work/measure/ where that folder exists, else in the temporary folder), to look at.
TEST(OrDisplay, InJapaneseRendersAPictureToLookAt) {
  core::SimulatedClock clock;
  Picture p(1920, 1080);
  OrDisplayBadges badges(japanese());
  badges.set_privacy_paused(true);
  badges.set_alarms("SpO2 88 %");
  badges.set_mentor_latency(japanese()(or_word::kMentorVideoDelayed, "450"));
  badges.set_surgeon_controls(true, true);
  badges.set_voice(true, true);
  badges.set_recording(true);
  OrStatusStrip strip(150, 300, japanese());
  OrStripState s;
  s.people = {{"Dr. Sato", true, true, 48.0}, {"Dr. Abe", true, false, 210.0}};
  s.recording = true;
  s.annotations_hidden = true;
  s.privacy_paused = true;
  strip.set_state(s);
  OrTouchPanel panel(1920, 1080, clock, OrStatusStrip::height_for(1080), japanese());
  OrPanelState ps;
  ps.recording_available = ps.microphone = ps.annotations_fading = ps.privacy_paused = true;
  panel.set_state(ps);
  const cv::Rect clear = panel.area(OrTouchPanel::Button::kClear);
  panel.touch(clear.x + 5, clear.y + 5);
  for (media::OrDisplayOverlay* layer :
       std::initializer_list<media::OrDisplayOverlay*>{&badges, &strip, &panel})
    layer->draw(p.view(), {});
  const std::filesystem::path folder = std::filesystem::is_directory("/work/measure")
                                           ? "/work/measure"
                                           : std::filesystem::temp_directory_path();
  EXPECT_TRUE(cv::imwrite((folder / "or-ja-overlays.png").string(), p.bgr()));
}

}  // namespace
}  // namespace surgilink::sender
