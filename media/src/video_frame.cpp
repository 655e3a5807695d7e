#include "surgilink/media/video_frame.hpp"

#include <cstring>
#include <utility>
#include <vector>

#include <gst/video/video.h>

#include "gst_sample_frame.hpp"

namespace surgilink::media {

struct VideoFrame::Storage {
  GstSample* sample = nullptr;
  GstVideoFrame frame{};
  bool mapped = false;
  // A copy made for an overlay: its own pixels instead of GStreamer's buffer.
  std::vector<std::uint8_t> owned;
  std::size_t offsets[3] = {0, 0, 0};
  int strides[3] = {0, 0, 0};
  ~Storage() {
    if (mapped) gst_video_frame_unmap(&frame);
    if (sample) gst_sample_unref(sample);
  }
};

VideoFrame::VideoFrame(std::shared_ptr<Storage> storage, int width, int height,
                       core::CaptureTime capture_time)
    : storage_(std::move(storage)), width_(width), height_(height), capture_time_(capture_time) {}

const std::uint8_t* VideoFrame::plane(int index) const {
  if (!storage_->mapped) return storage_->owned.data() + storage_->offsets[index];
  return static_cast<const std::uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&storage_->frame, index));
}

int VideoFrame::stride(int index) const {
  if (!storage_->mapped) return storage_->strides[index];
  return GST_VIDEO_FRAME_PLANE_STRIDE(&storage_->frame, index);
}

std::shared_ptr<VideoFrame> VideoFrame::packed(int width, int height, core::CaptureTime capture_time) {
  auto storage = std::make_shared<Storage>();
  const int widths[3] = {width, (width + 1) / 2, (width + 1) / 2};
  const int heights[3] = {height, (height + 1) / 2, (height + 1) / 2};
  std::size_t size = 0;
  for (int i = 0; i < 3; ++i) {
    storage->offsets[i] = size;
    storage->strides[i] = widths[i];
    size += static_cast<std::size_t>(widths[i]) * static_cast<std::size_t>(heights[i]);
  }
  storage->owned.resize(size);
  return std::make_shared<VideoFrame>(std::move(storage), width, height, capture_time);
}

std::shared_ptr<VideoFrame> VideoFrame::copy_of(const VideoFrame& frame) {
  auto copy = packed(frame.width(), frame.height(), frame.capture_time());
  const I420Picture to = copy->writable();
  const int heights[3] = {to.height, (to.height + 1) / 2, (to.height + 1) / 2};
  for (int i = 0; i < 3; ++i) {
    for (int row = 0; row < heights[i]; ++row) {
      std::memcpy(to.planes[i] + static_cast<std::ptrdiff_t>(row) * to.strides[i],
                  frame.plane(i) + static_cast<std::ptrdiff_t>(row) * frame.stride(i),
                  static_cast<std::size_t>(to.strides[i]));
    }
  }
  return copy;
}

I420Picture VideoFrame::writable() {
  I420Picture p;
  p.width = width_;
  p.height = height_;
  if (storage_->mapped) return p;
  for (int i = 0; i < 3; ++i) {
    p.planes[i] = storage_->owned.data() + storage_->offsets[i];
    p.strides[i] = storage_->strides[i];
  }
  return p;
}

std::shared_ptr<const VideoFrame> frame_from_sample(GstSample* sample, core::CaptureTime capture_time) {
  auto storage = std::make_shared<VideoFrame::Storage>();
  storage->sample = sample;
  GstVideoInfo info;
  if (!gst_video_info_from_caps(&info, gst_sample_get_caps(sample)) ||
      !gst_video_frame_map(&storage->frame, &info, gst_sample_get_buffer(sample), GST_MAP_READ)) {
    return nullptr;
  }
  storage->mapped = true;
  return std::make_shared<const VideoFrame>(std::move(storage), GST_VIDEO_INFO_WIDTH(&info),
                                            GST_VIDEO_INFO_HEIGHT(&info), capture_time);
}

void LatestFrameMailbox::put(std::shared_ptr<const VideoFrame> frame) {
  std::shared_ptr<const VideoFrame> old;
  {
    std::lock_guard lock(mutex_);
    old = std::exchange(frame_, std::move(frame));
    ++generation_;
  }
  changed_.notify_all();
  // `old` is released here, outside the lock.
}

std::shared_ptr<const VideoFrame> LatestFrameMailbox::latest() const {
  std::lock_guard lock(mutex_);
  return frame_;
}

std::uint64_t LatestFrameMailbox::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::uint64_t LatestFrameMailbox::wait_newer_than(std::uint64_t seen,
                                                  std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return generation_ > seen; });
  return generation_;
}

}  // namespace surgilink::media
