#include "surgilink/media/pixel_timestamp_code.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstring>

namespace surgilink::media {

namespace {

constexpr int kTimeBits = 48;
constexpr int kCrcBits = 16;
constexpr int kSyncBlocks = 2;
constexpr std::uint64_t kTimeMask = (std::uint64_t{1} << kTimeBits) - 1;
constexpr std::uint8_t kLumaOne = 235;
constexpr std::uint8_t kLumaZero = 16;
constexpr int kLumaThreshold = 128;
constexpr std::uint8_t kNeutralChroma = 128;

// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor.
std::uint16_t crc16_ccitt_false(const std::array<std::uint8_t, 6>& bytes) {
  std::uint16_t crc = 0xFFFF;
  for (const std::uint8_t byte : bytes) {
    crc = static_cast<std::uint16_t>(crc ^ (static_cast<std::uint16_t>(byte) << 8));
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
  }
  return crc;
}

std::array<std::uint8_t, 6> time_bytes(std::uint64_t low48) {
  std::array<std::uint8_t, 6> bytes{};
  for (int i = 0; i < 6; ++i) {
    bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(low48 >> (8 * (5 - i)));
  }
  return bytes;
}

// The bit carried by each block, in strip order.
std::array<bool, kPixelCodeBlocks> encode_blocks(std::uint64_t low48) {
  std::array<bool, kPixelCodeBlocks> blocks{};
  blocks[0] = true;
  blocks[1] = false;
  for (int i = 0; i < kTimeBits; ++i) {
    blocks[static_cast<std::size_t>(kSyncBlocks + i)] = ((low48 >> (kTimeBits - 1 - i)) & 1) != 0;
  }
  const std::uint16_t crc = crc16_ccitt_false(time_bytes(low48));
  for (int i = 0; i < kCrcBits; ++i) {
    blocks[static_cast<std::size_t>(kSyncBlocks + kTimeBits + i)] = ((crc >> (kCrcBits - 1 - i)) & 1) != 0;
  }
  return blocks;
}

// Of all values congruent to `low48` modulo 2^48, the one nearest to `reference`. Unsigned arithmetic keeps
// the wrap-around well defined.
std::int64_t nearest_with_low_bits(std::uint64_t low48, std::int64_t reference) {
  const auto ref = static_cast<std::uint64_t>(reference);
  std::uint64_t diff = (low48 - ref) & kTimeMask;  // in [0, 2^48)
  constexpr std::uint64_t kHalf = std::uint64_t{1} << (kTimeBits - 1);
  std::uint64_t result = ref + diff;
  if (diff >= kHalf) result -= std::uint64_t{1} << kTimeBits;
  return static_cast<std::int64_t>(result);
}

}  // namespace

PixelCodeLayout pixel_code_layout(int width, int height) noexcept {
  // Full margin of one block on both sides and below as well as above, so the strip never touches the edge.
  for (const int block : {16, 8}) {
    if (width >= (kPixelCodeBlocks + 2) * block && height >= 3 * block) {
      return PixelCodeLayout{block, block, block, kPixelCodeBlocks};
    }
  }
  return PixelCodeLayout{0, 0, 0, kPixelCodeBlocks};
}

bool draw_pixel_timestamp(std::span<std::uint8_t> i420, int width, int height,
                          std::int64_t capture_time_us) noexcept {
  if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) return false;
  const std::size_t y_size = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  if (i420.size() != y_size * 3 / 2) return false;
  const PixelCodeLayout layout = pixel_code_layout(width, height);
  if (layout.block_px == 0) return false;

  const auto blocks = encode_blocks(static_cast<std::uint64_t>(capture_time_us) & kTimeMask);
  std::uint8_t* y_plane = i420.data();
  for (int row = 0; row < layout.block_px; ++row) {
    std::uint8_t* line = y_plane + static_cast<std::size_t>(layout.origin_y + row) * width + layout.origin_x;
    for (int b = 0; b < layout.blocks; ++b) {
      std::memset(line + b * layout.block_px, blocks[static_cast<std::size_t>(b)] ? kLumaOne : kLumaZero,
                  static_cast<std::size_t>(layout.block_px));
    }
  }

  // Neutral chroma, so the strip stays grey whatever colour was under it (origin and block size are even).
  const int chroma_width = width / 2;
  const std::size_t chroma_size = y_size / 4;
  const int cx = layout.origin_x / 2;
  const int cy = layout.origin_y / 2;
  const int c_len = layout.blocks * layout.block_px / 2;
  for (std::size_t plane = 0; plane < 2; ++plane) {
    std::uint8_t* chroma = i420.data() + y_size + plane * chroma_size;
    for (int row = 0; row < layout.block_px / 2; ++row) {
      std::memset(chroma + static_cast<std::size_t>(cy + row) * chroma_width + cx, kNeutralChroma,
                  static_cast<std::size_t>(c_len));
    }
  }
  return true;
}

namespace {

// Reads the strip at `origin`, blocks of `block` px (fractional where the frame was scaled after the code
// was drawn). Only the centre half of each block is averaged: block edges are where the codec's ringing and
// the deblocking filter (and a scaler's filter) smear the neighbours in.
std::optional<std::int64_t> read_strip(const std::uint8_t* y_plane, int stride, int width, int height,
                                       double origin_x, double origin_y, double block,
                                       std::int64_t reference_us) noexcept {
  const int span = std::max(1, static_cast<int>(block / 2));
  const double inset = (block - span) / 2;
  const int y0 = static_cast<int>(origin_y + inset + 0.5);
  if (y0 < 0 || y0 + span > height) return std::nullopt;
  const int last_x = static_cast<int>(origin_x + (kPixelCodeBlocks - 1) * block + inset + 0.5);
  if (origin_x < 0 || last_x + span > width) return std::nullopt;
  std::array<bool, kPixelCodeBlocks> bits{};
  for (int b = 0; b < kPixelCodeBlocks; ++b) {
    const int x0 = static_cast<int>(origin_x + b * block + inset + 0.5);
    int sum = 0;
    for (int row = 0; row < span; ++row) {
      const std::uint8_t* line =
          y_plane + static_cast<std::size_t>(y0 + row) * static_cast<std::size_t>(stride) + x0;
      for (int col = 0; col < span; ++col) sum += line[col];
    }
    bits[static_cast<std::size_t>(b)] = sum >= kLumaThreshold * span * span;
  }

  if (!bits[0] || bits[1]) return std::nullopt;
  std::uint64_t low48 = 0;
  for (int i = 0; i < kTimeBits; ++i) {
    low48 = (low48 << 1) | (bits[static_cast<std::size_t>(kSyncBlocks + i)] ? 1u : 0u);
  }
  std::uint16_t crc = 0;
  for (int i = 0; i < kCrcBits; ++i) {
    crc = static_cast<std::uint16_t>((crc << 1) |
                                     (bits[static_cast<std::size_t>(kSyncBlocks + kTimeBits + i)] ? 1 : 0));
  }
  if (crc != crc16_ccitt_false(time_bytes(low48))) return std::nullopt;
  return nearest_with_low_bits(low48, reference_us);
}

}  // namespace

std::optional<std::int64_t> read_pixel_timestamp(const std::uint8_t* y_plane, int stride, int width,
                                                 int height, std::int64_t reference_us) noexcept {
  if (y_plane == nullptr || width <= 0 || height <= 0 || stride < width) return std::nullopt;
  const PixelCodeLayout layout = pixel_code_layout(width, height);
  if (layout.block_px != 0) {
    if (auto t = read_strip(y_plane, stride, width, height, layout.origin_x, layout.origin_y, layout.block_px,
                            reference_us)) {
      return t;
    }
  }
  // The sender may have scaled the picture down after drawing the code (the video ladder: 1080p → 720p):
  // the strip is then where the source's layout puts it, scaled by the same factor.
  constexpr std::array<std::array<int, 2>, 3> kSourceSizes{{{3840, 2160}, {1920, 1080}, {1280, 720}}};
  for (const auto& [source_w, source_h] : kSourceSizes) {
    if (source_w <= width || source_w * height != source_h * width) continue;
    const PixelCodeLayout drawn = pixel_code_layout(source_w, source_h);
    const double scale = static_cast<double>(width) / source_w;
    if (drawn.block_px * scale < 4) continue;  // too small to survive the scaler and the codec
    if (auto t = read_strip(y_plane, stride, width, height, drawn.origin_x * scale, drawn.origin_y * scale,
                            drawn.block_px * scale, reference_us)) {
      return t;
    }
  }
  return std::nullopt;
}

std::optional<std::int64_t> read_pixel_timestamp(const std::uint8_t* y_plane, int stride, int width,
                                                 int height) noexcept {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return read_pixel_timestamp(y_plane, stride, width, height, now.count());
}

}  // namespace surgilink::media
