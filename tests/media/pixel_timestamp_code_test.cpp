#include "surgilink/media/pixel_timestamp_code.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "surgilink/media/synthetic_scene.hpp"

namespace surgilink::media {
namespace {

constexpr std::int64_t kTwo48 = std::int64_t{1} << 48;
// A plausible capture time: 2023-11-14, in microseconds since the epoch.
constexpr std::int64_t kSomeTimeUs = 1'700'000'000'123'456;

struct FrameSize {
  int width;
  int height;
};

std::size_t frame_bytes(int width, int height) {
  return static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3 / 2;
}

// A frame of random pixels: the code must not depend on what it is drawn over.
std::vector<std::uint8_t> noise_frame(int width, int height, std::uint64_t seed) {
  std::vector<std::uint8_t> frame(frame_bytes(width, height));
  cv::Mat view(1, static_cast<int>(frame.size()), CV_8UC1, frame.data());
  cv::RNG rng(seed);
  rng.fill(view, cv::RNG::UNIFORM, 0, 256);
  return frame;
}

std::optional<std::int64_t> read(const std::vector<std::uint8_t>& frame, int width, int height,
                                 std::int64_t reference_us) {
  return read_pixel_timestamp(frame.data(), width, width, height, reference_us);
}

// Overwrites block `index` of the strip with the opposite bit.
void flip_block(std::vector<std::uint8_t>& frame, int width, int height, int index) {
  const PixelCodeLayout layout = pixel_code_layout(width, height);
  const int x0 = layout.origin_x + index * layout.block_px;
  const bool was_one = frame[static_cast<std::size_t>(layout.origin_y) * width + x0] > 128;
  for (int row = 0; row < layout.block_px; ++row) {
    std::memset(frame.data() + static_cast<std::size_t>(layout.origin_y + row) * width + x0,
                was_one ? 16 : 235, static_cast<std::size_t>(layout.block_px));
  }
}

TEST(PixelCodeLayoutTest, PicksBlockSizeFromWidth) {
  const PixelCodeLayout full_hd = pixel_code_layout(1920, 1080);
  EXPECT_EQ(full_hd.block_px, 16);
  EXPECT_EQ(full_hd.origin_x, 16);
  EXPECT_EQ(full_hd.origin_y, 16);
  EXPECT_EQ(full_hd.blocks, 66);
  EXPECT_EQ(pixel_code_layout(1280, 720).block_px, 16);
  EXPECT_EQ(pixel_code_layout(1088, 720).block_px, 16);
  EXPECT_EQ(pixel_code_layout(1086, 720).block_px, 8);
  const PixelCodeLayout small = pixel_code_layout(640, 360);
  EXPECT_EQ(small.block_px, 8);
  EXPECT_EQ(small.origin_x, 8);
  EXPECT_EQ(small.origin_y, 8);
  EXPECT_EQ(pixel_code_layout(544, 360).block_px, 8);
  EXPECT_EQ(pixel_code_layout(542, 360).block_px, 0);
  EXPECT_EQ(pixel_code_layout(640, 22).block_px, 0);
}

TEST(PixelTimestampTest, RoundTripsAtCommonSizes) {
  const std::vector<FrameSize> sizes = {{1920, 1080}, {1280, 720}, {640, 360}};
  const std::vector<std::int64_t> values = {kSomeTimeUs, kSomeTimeUs + 1, kSomeTimeUs + 999'999,
                                            kSomeTimeUs + 86'400'000'000, 1'800'000'000'000'000};
  for (const FrameSize& size : sizes) {
    for (const std::int64_t value : values) {
      auto frame = noise_frame(size.width, size.height, static_cast<std::uint64_t>(value));
      ASSERT_TRUE(draw_pixel_timestamp(frame, size.width, size.height, value));
      const auto decoded = read(frame, size.width, size.height, kSomeTimeUs);
      ASSERT_TRUE(decoded.has_value()) << size.width << "x" << size.height << " value " << value;
      EXPECT_EQ(*decoded, value) << size.width << "x" << size.height;
    }
  }
}

TEST(PixelTimestampTest, RestoresHighBitsAcrossThe48BitWrap) {
  constexpr int kWidth = 1280;
  constexpr int kHeight = 720;
  struct Case {
    std::int64_t value;
    std::int64_t reference;
  };
  const std::vector<Case> cases = {
      {6 * kTwo48 + 5, 6 * kTwo48 - 10},           // sent just after the wrap, reference just before
      {6 * kTwo48 - 5, 6 * kTwo48 + 10},           // the other way round
      {6 * kTwo48 - 1, 6 * kTwo48 - 1},            // all 48 low bits set
      {6 * kTwo48, 6 * kTwo48},                    // all 48 low bits clear
      {kSomeTimeUs, kSomeTimeUs + (kTwo48 >> 2)},  // 2^46 us (~2.2 years) behind the reference
      {kSomeTimeUs, kSomeTimeUs - (kTwo48 >> 2)},  // and ahead of it
      {-12'345, 1'000},                            // before the epoch
  };
  for (const Case& c : cases) {
    auto frame = noise_frame(kWidth, kHeight, 3);
    ASSERT_TRUE(draw_pixel_timestamp(frame, kWidth, kHeight, c.value));
    const auto decoded = read(frame, kWidth, kHeight, c.reference);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, c.value) << "reference " << c.reference;
  }
}

TEST(PixelTimestampTest, DefaultReferenceIsTheSystemClock) {
  constexpr int kWidth = 1920;
  constexpr int kHeight = 1080;
  const std::int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  auto frame = noise_frame(kWidth, kHeight, 4);
  ASSERT_TRUE(draw_pixel_timestamp(frame, kWidth, kHeight, now_us));
  EXPECT_EQ(read_pixel_timestamp(frame.data(), kWidth, kWidth, kHeight), now_us);
}

TEST(PixelTimestampTest, DrawsTheDocumentedBitPattern) {
  constexpr int kWidth = 640;
  constexpr int kHeight = 360;
  auto frame = noise_frame(kWidth, kHeight, 5);
  // The six time bytes are ASCII "123456", whose CRC-16/CCITT-FALSE is 0x2EF4.
  ASSERT_TRUE(draw_pixel_timestamp(frame, kWidth, kHeight, 0x313233343536));
  const PixelCodeLayout layout = pixel_code_layout(kWidth, kHeight);
  std::vector<int> bits;
  for (int b = 0; b < layout.blocks; ++b) {
    for (int row = 0; row < layout.block_px; ++row) {
      for (int col = 0; col < layout.block_px; ++col) {
        const std::uint8_t luma = frame[static_cast<std::size_t>(layout.origin_y + row) * kWidth +
                                        layout.origin_x + b * layout.block_px + col];
        ASSERT_TRUE(luma == 235 || luma == 16) << "block " << b;
        if (row == 0 && col == 0) bits.push_back(luma == 235 ? 1 : 0);
      }
    }
  }
  EXPECT_EQ(bits[0], 1);
  EXPECT_EQ(bits[1], 0);
  std::uint64_t time = 0;
  for (int i = 0; i < 48; ++i)
    time = (time << 1) | static_cast<std::uint64_t>(bits[static_cast<std::size_t>(2 + i)]);
  EXPECT_EQ(time, 0x313233343536u);
  unsigned crc = 0;
  for (int i = 0; i < 16; ++i)
    crc = (crc << 1) | static_cast<unsigned>(bits[static_cast<std::size_t>(50 + i)]);
  EXPECT_EQ(crc, 0x2EF4u);

  // Chroma under the strip is neutral.
  const std::size_t luma_size = static_cast<std::size_t>(kWidth) * kHeight;
  for (std::size_t plane = 0; plane < 2; ++plane) {
    const std::uint8_t* chroma = frame.data() + luma_size + plane * luma_size / 4;
    for (int row = 0; row < layout.block_px / 2; ++row) {
      for (int col = 0; col < layout.blocks * layout.block_px / 2; ++col) {
        ASSERT_EQ(chroma[static_cast<std::size_t>(layout.origin_y / 2 + row) * (kWidth / 2) +
                         layout.origin_x / 2 + col],
                  128);
      }
    }
  }
}

TEST(PixelTimestampTest, AnyFlippedBlockIsRejected) {
  for (const FrameSize size : {FrameSize{1280, 720}, FrameSize{640, 360}}) {
    auto clean = noise_frame(size.width, size.height, 6);
    ASSERT_TRUE(draw_pixel_timestamp(clean, size.width, size.height, kSomeTimeUs));
    ASSERT_EQ(read(clean, size.width, size.height, kSomeTimeUs), kSomeTimeUs);
    for (int block = 0; block < kPixelCodeBlocks; ++block) {
      auto damaged = clean;
      flip_block(damaged, size.width, size.height, block);
      EXPECT_EQ(read(damaged, size.width, size.height, kSomeTimeUs), std::nullopt)
          << size.width << "x" << size.height << " block " << block;
    }
  }
}

TEST(PixelTimestampTest, OnlyTheCentreOfEachBlockCounts) {
  // Codec ringing and blur smear block edges; the reader must look at the centre half only. Invert the outer
  // quarter of every block (three quarters of its area) and the code still reads.
  for (const FrameSize size : {FrameSize{1280, 720}, FrameSize{640, 360}}) {
    auto frame = noise_frame(size.width, size.height, 9);
    ASSERT_TRUE(draw_pixel_timestamp(frame, size.width, size.height, kSomeTimeUs));
    const PixelCodeLayout layout = pixel_code_layout(size.width, size.height);
    const int quarter = layout.block_px / 4;
    for (int b = 0; b < layout.blocks; ++b) {
      for (int row = 0; row < layout.block_px; ++row) {
        for (int col = 0; col < layout.block_px; ++col) {
          const bool centre = row >= quarter && row < layout.block_px - quarter && col >= quarter &&
                              col < layout.block_px - quarter;
          std::uint8_t& luma = frame[static_cast<std::size_t>(layout.origin_y + row) * size.width +
                                     layout.origin_x + b * layout.block_px + col];
          if (!centre) luma = static_cast<std::uint8_t>(251 - luma);  // 235 <-> 16
        }
      }
    }
    EXPECT_EQ(read(frame, size.width, size.height, kSomeTimeUs), kSomeTimeUs)
        << size.width << "x" << size.height;
  }
}

TEST(PixelTimestampTest, FramesWithoutACodeAreRejected) {
  constexpr int kWidth = 1280;
  constexpr int kHeight = 720;
  for (const std::uint8_t fill : {0, 16, 128, 235, 255}) {
    const std::vector<std::uint8_t> blank(frame_bytes(kWidth, kHeight), fill);
    EXPECT_EQ(read(blank, kWidth, kHeight, kSomeTimeUs), std::nullopt) << "fill " << int{fill};
  }
  int accepted = 0;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    accepted += read(noise_frame(kWidth, kHeight, seed), kWidth, kHeight, kSomeTimeUs).has_value() ? 1 : 0;
  }
  EXPECT_EQ(accepted, 0);
}

TEST(PixelTimestampTest, DrawRejectsUnusableFramesWithoutTouchingThem) {
  struct Case {
    int width;
    int height;
    std::size_t bytes;
  };
  const std::vector<Case> cases = {
      {542, 360, frame_bytes(542, 360)},      // narrower than 66 * 8 + 16
      {640, 22, frame_bytes(640, 22)},        // lower than three 8-px blocks
      {640, 360, frame_bytes(640, 360) - 1},  // wrong buffer size
      {640, 360, frame_bytes(640, 360) + 1},
      {641, 360, frame_bytes(641, 360)},  // odd width
      {0, 0, 0},
  };
  for (const Case& c : cases) {
    std::vector<std::uint8_t> frame(c.bytes, 77);
    EXPECT_FALSE(draw_pixel_timestamp(frame, c.width, c.height, kSomeTimeUs)) << c.width << "x" << c.height;
    EXPECT_EQ(frame, std::vector<std::uint8_t>(c.bytes, 77));
  }
}

TEST(PixelTimestampTest, ReadHonoursStrideAndRejectsBadArguments) {
  constexpr int kWidth = 640;
  constexpr int kHeight = 360;
  constexpr int kStride = 704;
  auto frame = noise_frame(kWidth, kHeight, 8);
  ASSERT_TRUE(draw_pixel_timestamp(frame, kWidth, kHeight, kSomeTimeUs));
  // The Y plane copied into rows padded to kStride, padding filled with white to catch stride mistakes.
  std::vector<std::uint8_t> padded(static_cast<std::size_t>(kStride) * kHeight, 255);
  for (int row = 0; row < kHeight; ++row) {
    std::memcpy(padded.data() + static_cast<std::size_t>(row) * kStride,
                frame.data() + static_cast<std::size_t>(row) * kWidth, kWidth);
  }
  EXPECT_EQ(read_pixel_timestamp(padded.data(), kStride, kWidth, kHeight, kSomeTimeUs), kSomeTimeUs);
  // The exact-size plane (ASan builds catch any read past it).
  const std::vector<std::uint8_t> y_only(frame.begin(), frame.begin() + kWidth * kHeight);
  EXPECT_EQ(read_pixel_timestamp(y_only.data(), kWidth, kWidth, kHeight, kSomeTimeUs), kSomeTimeUs);

  EXPECT_EQ(read_pixel_timestamp(nullptr, kWidth, kWidth, kHeight, kSomeTimeUs), std::nullopt);
  EXPECT_EQ(read_pixel_timestamp(y_only.data(), kWidth - 1, kWidth, kHeight, kSomeTimeUs), std::nullopt);
  EXPECT_EQ(read_pixel_timestamp(y_only.data(), kWidth, 542, kHeight, kSomeTimeUs), std::nullopt);
  EXPECT_EQ(read_pixel_timestamp(y_only.data(), kWidth, kWidth, 20, kSomeTimeUs), std::nullopt);
  EXPECT_EQ(read_pixel_timestamp(y_only.data(), kWidth, -kWidth, kHeight, kSomeTimeUs), std::nullopt);
}

// Stand-in for a lossy video link: sensor-like noise plus a JPEG round trip of the Y plane at quality 50.
void degrade_luma(std::vector<std::uint8_t>& frame, int width, int height, std::uint64_t seed) {
  cv::Mat y(height, width, CV_8UC1, frame.data());
  cv::Mat noise(height, width, CV_16SC1);
  cv::RNG rng(seed);
  rng.fill(noise, cv::RNG::NORMAL, 0, 12);
  cv::Mat noisy;
  cv::add(y, noise, noisy, cv::noArray(), CV_8U);
  std::vector<std::uint8_t> jpeg;
  ASSERT_TRUE(cv::imencode(".jpg", noisy, jpeg, {cv::IMWRITE_JPEG_QUALITY, 50}));
  const cv::Mat decoded = cv::imdecode(jpeg, cv::IMREAD_GRAYSCALE);
  ASSERT_EQ(decoded.size(), y.size());
  decoded.copyTo(y);
}

TEST(PixelTimestampTest, SurvivesNoiseAndJpegOnASceneFrame) {
  for (const FrameSize size : {FrameSize{1280, 720}, FrameSize{640, 360}}) {
    SyntheticScene scene(size.width, size.height, 11);
    std::vector<std::uint8_t> frame(scene.frame_bytes());
    for (int i = 0; i < 4; ++i) {
      const std::int64_t value = kSomeTimeUs + i * 33'333 + i * i * 7'777'777;
      ASSERT_TRUE(scene.render(std::chrono::milliseconds(500 + 1700 * i), frame));
      ASSERT_TRUE(draw_pixel_timestamp(frame, size.width, size.height, value));
      const auto original = frame;
      degrade_luma(frame, size.width, size.height, static_cast<std::uint64_t>(i + 1));
      ASSERT_NE(frame, original);  // the degradation really happened
      EXPECT_EQ(read(frame, size.width, size.height, kSomeTimeUs), value) << size.width << "x" << size.height;
    }
  }
}

// The video ladder scales the sender's 1080p picture (code drawn at capture) to 720p or 540p before
// encoding: the code is read at its scaled place; at a size it was not scaled from, nothing is read.
TEST(PixelTimestampTest, ReadsACodeDrawnOnALargerFrameAndScaledDown) {
  SyntheticScene scene(1920, 1080, 5);
  std::vector<std::uint8_t> frame(scene.frame_bytes());
  ASSERT_TRUE(scene.render(std::chrono::milliseconds(900), frame));
  ASSERT_TRUE(draw_pixel_timestamp(frame, 1920, 1080, kSomeTimeUs));
  const cv::Mat luma(1080, 1920, CV_8UC1, frame.data());
  for (const FrameSize size : {FrameSize{1280, 720}, FrameSize{960, 540}}) {
    cv::Mat resized;
    cv::resize(luma, resized, cv::Size(size.width, size.height), 0, 0, cv::INTER_AREA);
    ASSERT_TRUE(resized.isContinuous());
    EXPECT_EQ(read_pixel_timestamp(resized.data, size.width, size.width, size.height, kSomeTimeUs),
              kSomeTimeUs)
        << size.width << "x" << size.height;
  }
  // One flipped time block in the scaled strip fails the checksum, as at the native size.
  cv::Mat scaled;
  cv::resize(luma, scaled, cv::Size(1280, 720), 0, 0, cv::INTER_AREA);
  const double block = 16.0 * 1280 / 1920;
  const int x = static_cast<int>(16.0 * 1280 / 1920 + 10.5 * block),
            y = static_cast<int>(16.0 * 1280 / 1920 + block / 2);
  for (int row = y - 3; row <= y + 3; ++row) {
    for (int col = x - 3; col <= x + 3; ++col) scaled.at<std::uint8_t>(row, col) ^= 0xff;
  }
  EXPECT_FALSE(read_pixel_timestamp(scaled.data, 1280, 1280, 720, kSomeTimeUs));
}

}  // namespace
}  // namespace surgilink::media
