#include "surgilink/media/h264_access_unit.hpp"

namespace surgilink::media {

bool h264_access_unit_has_idr(std::span<const std::uint8_t> byte_stream) {
  // Each NAL unit follows a 00 00 01 start code (the four-byte form ends the same way). The first slice
  // decides (all slices of a picture are of one kind), so the scan stops there, before the slice's data.
  const std::size_t n = byte_stream.size();
  for (std::size_t at = 0; at + 3 < n; ++at) {
    if (byte_stream[at] != 0 || byte_stream[at + 1] != 0 || byte_stream[at + 2] != 1) continue;
    const int type = byte_stream[at + 3] & 0x1f;
    if (type >= 1 && type <= 5) return type == 5;
    at += 2;
  }
  return false;
}

}  // namespace surgilink::media
