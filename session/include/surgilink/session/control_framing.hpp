#pragma once
// Length-prefixed frames of the control channel: 4-byte big-endian length, then one serialized Envelope.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "surgilink/core/fault.hpp"

namespace surgilink::session {

inline constexpr std::uint32_t kProtocolVersion = 2;  // 2: roles and vitals rows as enums
inline constexpr std::size_t kMaxControlMessage = 65536;

// Appends the 4-byte length prefix and `body` to `out`.
void append_frame(std::span<const std::uint8_t> body, std::vector<std::uint8_t>& out);

// Splits a byte stream into frames. Feed what the socket read; take complete frames out. One thread.
class ControlFrameReader {
 public:
  // Adds received bytes.
  void feed(std::span<const std::uint8_t> bytes);
  // The next complete frame's body, nullopt if none is complete yet, or kTooLarge as soon as a length prefix
  // exceeds kMaxControlMessage (the connection must then be closed: the stream cannot be resynchronised).
  core::Result<std::optional<std::vector<std::uint8_t>>> next();

 private:
  std::vector<std::uint8_t> buffer_;
  std::size_t consumed_ = 0;
};

}  // namespace surgilink::session
