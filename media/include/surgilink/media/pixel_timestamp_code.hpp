#pragma once
// A strip of black/white blocks in the picture that carries the capture time, so a receiver can measure
// glass-to-glass latency from decoded pixels alone, independently of any metadata.
//
// Layout (one row of 66 square blocks, one block in from the top-left corner):
//   2 sync blocks (white, black) | 48 bits of time, MSB first | CRC-16/CCITT-FALSE of the 6 time bytes.
// A 1 is luma 235, a 0 is luma 16; blocks are 16 px (or 8 px on frames narrower than 1088 px) so they line up
// with H.264 macroblocks and transform blocks and survive low-bitrate compression.

#include <cstdint>
#include <optional>
#include <span>

namespace surgilink::media {

// Number of blocks in the strip: sync + 48 time bits + 16 CRC bits.
inline constexpr int kPixelCodeBlocks = 2 + 48 + 16;

// Geometry of the code for one frame size; block_px == 0 means the frame is too small to carry a code.
struct PixelCodeLayout {
  int block_px;
  int origin_x;
  int origin_y;
  int blocks;
};

// Block size 16 px when the frame is at least 66*16 + 2*16 px wide (and 3 blocks high), else 8 px when it is
// at least 544 px wide (and 24 px high), else block_px = 0.
PixelCodeLayout pixel_code_layout(int width, int height) noexcept;

// Draws `capture_time_us` (microseconds since the Unix epoch; only the low 48 bits are encoded) into the Y
// plane of a tightly packed I420 frame and sets the chroma under the strip to neutral 128. Returns false,
// leaving the buffer untouched, if the frame is too small, its size is odd or the buffer size is not
// width*height*3/2.
bool draw_pixel_timestamp(std::span<std::uint8_t> i420, int width, int height,
                          std::int64_t capture_time_us) noexcept;

// Reads the code back from a Y plane with the given row stride. Returns the time in microseconds, or nullopt
// when the sync pattern or the checksum does not match (damaged or absent code) or the arguments are invalid.
// The 16 missing high bits are restored by taking the candidate nearest to `reference_us`, so the true time
// must lie within +-2^46 us (about 2.2 years) of it. Never reads outside the width x height plane. A code
// drawn on a larger frame of the same shape (4K, 1080p, 720p) that was scaled down to this one is read too.
std::optional<std::int64_t> read_pixel_timestamp(const std::uint8_t* y_plane, int stride, int width,
                                                 int height, std::int64_t reference_us) noexcept;

// As above with the current system_clock time as the reference.
std::optional<std::int64_t> read_pixel_timestamp(const std::uint8_t* y_plane, int stride, int width,
                                                 int height) noexcept;

}  // namespace surgilink::media
