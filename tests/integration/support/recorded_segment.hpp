#pragma once
// Plays a recorded Matroska segment back with GStreamer's own demuxer and decoder, as a review tool would.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace surgilink::testing {

// What decoding one segment on its own gave.
struct DecodedSegment {
  int frames = 0;
  std::optional<std::int64_t> first_pixel_us;  // the pixel timestamp code of the first picture
  std::vector<std::int64_t> pts_ns;            // each decoded picture's timestamp in the file
  std::string error;                           // GStreamer's, if the file did not play to its end
};

DecodedSegment decode_segment(const std::filesystem::path& file);

}  // namespace surgilink::testing
