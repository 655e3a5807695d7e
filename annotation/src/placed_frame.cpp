#include "surgilink/annotation/placed_frame.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstring>

namespace surgilink::annotation {

namespace {

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xFFu));
}

void put_f32(std::vector<std::uint8_t>& out, double v) {
  const auto bits = std::bit_cast<std::uint32_t>(static_cast<float>(v));
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(bits >> shift));
}

// Reads big-endian fields off the front of a span; `ok` turns false (and stays) when one runs past its end.
struct Reader {
  std::span<const std::uint8_t> bytes;
  std::size_t at = 0;
  bool ok = true;

  bool has(std::size_t n) {
    if (!ok || bytes.size() - at < n) ok = false;
    return ok;
  }
  std::uint8_t u8() { return has(1) ? bytes[at++] : 0; }
  std::uint16_t u16() {
    if (!has(2)) return 0;
    const auto v = static_cast<std::uint16_t>(bytes[at] << 8 | bytes[at + 1]);
    at += 2;
    return v;
  }
  float f32() {
    if (!has(4)) return 0;
    std::uint32_t bits = 0;
    for (int i = 0; i < 4; ++i) bits = bits << 8 | bytes[at + static_cast<std::size_t>(i)];
    at += 4;
    return std::bit_cast<float>(bits);
  }
};

// normalised (0..1) -> pixel coordinates of a frame of `size` (pixel centres on integers).
cv::Matx33d to_pixels_of(cv::Size2d size) { return {size.width, 0, -0.5, 0, size.height, -0.5, 0, 0, 1}; }

}  // namespace

std::vector<std::uint8_t> encode_placed_frame(const PlacedFrame& placed) {
  std::vector<std::uint8_t> out;
  out.reserve(7 + placed.placements.size() * 56);
  out.push_back(kPlacedFrameVersion);
  put_u16(out, static_cast<std::uint16_t>(std::clamp(placed.frame.width, 0, 0xFFFF)));
  put_u16(out, static_cast<std::uint16_t>(std::clamp(placed.frame.height, 0, 0xFFFF)));
  const std::size_t count = std::min(placed.placements.size(), kMaxPlacedAnnotations);
  put_u16(out, static_cast<std::uint16_t>(count));
  for (std::size_t i = 0; i < count; ++i) {
    const auto& [id, p] = placed.placements[i];
    const std::size_t length = std::min<std::size_t>(id.size(), 255);
    out.push_back(static_cast<std::uint8_t>(length));
    out.insert(out.end(), id.begin(), id.begin() + static_cast<std::ptrdiff_t>(length));
    out.push_back(p.position_uncertain ? 1 : 0);
    put_f32(out, p.opacity);
    put_f32(out, p.confidence);
    for (const double h : p.homography.val) put_f32(out, h);
  }
  return out;
}

Checked<PlacedFrame> decode_placed_frame(std::span<const std::uint8_t> bytes, core::CaptureTime capture) {
  Reader in{bytes};
  const auto version = in.u8();
  if (!in.ok) return refuse(core::Fault::kTruncated, "placements: empty");
  if (version != kPlacedFrameVersion)
    return refuse(core::Fault::kUnsupportedVersion,
                  "placements: version " + std::to_string(version) + " (this reads version 1)");
  PlacedFrame placed;
  placed.capture = capture;
  placed.frame.width = in.u16();
  placed.frame.height = in.u16();
  const std::size_t count = in.u16();
  if (!in.ok) return refuse(core::Fault::kTruncated, "placements: header cut short");
  if (placed.frame.width == 0 || placed.frame.height == 0)
    return refuse(core::Fault::kMalformed, "placements: frame size 0");
  if (count > kMaxPlacedAnnotations)
    return refuse(core::Fault::kTooLarge, "placements: " + std::to_string(count) + " annotations");
  placed.placements.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t length = in.u8();
    if (!in.has(length)) break;
    std::string id(reinterpret_cast<const char*>(bytes.data() + in.at), length);
    in.at += length;
    if (id.empty()) return refuse(core::Fault::kMalformed, "placements: an empty id");
    Placement p;
    const auto flags = in.u8();
    p.position_uncertain = (flags & 1u) != 0;
    p.opacity = in.f32();
    p.confidence = in.f32();
    for (double& h : p.homography.val) h = in.f32();
    if (!in.ok) break;
    if ((flags & ~1u) != 0) return refuse(core::Fault::kMalformed, "placements: unknown flags of " + id);
    const bool finite =
        std::all_of(p.homography.val, p.homography.val + 9, [](double h) { return std::isfinite(h); });
    if (!finite || !(p.opacity >= 0 && p.opacity <= 1) || !(p.confidence >= 0 && p.confidence <= 1))
      return refuse(core::Fault::kMalformed, "placements: a number out of range for " + id);
    placed.placements.emplace_back(std::move(id), p);
  }
  if (!in.ok) return refuse(core::Fault::kTruncated, "placements: cut short");
  if (in.at != bytes.size()) return refuse(core::Fault::kMalformed, "placements: trailing bytes");
  return placed;
}

Placement scaled_placement(const Placement& placement, cv::Size from, cv::Size2d to) {
  if (from.width <= 0 || from.height <= 0 || !(to.width > 0) || !(to.height > 0)) return placement;
  if (to.width == from.width && to.height == from.height) return placement;
  // pixels of `to` -> normalised -> pixels of `from`, the homography there, and back.
  const cv::Matx33d there = to_pixels_of(from) * to_pixels_of(to).inv();
  Placement out = placement;
  out.homography = there.inv() * placement.homography * there;
  return out;
}

bool PlacementChanges::changed(const Placement& now, const Placement& then, cv::Size frame) const {
  if (now.position_uncertain != then.position_uncertain) return true;
  if (std::abs(now.opacity - then.opacity) >= settings_.min_opacity_change) return true;
  if (now.opacity != then.opacity && (now.opacity >= 1.0F || now.opacity <= 0.0F))
    return true;  // the end of a fade (fully shown, or gone) is recorded exactly
  const std::array<cv::Point2d, 4> corners{cv::Point2d{0, 0}, cv::Point2d(frame.width - 1.0, 0),
                                           cv::Point2d(0, frame.height - 1.0),
                                           cv::Point2d(frame.width - 1.0, frame.height - 1.0)};
  const double limit = settings_.min_move_px * settings_.min_move_px;
  return std::any_of(corners.begin(), corners.end(), [&](const cv::Point2d& c) {
    const cv::Point2d d = map_point(now.homography, c) - map_point(then.homography, c);
    return !(d.dot(d) <= limit);  // a point mapped to infinity counts as moved
  });
}

std::optional<PlacedFrame> PlacementChanges::take(core::CaptureTime capture, cv::Size frame,
                                                  const Scene& scene, const Placements& placements) {
  // Annotations gone from the scene are forgotten: a review no longer draws them.
  for (auto it = recorded_.begin(); it != recorded_.end();) {
    it = scene.find(it->first) == nullptr ? recorded_.erase(it) : std::next(it);
  }
  const bool resized = frame != last_frame_;
  const bool due = resized || !last_record_ || capture - *last_record_ >= settings_.min_interval;
  std::optional<PlacedFrame> out;
  for (const auto& a : scene.annotations) {
    const auto placed = placements.find(a->id);
    if (placed == placements.end()) continue;
    const auto before = recorded_.find(a->id);
    const bool is_new = before == recorded_.end();
    if (!is_new && (!due || !changed(placed->second, before->second, frame))) continue;
    if (!out) out = PlacedFrame{capture, frame, {}};
    out->placements.emplace_back(a->id, placed->second);
    recorded_[a->id] = placed->second;
  }
  if (out) {
    last_record_ = capture;
    last_frame_ = frame;
  }
  return out;
}

}  // namespace surgilink::annotation
