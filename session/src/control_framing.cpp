#include "surgilink/session/control_framing.hpp"

namespace surgilink::session {

void append_frame(std::span<const std::uint8_t> body, std::vector<std::uint8_t>& out) {
  const auto n = static_cast<std::uint32_t>(body.size());
  out.push_back(static_cast<std::uint8_t>(n >> 24));
  out.push_back(static_cast<std::uint8_t>(n >> 16));
  out.push_back(static_cast<std::uint8_t>(n >> 8));
  out.push_back(static_cast<std::uint8_t>(n));
  out.insert(out.end(), body.begin(), body.end());
}

void ControlFrameReader::feed(std::span<const std::uint8_t> bytes) {
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  }
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

core::Result<std::optional<std::vector<std::uint8_t>>> ControlFrameReader::next() {
  const std::size_t available = buffer_.size() - consumed_;
  if (available < 4) return std::optional<std::vector<std::uint8_t>>{};
  const std::uint8_t* p = buffer_.data() + consumed_;
  const std::uint32_t n =
      (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
  if (n > kMaxControlMessage) return core::Fault::kTooLarge;
  if (available < 4 + std::size_t{n}) return std::optional<std::vector<std::uint8_t>>{};
  std::vector<std::uint8_t> body(p + 4, p + 4 + n);
  consumed_ += 4 + n;
  // Compact so that a long-lived connection does not grow its buffer.
  if (consumed_ > 4096 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  return std::optional<std::vector<std::uint8_t>>{std::move(body)};
}

}  // namespace surgilink::session
