#pragma once
// Private to media/: big-endian (network byte order) reads and writes of 16, 32 and 64-bit fields in the
// RTP, RTCP and parity wire formats.

#include <cstdint>

namespace surgilink::media::wire {

inline std::uint16_t read16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
inline std::uint32_t read32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline std::uint64_t read64(const std::uint8_t* p) {
  return (std::uint64_t{read32(p)} << 32) | read32(p + 4);
}
inline void write16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void write32(std::uint8_t* p, std::uint32_t v) {
  write16(p, static_cast<std::uint16_t>(v >> 16));
  write16(p + 2, static_cast<std::uint16_t>(v));
}
inline void write64(std::uint8_t* p, std::uint64_t v) {
  write32(p, static_cast<std::uint32_t>(v >> 32));
  write32(p + 4, static_cast<std::uint32_t>(v));
}

}  // namespace surgilink::media::wire
