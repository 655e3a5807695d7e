// The recording's manifest (README: Recordings): what it says of a segment recorded with intra refresh
// survives writing and reading, and a value no sender writes is refused rather than trusted.
#include "surgilink/media/recording_manifest.hpp"

#include <gtest/gtest.h>

#include <string>

namespace surgilink::media {
namespace {

RecordingManifest with_segments() {
  RecordingManifest m;
  m.video = "H.264 in Matroska";
  m.started = core::CaptureTime{std::chrono::seconds{1'700'000'000}};
  ManifestSegment refreshed{"segment-00001.mkv",
                            m.started,
                            m.started + std::chrono::seconds{60},
                            1800,
                            true,
                            std::nullopt,
                            {},
                            {},
                            std::chrono::milliseconds{2000}};
  ManifestSegment plain = refreshed;
  plain.file = "segment-00002.mkv";
  plain.intra_refresh.reset();
  m.segments = {refreshed, plain};
  return m;
}

TEST(RecordingManifest, ASegmentsIntraRefreshWaveIsWrittenAndReadBack) {
  const auto m = with_segments();
  const std::string text = m.to_json();
  EXPECT_NE(text.find("\"intra_refresh_ms\": 2000"), std::string::npos) << text;
  std::string why;
  const auto read = RecordingManifest::parse(text, &why);
  ASSERT_TRUE(read) << why;
  ASSERT_EQ(read->segments.size(), 2u);
  EXPECT_EQ(read->segments[0], m.segments[0]);
  EXPECT_EQ(read->segments[1], m.segments[1]);
  EXPECT_FALSE(read->segments[1].intra_refresh) << "a segment of IDRs has no wave";
}

TEST(RecordingManifest, AWaveNoEncoderMakesIsRefused) {
  std::string text = with_segments().to_json();
  for (const std::string bad : {"0", "-2000", "600001", "\"2000\""}) {
    SCOPED_TRACE(bad);
    std::string edited = text;
    const std::string key = "\"intra_refresh_ms\": ";
    edited.replace(edited.find(key) + key.size(), 4, bad);
    std::string why;
    EXPECT_FALSE(RecordingManifest::parse(edited, &why));
    EXPECT_NE(why.find("malformed"), std::string::npos) << why;
  }
}

}  // namespace
}  // namespace surgilink::media
